"""One period table per distinct period per request: kpi.Figures, and the pages that use it; the
rollup answers month-aligned periods' additive figures and stored figures the rest, so a page
asked again builds no table at all."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roret.core.periods import Period, period_of
from roret.economy import kpi
from roret.economy.duration import durations
from tests.economy.period_tables import get, tables_built

day = datetime.date
LAST_YEAR = datetime.date.today().year - 1


def test_the_kpi_report_asks_each_distinct_period_once(placed, client):
    half = period_of("half", day(LAST_YEAR, 3, 1))
    url = reverse("reports:kpi_report") + f"?half={LAST_YEAR}-H1"
    asked, built = get(client, "economist", url)
    # The trend: the half-year and the five before it (the key figures' previous half-year and the
    # same half-year a year earlier are among them); self-sufficiency: the five whole years before
    # and this year up to the half-year's end, which is the half-year itself.
    expected = {*half.previous(5), half} | {period_of("year", day(y, 1, 1)) for y in range(LAST_YEAR - 5, LAST_YEAR)}
    assert len(asked) == len(set(asked)) == 11
    assert set(asked) == expected
    # Tables only where a figure is not additive over months (distinct citizens, durations,
    # citizen costs), each at most once; asked again, every figure is stored or in the rollup.
    assert len(built) == len(set(built)) and set(built) <= expected
    assert get(client, "economist", url)[1] == []


def test_the_economy_overview_asks_each_distinct_period_once(placed, client):
    year = period_of("year", day(LAST_YEAR, 6, 1))
    url = reverse("economy:overview") + f"?kind=year&at={LAST_YEAR}-06-01&by=offer"
    asked, built = get(client, "economist", url)
    assert len(asked) == len(set(asked)) == 6
    assert set(asked) == {*year.previous(5), year}
    # The trend's totals need no table: their additive figures are the rollup's, their citizens
    # one COUNT(DISTINCT); the year itself needs one for its durations and citizens by offer.
    assert built == [year]
    assert get(client, "economist", url)[1] == []


def test_a_period_over_two_years_shares_its_year_parts_with_the_request(placed):
    span = Period(day(LAST_YEAR - 1, 7, 1), day(LAST_YEAR, 7, 1))
    with CaptureQueriesContext(connection) as ctx, kpi.Figures() as figures:
        result = figures.kpis(span, ("paragraph",))
        figures.kpis(span.years()[1], ())       # the second part again: its table is already there
        figures.totals(span)
    assert tables_built(ctx) == [span, *span.years()]
    assert result.total.reimbursement == kpi.kpis(span, ("paragraph",)).total.reimbursement


def test_figures_from_shared_tables_are_the_figures_asked_one_by_one(placed):
    year = period_of("year", day(LAST_YEAR, 1, 1))
    half = period_of("half", day(LAST_YEAR, 8, 1))
    with kpi.Figures() as figures:
        shared = {
            "totals": [figures.totals(p).as_dict() for p in (year, half)],
            "breakdown": [r.as_dict() for r in figures.breakdown(year, "offer")],
            "kpis": figures.kpis(year, ("paragraph", "own_external"), duration_by=("paragraph",)).as_dict(),
            "total_after": figures.totals(year).as_dict(),   # after the KPI set: no expensive figures leak in
            "durations": {k: d.as_dict() for k, d in figures.durations(half, "paragraph").items()},
            "expensive": figures.expensive_citizens(year, threshold=Decimal("100000")),
            "reimbursements": figures.reimbursements(year),
        }
    alone = {
        "totals": [kpi.totals(p).as_dict() for p in (year, half)],
        "breakdown": [r.as_dict() for r in kpi.breakdown(year, "offer")],
        "kpis": kpi.kpis(year, ("paragraph", "own_external"), duration_by=("paragraph",)).as_dict(),
        "total_after": kpi.totals(year).as_dict(),
        "durations": {k: d.as_dict() for k, d in durations(half, "paragraph").items()},
        "expensive": kpi.expensive_citizens(year, threshold=Decimal("100000")),
        "reimbursements": kpi.reimbursements(year),
    }
    assert shared == alone
    assert shared["totals"][0]["citizens"] == 8 and shared["kpis"]["expensive_cases"] == 0
    assert shared["expensive"] and shared["total_after"]["expensive_cases"] == 0


def test_figures_are_asked_in_a_with_block_and_drop_their_tables(placed):
    figures = kpi.Figures()
    with pytest.raises(RuntimeError, match="with block"):
        figures.totals(period_of("year", day(LAST_YEAR, 1, 1)))
    with kpi.Figures() as figures:
        name = figures.table(period_of("year", day(LAST_YEAR, 1, 1))).name
        assert figures.totals(period_of("year", day(LAST_YEAR, 1, 1))).citizens == 8
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {name}")


def test_the_warm_up_leaves_the_opening_pages_nothing_to_compute(placed, client):
    """After roret economy_refresh's warm-up the overview, the self-sufficiency page and the KPI
    report of the latest completed periods build no period table: every figure is stored."""
    from roret.economy.models import StoredFigure
    from roret.reports.services import warm_figures

    StoredFigure.objects.all().delete()
    warm_figures()
    for persona, url in [("economist", reverse("economy:overview")), ("committee", reverse("economy:overview")),
                         ("economist", reverse("economy:self_sufficiency")),
                         ("economist", reverse("reports:kpi_report")), ("centre_leader", reverse("economy:overview")),
                         ("centre_leader", reverse("economy:self_sufficiency")),
                         ("centre_leader", reverse("reports:kpi_report")),
                         # the compliance list's expensive citizens of the coming year
                         ("centre_staff", reverse("outcomes:compliance"))]:
        client.logout()
        asked, built = get(client, persona, url)
        # The compliance list's expensive cases were stored by the warm-up too (roret.outcomes.
        # compliance), so its page asks for no figure at all; the others ask and find them stored.
        assert (asked or persona == "centre_staff") and built == [], (persona, url, built)


def test_the_warm_up_counts_the_balance_views_record_figures_ahead(placed, client):
    """The balance view's figures from the case record (WHO-5, follow-ups, deadlines ...) of each
    completed half-year are stored by the warm-up for the department and every centre, so the
    first balance page of the day reads them instead of counting (4-10 s at 100,000 citizens)."""
    from roret.balance.figures import HALVES, last_halves
    from roret.balance.models import StoredFigures
    from roret.core.models import Centre
    from roret.reports.services import warm_figures

    StoredFigures.objects.all().delete()
    warm_figures()
    scopes = {0, *Centre.objects.values_list("pk", flat=True)}
    halves = {h.start for h in last_halves(datetime.date.today()) if h.end <= datetime.date.today()}
    stored = set(StoredFigures.objects.values_list("scope", "half_start"))
    assert len(halves) == HALVES
    assert stored == {(s, h) for s in scopes for h in halves}
