"""Every balance figure against a value worked out by hand from tests/balance/conftest.py's scene."""

import datetime
from decimal import Decimal

import pytest

from roret.balance.figures import balance, last_halves
from roret.core.periods import Period
from tests.balance.conftest import TODAY

H2 = Period(datetime.date(2024, 7, 1), datetime.date(2025, 1, 1))
H1 = Period(datetime.date(2024, 1, 1), datetime.date(2024, 7, 1))

pytestmark = pytest.mark.django_db


def test_the_halves_are_the_eight_completed_ones_before_today():
    halves = last_halves(TODAY)
    assert [h.label for h in halves] == ["2021 H1", "2021 H2", "2022 H1", "2022 H2", "2023 H1", "2023 H2",
                                         "2024 H1", "2024 H2"]


@pytest.fixture
def centre(scene):
    return balance(scene.world.centre, today=TODAY)


@pytest.fixture
def department(scene):
    return balance(None, today=TODAY)


def v(result, key, half=H2):
    return result.value(key, half)


def test_who5_mean_is_the_mean_of_the_half_years_measurements(centre, department):
    assert v(centre, "who5_mean").value == Decimal("60.00")           # (60 + 40 + 80) / 3
    assert v(centre, "who5_mean").citizens == 3
    assert v(department, "who5_mean").value == Decimal("50.00")       # (60 + 40 + 80 + 20) / 4
    assert v(centre, "who5_mean", H1).value == Decimal("40.00")


def test_who5_low_band_is_the_share_at_or_below_fifty(centre, department):
    assert v(centre, "who5_low").value == Decimal("33.33")            # 1 of 3
    assert v(department, "who5_low").value == Decimal("50.00")        # 2 of 4
    assert v(centre, "who5_low", H1).value == Decimal("100.00")


def test_who5_measured_is_the_share_of_the_placed_measured_in_twelve_months(centre, department):
    # 2024-12-31: c1 and c2 placed in the centre (c3 left 1 October), both measured in 2024.
    assert v(centre, "who5_measured").value == Decimal("100.00")
    assert v(centre, "who5_measured").citizens == 2
    # 2024-06-30: c1 and c2 placed; only c1 measured (1 March).
    assert v(centre, "who5_measured", H1).value == Decimal("50.00")
    # The department: c1, c2 and c4 placed on 2024-06-30, c1 measured.
    assert v(department, "who5_measured", H1).value == Decimal("33.33")


def test_who5_change_is_the_mean_change_since_the_previous_measurement(centre, department):
    assert v(centre, "who5_change").value == Decimal("20.00")         # c1: 40 -> 60; the others have no earlier
    assert v(centre, "who5_change").citizens == 1
    assert v(department, "who5_change").value == Decimal("20.00")
    assert v(centre, "who5_change", H1).value is None


def test_goals_achieved_or_progressing(centre):
    assert v(centre, "goals").value == Decimal("66.67")               # achieved, progressing; not unchanged
    assert v(centre, "goals").citizens == 2


def test_follow_ups_held_on_time(centre, department):
    assert v(centre, "follow_ups").value == Decimal("33.33")          # on time, late, not held
    assert v(department, "follow_ups").value == Decimal("50.00")      # + c4's, held on its due day
    assert v(department, "follow_ups").detail == "2/4"


def test_assessments_current(centre, department):
    assert v(centre, "assessments").value == Decimal("50.00")         # c1 19 months, c2 31 months
    assert v(department, "assessments").value == Decimal("66.67")     # + c4 current


def test_case_deadlines_met(centre, department):
    assert v(centre, "deadlines").value == Decimal("33.33")           # met, late, open past the deadline
    assert v(department, "deadlines").value == Decimal("50.00")       # + c4's, met


def test_staff_figures(centre, department):
    assert v(centre, "sickness").value == Decimal("5.00")             # 60 / 1,200 days
    assert v(centre, "staffing").value == Decimal("80.00")            # 120 / 150 FTE-months
    assert v(centre, "vacancies").value == 3                          # December
    assert v(centre, "turnover").value == Decimal("20.00")            # 2 leavers * 12/6 / 20 FTEs
    assert v(department, "sickness").value == Decimal("4.00")         # (60 + 12) / (1,200 + 600)
    assert v(department, "vacancies").value == 3
    assert v(centre, "sickness", H1).value is None                    # no staff figures


