"""The committee reads its status report in the browser: no count of 1-4 citizens shows, hidden
cells read "skjult", and the PDF and Word files download. The economist's own report of the same
half-year shows the small counts."""

import datetime
from decimal import Decimal

import pytest

from roret.outcomes.services import renegotiate_tariff
from roret.plans import effect_services, services
from roret.plans.models import EffectKind
from tests.browser.conftest import login
from tests.factories import committed
from tests.plans.helpers import initiative, make_plan

SMALL = {"1", "2", "3", "4"}
HALF = "2025H2"


@pytest.fixture
def reports(world):
    """Two citizens' renegotiated tariffs realise the first initiative (a cell of 2 citizens)."""
    plan = make_plan([
        {"track": "1", "initiative": "Genforhandling af eksterne kontrakter", "effect": [-100000, -150000]},
        {"track": "2", "initiative": "Alternative løsninger", "effect": [-150000, -250000]},
        {"track": "3", "initiative": "Livsfaser (ældreområdet)", "effect": [-250000, -500000]},
    ])
    effect_services.add_rule(initiative(plan, "Genforhandling af eksterne kontrakter"), EffectKind.RENEGOTIATION,
                             actor=None)
    for name in ("Rene", "Rita"):
        placement = world.place(world.citizen(first_name=name), world.external, start=datetime.date(2024, 1, 1))
        with committed():
            renegotiate_tariff(placement, actor=world.users["caseworker"], new_amount=Decimal("2900.00"),
                               valid_from=datetime.date(2025, 3, 1))
    return plan, {role: services.make_status_report(plan, HALF, actor=world.users[role])
                  for role in ("committee", "economist")}


def marked(page):
    citizens = [t.strip() for t in page.locator("[data-citizens]:visible").all_inner_texts()]
    hidden = [t.strip() for t in page.locator("[data-hidden]:visible").all_inner_texts()]
    return citizens, hidden


@pytest.mark.django_db(transaction=True)
def test_the_committee_reads_its_report_with_no_small_cell(reports, page, live_server):
    plan, made = reports
    login(page, live_server, "committee")
    page.goto(f"{live_server.url}/plans/{plan.pk}/status/")
    page.click(f"a[href='/plans/{plan.pk}/status/{made['committee'].pk}/']")
    assert page.locator("h1").first.inner_text().startswith("Status på udviklingsplanen")
    citizens, hidden = marked(page)
    assert citizens and not SMALL & set(citizens), citizens
    assert hidden and set(hidden) == {"skjult"}
    body = page.locator("main").inner_text()
    assert "<5" not in body and "ikke kan regnes ud fra totalerne" in body
    for heading in ("Udviklingsplanen", "Indsatser, lyskryds og realiserede effekter", "Kapacitetsudsigt",
                    "Balancemodellen"):
        assert page.get_by_role("heading", name=heading).count() >= 1, heading
    with page.expect_download() as download:
        page.click("text=Hent Word-dokument")
    assert download.value.suggested_filename == "statusrapport-2025H2.docx"
    response = page.request.get(f"{live_server.url}/plans/{plan.pk}/status/{made['committee'].pk}/report.pdf")
    assert response.status == 200 and response.body()[:4] == b"%PDF"
    # The economist's report is not the committee's to read.
    assert page.goto(f"{live_server.url}/plans/{plan.pk}/status/{made['economist'].pk}/").status == 404


@pytest.mark.django_db(transaction=True)
def test_the_economist_sees_the_small_counts(reports, page, live_server):
    plan, made = reports
    login(page, live_server, "economist")
    page.goto(f"{live_server.url}/plans/{plan.pk}/status/{made['economist'].pk}/")
    citizens, hidden = marked(page)
    assert "2" in citizens and not hidden
