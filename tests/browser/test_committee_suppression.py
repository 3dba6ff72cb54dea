"""A committee member walks every page the role reaches, in a municipality of small groups, and
never sees a count of 1-4 citizens; hidden cells read "skjult" and nothing reads "<5". The KPI
report's Excel file is read the same way. The economist, on the same pages, sees everything."""

import datetime
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from roret.capacity import runs
from roret.capacity.models import PlanRun
from roret.offers.models import Offer
from tests.browser.conftest import login

LAST_YEAR = datetime.date.today().year - 1
HALF = f"{LAST_YEAR}-H1"
SMALL = {"1", "2", "3", "4"}


@pytest.fixture
def small_groups(world):
    """A few citizens in each offer since the start of last year, some waiting, a handful placed
    externally for different reasons, one stay ended; and a finished §108 plan run."""
    start = datetime.date(LAST_YEAR, 1, 1)
    world.place(world.citizen(first_name="Beboer"), world.residential, start=start)
    world.place(world.citizen(first_name="Flyttet"), world.residential, start=start,
                end=datetime.date(LAST_YEAR, 3, 1))
    world.grant(world.citizen(first_name="Venter"), world.residential, start=start, preferred_offer=world.residential)
    for i in range(7):
        world.place(world.citizen(first_name=f"Dag{i}"), world.day_offer, start=start)
    for i in range(3):
        world.grant(world.citizen(first_name=f"DagVenter{i}"), world.day_offer, start=start,
                    preferred_offer=world.day_offer)
    bought = world.offer("Købt bosted", "SEL108", places=0, tariff="3000.00", provider=world.external_provider)
    for i, reason in enumerate(["no_vacancy"] * 5 + ["free_choice", "network", "specialised"]):
        world.place(world.citizen(first_name=f"Ude{i}"), bought, start=start, external_reason=reason)
    for i in range(2):
        world.place(world.citizen(first_name=f"Midl{i}"), world.external, start=start)
    run = PlanRun.objects.create(group="sel108", day=datetime.date.today(), seed=3, replications=20,
                                 scenarios=[runs.baseline_snapshot()], created_by=world.users["economist"])
    runs.execute(run)
    world.run = run
    return world


def committee_paths(world) -> list[str]:
    offers = [f"/offers/{pk}/" for pk in Offer.objects.order_by("pk").values_list("pk", flat=True)]
    return ["/", "/offers/", *offers, f"/economy/?kind=year&at={LAST_YEAR}-06-01", "/economy/self-sufficiency/",
            f"/reports/kpi/?half={HALF}", "/capacity/", "/capacity/groups/sel108/", "/capacity/groups/sel107/",
            "/capacity/groups/abl105/", "/capacity/groups/sel104/", "/capacity/groups/sel103/",
            f"/capacity/runs/{world.run.pk}/", "/balance/", f"/balance/centre/{world.centre.pk}/"]


def read_marked(page) -> tuple[list[str], list[str]]:
    """The visible counts of citizens and the texts of the hidden cells on ``page``."""
    citizens = [t.strip() for t in page.locator("[data-citizens]:visible").all_inner_texts()]
    hidden = [t.strip() for t in page.locator("[data-hidden]:visible").all_inner_texts()]
    return citizens, hidden


@pytest.mark.django_db(transaction=True)
def test_the_committee_sees_no_small_cell_on_any_page_or_in_the_excel_report(small_groups, page, live_server):
    login(page, live_server, "committee")
    seen_hidden = 0
    for path in committee_paths(small_groups):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        citizens, hidden = read_marked(page)
        assert not SMALL & set(citizens), (path, citizens)
        assert set(hidden) <= {"skjult"}, (path, hidden)
        body = page.locator("body").inner_text()
        assert "<5" not in body, path
        if hidden:
            assert "ikke kan regnes ud fra totalerne" in body, path
        seen_hidden += len(hidden)
    assert seen_hidden > 20  # the small groups do hide cells: the walk checked something

    page.goto(f"{live_server.url}/reports/kpi/?half={HALF}")
    with page.expect_download() as download:
        page.click(f"a[href$='report.xlsx?half={HALF}']")
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    counted = hidden_in_book = 0
    for ws in book.worksheets:
        header = [c.value for c in ws[4]]
        columns = [i for i, label in enumerate(header) if label in citizen_labels()]
        for row in ws.iter_rows(min_row=5, values_only=True):
            assert "<5" not in row
            hidden_in_book += row.count("skjult")
            for i in columns:
                counted += 1
                assert row[i] == "skjult" or row[i] is None or not 1 <= row[i] <= 4, (ws.title, row)
    assert counted > 50 and hidden_in_book > 0


@pytest.mark.django_db(transaction=True)
def test_the_economist_sees_every_figure_on_the_same_pages(small_groups, page, live_server):
    login(page, live_server, "economist")
    small_seen = False
    for path in committee_paths(small_groups):
        assert page.goto(live_server.url + path).status == 200, path
        citizens, hidden = read_marked(page)
        assert not hidden and "skjult" not in page.locator("main").inner_text(), path
        small_seen |= bool(SMALL & set(citizens))
    assert small_seen


def citizen_labels() -> set[str]:
    """The Danish headers of the KPI report's columns that count citizens (or their stays)."""
    from roret.reports import kpi_report

    with translation.override("da"):
        labels = {str(c.label) for c in kpi_report.figure_columns("") if c.citizen_count}
        return labels | {translation.gettext("Completed stays"), translation.gettext("Ongoing stays")}