def test_occupancy_and_empty_places(centre, department):
    # Residential: 2 places x 184 days, all used; day offer: 10 x 184 = 1,840, c3 used 92.
    assert v(centre, "occupancy").value == Decimal("20.83")           # 460 / 2,208
    assert v(centre, "vacancy_days").value == 1748
    assert v(centre, "vacancy_cost").value == Decimal("1048800")      # 1,748 days x 600 kr.
    assert v(department, "occupancy").value == Decimal("20.83")       # the external offer is not own


def test_self_sufficiency_against_its_target(department, centre):
    assert v(department, "self_sufficiency").value == Decimal("71.43")  # 460 own / 644 place-days
    assert department.figure("self_sufficiency").target == Decimal("50")
    assert department.figure("self_sufficiency").met is True
    assert v(centre, "self_sufficiency").value is None                # own by definition for a centre


def test_cost_against_budget(department, centre):
    # 2 x 184 x 2,250 + 92 x 600 + 184 x 3,100 = 1,453,600 kr.; budget 2,928,000 x 184/366 = 1,472,000.
    assert v(department, "budget").value == Decimal("98.75")
    assert v(centre, "budget").value is None


def test_targets_are_dated_and_a_centres_own_comes_first(centre, department):
    assert centre.figure("sickness").target == Decimal("4.5")         # from 2024-10-01; 3 % starts after H2
    assert centre.figure("sickness").met is False                    # 5.00 > 4.5
    assert centre.figure("sickness").targets[-2] == Decimal("6")     # 2024 H1: the department's
    assert department.figure("sickness").target == Decimal("6")
    assert department.figure("sickness").met is True


def test_the_committee_sees_figures_of_one_to_four_citizens_hidden(scene):
    result = balance(scene.world.centre, today=TODAY, suppress=True)
    assert v(result, "who5_mean").hidden and v(result, "who5_mean").shown is None
    assert not v(result, "sickness").hidden                          # staff figures are not about citizens
    assert v(result, "sickness").shown == Decimal("5.00")


def test_a_single_half_year_for_the_status_report(scene):
    result = balance(scene.world.centre, halves=[H2], today=TODAY)
    assert result.halves == [H2]
    assert result.figure("who5_mean").current.value == Decimal("60.00")


def test_record_figures_are_stored_and_counted_again_when_a_row_is_added(scene):
    from django.utils import timezone

    from roret.balance.figures import MAX_AGE, MIN_AGE
    from roret.balance.models import StoredFigures
    from roret.outcomes import services as outcome_services

    balance(scene.world.centre, today=TODAY)
    assert StoredFigures.objects.filter(scope=scene.world.centre.pk).count() == 8
    # A stored value is what the page shows: prove it by changing the stored row.
    row = StoredFigures.objects.get(scope=scene.world.centre.pk, half_start=H2.start)
    row.values["who5_mean"][0] = "12.34"
    row.save()
    assert v(balance(scene.world.centre, today=TODAY), "who5_mean").value == Decimal("12.34")
    # A new (back-dated) measurement: within MIN_AGE the stored figures stand; after it, a new row
    # makes them old and they are counted again, (60 + 40 + 80 + 100) / 4 = 70.
    outcome_services.record_measurement(scene.c2, "WHO-5", [5] * 5, actor=scene.world.users["caseworker"],
                                        measured_on=datetime.date(2024, 12, 1))
    assert v(balance(scene.world.centre, today=TODAY), "who5_mean").value == Decimal("12.34")
    StoredFigures.objects.update(computed_at=timezone.now() - MIN_AGE - datetime.timedelta(minutes=1))
    assert v(balance(scene.world.centre, today=TODAY), "who5_mean").value == Decimal("70.00")
    # Older than MAX_AGE: counted again even with no new row.
    row = StoredFigures.objects.get(scope=scene.world.centre.pk, half_start=H2.start)
    row.values["who5_mean"][0] = "12.34"
    row.computed_at = timezone.now() - MAX_AGE - datetime.timedelta(minutes=1)
    row.save()
    assert v(balance(scene.world.centre, today=TODAY), "who5_mean").value == Decimal("70.00")
    row = StoredFigures.objects.get(scope=scene.world.centre.pk, half_start=H2.start)
    row.values["who5_mean"][0] = "12.34"
    row.save()
    assert v(balance(scene.world.centre, today=TODAY, use_stored=False), "who5_mean").value == Decimal("70.00")


def test_the_refresh_command_counts_every_scope(scene):
    from django.core.management import call_command

    from roret.balance.models import StoredFigures

    call_command("balance_refresh", verbosity=0)
    assert set(StoredFigures.objects.values_list("scope", flat=True)) == {0, scene.world.centre.pk,
                                                                          scene.world.other_centre.pk}
