"""The economist changes the period and breakdown on the economy overview and sees the charts;
a committee member opens the half-yearly KPI report, sees small cells suppressed and downloads
the PDF."""

import datetime

import pytest

from tests.browser.conftest import login

LAST_YEAR = datetime.date.today().year - 1


@pytest.fixture
def placed(world):
    start = datetime.date(LAST_YEAR, 1, 1)
    for _ in range(6):
        world.place(world.citizen(), world.day_offer, start=start)
    world.place(world.citizen(), world.residential, start=start)
    return world


@pytest.mark.django_db(transaction=True)
def test_the_economist_picks_a_quarter_and_a_breakdown(placed, page, live_server):
    login(page, live_server, "economist")
    page.goto(f"{live_server.url}/economy/")
    page.select_option("#id_kind", "quarter")
    page.fill("#id_at", f"{LAST_YEAR}-05-10")
    page.select_option("#id_by", "offer")
    page.click("form.roret-inline-form button[type=submit]")
    page.wait_for_url("**kind=quarter**")
    assert f"{LAST_YEAR} Q2" in page.locator("h1").inner_text()
    charts = page.locator("svg.roret-chart[role=img]")
    assert charts.count() == 2 and charts.first.locator("title").first.text_content()
    table = page.locator("#breakdown")
    assert "Aktivitetshuset" in table.inner_text() and "Bostedet" in table.inner_text()
    assert "skjult" not in table.inner_text() and table.locator("[data-hidden]").count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_committee_reads_the_report_with_small_cells_hidden_and_downloads_the_pdf(placed, page, live_server):
    login(page, live_server, "committee")
    page.goto(f"{live_server.url}/reports/kpi/?half={LAST_YEAR}-H1")
    text = page.locator("main").inner_text()
    assert f"{LAST_YEAR} H1" in text and "skjult" in text and "<5" not in text
    with page.expect_download() as download:
        page.click(f"a[href$='report.pdf?half={LAST_YEAR}-H1']")
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
