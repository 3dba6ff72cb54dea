"""The KPI layer's quality-of-life figures: measurements, citizens measured and mean score per
instrument, counted apart for self-reported and staff-reported measurements, on the KPI report
(page, Excel), with the committee's small-cell rule and a query count that does not grow."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roret.core import periods
from roret.outcomes import queries
from roret.outcomes import services as outcome_services
from roret.reports import kpi_report
from tests.clients import SecondFactorClient
from tests.factories import PASSWORD
from tests.reports.cells import small_counts_shown

TODAY = datetime.date.today()
HALF = periods.period_of("half", TODAY).previous(1)[0]   # the report's default: the last completed half-year
IN_HALF = HALF.start + datetime.timedelta(days=10)
FIFTY = [2, 3, 3, 2, 3]        # raw 13: score 52
FORTY = [2, 2, 2, 2, 2]        # raw 10: score 40
EIGHTY = [4, 4, 4, 4, 4]       # raw 20: score 80


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def measure(world, citizen, answers, *, self_reported, on=IN_HALF):
    actor = world.caseworker_of(citizen.team)
    return outcome_services.record_measurement(citizen, "WHO-5", answers, actor=actor, measured_on=on,
                                               self_reported=self_reported)


def test_self_reported_and_staff_reported_measurements_are_counted_apart_in_the_kpi_layer(world):
    anna, bo = world.citizen(first_name="Anna"), world.citizen(first_name="Bo")
    measure(world, anna, EIGHTY, self_reported=True)
    measure(world, anna, FORTY, self_reported=False)
    measure(world, bo, FIFTY, self_reported=False)
    measure(world, bo, EIGHTY, self_reported=False, on=HALF.end)        # the next period: not counted
    measure(world, bo, EIGHTY, self_reported=True, on=HALF.start - datetime.timedelta(days=1))  # the one before

    found = queries.measured_in(HALF.start, HALF.end)["WHO-5"]
    assert (found["measurements"], found["citizens"]) == (3, 2)
    assert (found["measurements_self"], found["citizens_self"], found["mean_self"]) == (1, 1, 80)
    assert (found["measurements_staff"], found["citizens_staff"]) == (2, 2)
    assert Decimal(str(found["mean_staff"])) == Decimal(46)
    [(name, (own, staff), whole)] = kpi_report.quality_of_life_items(HALF)
    assert name.startswith("WHO-5")
    assert (own["measurements"], own["citizens"], own["mean"]) == (1, 1, Decimal("80.0"))
    assert (staff["measurements"], staff["citizens"], staff["mean"]) == (2, 2, Decimal("46.0"))
    assert own["measurements"] + staff["measurements"] == whole["measurements"]   # the parts add up
    assert whole["mean"] == Decimal("57.3")


def test_a_centre_leader_counts_the_citizens_placed_in_the_centre_only(world):
    here, elsewhere = world.citizen(first_name="Her"), world.citizen(first_name="Ude")
    world.place(here, world.day_offer, start=HALF.start - datetime.timedelta(days=100))
    world.place(elsewhere, world.external, start=HALF.start - datetime.timedelta(days=100))
    measure(world, here, EIGHTY, self_reported=True)
    measure(world, elsewhere, FORTY, self_reported=False)
    assert queries.measured_in(HALF.start, HALF.end, world.centre.pk)["WHO-5"]["measurements"] == 1
    assert queries.measured_in(HALF.start, HALF.end, world.other_centre.pk) == {}
    assert queries.measured_in(HALF.start, HALF.end)["WHO-5"]["measurements"] == 2


def test_the_kpi_report_page_and_excel_show_the_split(world):
    citizens = [world.citizen(first_name=f"Borger{i}") for i in range(6)]
    for c in citizens:
        measure(world, c, FIFTY, self_reported=False)
    for c in citizens[:5]:
        measure(world, c, EIGHTY, self_reported=True)
    client = SecondFactorClient()
    assert client.login(username="economist", password=PASSWORD)
    html = client.get("/reports/kpi/").content.decode()
    assert 'id="quality-of-life"' in html
    assert "Quality of life: WHO-5" in html
    assert "Self-reported (the citizen answered themself)" in html and "Staff-reported" in html
    assert "80.0" in html or "80,0" in html
    report = kpi_report.build_report(HALF, world.users["economist"])
    assert any(t.title.startswith("Quality of life: WHO-5") for t in kpi_report.report_tables(report))


def test_the_committee_never_sees_a_split_of_1_to_4_citizens(world):
    citizens = [world.citizen(first_name=f"Borger{i}") for i in range(7)]
    for c in citizens:
        measure(world, c, FIFTY, self_reported=False)
    for c in citizens[:2]:                     # two citizens answered themselves: a small cell
        measure(world, c, EIGHTY, self_reported=True)
    [table] = kpi_report.quality_of_life_tables(HALF, suppress=True)
    own, staff = table.rows
    assert all(cell.suppressed for cell in own[1:])
    # The staff row is hidden with it: the whole's measurements minus the staff's would give it away.
    assert all(cell.suppressed for cell in staff[1:])
    assert [c.value for c in table.total[1:3]] == [7, 9] and not table.total[1].suppressed
    client = SecondFactorClient()
    assert client.login(username="committee", password=PASSWORD)
    html = client.get("/reports/kpi/").content.decode()
    section = html[html.index('id="quality-of-life"'):]
    assert small_counts_shown(section) == []
    assert "80.0" not in section and "80,0" not in section
    shown = kpi_report.quality_of_life_tables(HALF, suppress=False)[0]
    assert not any(cell.suppressed for row in shown.rows for cell in row)


def test_the_committee_cannot_work_out_a_small_group_from_the_overlapping_rows(world):
    # Self 5, staff 7, all 9 citizens: 9 - 7 = 2 answered only themselves, 5 + 7 - 9 = 3 both ways.
    citizens = [world.citizen(first_name=f"Overlap{i}") for i in range(9)]
    for c in citizens[:5]:
        measure(world, c, EIGHTY, self_reported=True)
    for c in citizens[2:]:
        measure(world, c, FIFTY, self_reported=False)
    shown = kpi_report.quality_of_life_tables(HALF, suppress=False)[0]
    assert [row[1].value for row in shown.rows] + [shown.total[1].value] == [5, 7, 9]
    [table] = kpi_report.quality_of_life_tables(HALF, suppress=True)
    assert all(cell.suppressed for row in table.rows for cell in row[1:])   # both rows hidden
    assert table.total[1].value == 9 and not table.total[1].suppressed     # the whole stays
    assert table.suppressed_any and "cannot be worked out" in table.note


def test_the_quality_of_life_figures_are_one_query_whatever_the_measurements(world):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            kpi_report.quality_of_life_tables(HALF, suppress=True)
        return len(ctx.captured_queries)

    measure(world, world.citizen(first_name="En"), FIFTY, self_reported=True)
    few = count()
    for i in range(8):
        c = world.citizen(first_name=f"Flere{i}")
        measure(world, c, FIFTY, self_reported=bool(i % 2))
    assert count() == few == 1
