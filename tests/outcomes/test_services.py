"""Goals, action plans, measurements, follow-ups and tariff renegotiations."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from roret.core.models import AuditEntry
from roret.core.periods import add_months_clamped
from roret.core.permissions import NotInScope
from roret.outcomes import queries, services
from roret.outcomes.models import FollowUp, Goal, Measurement, TariffRenegotiation
from roret.placements.models import PlacementTariff
from roret.visitation import services as visitation
from tests.visitation import helpers
from tests.visitation.helpers import TODAY, term

DAY = datetime.timedelta(days=1)


@pytest.fixture
def placed(world):
    """A citizen granted and placed in the external temporary residential offer 100 days ago."""
    decision = helpers.granted(world, offer=world.external, start=TODAY - 100 * DAY)
    placement = visitation.place_from_decision(decision, world.external, decision.start,
                                               actor=world.users["caseworker"], agreed_amount=Decimal("3000.00"),
                                               external_reason="specialised")
    return decision, placement


def test_centre_staff_record_goals_steps_and_measurements_for_citizens_placed_in_their_centre(world, assert_audited):
    citizen = world.citizen()
    world.place(citizen, world.residential, start=TODAY - 30 * DAY)
    staff = world.users["centre_staff"]
    goal = services.add_goal(citizen, actor=staff, goal_type=term("Udvikle funktionsevne"),
                             theme=term("Lave mad"), own_words="Jeg vil lave aftensmad selv to gange om ugen",
                             target_date=TODAY + 180 * DAY)
    step = services.add_step(goal, actor=staff, what="Madlavning med kontaktperson hver tirsdag", who="Kontaktperson",
                             due_on=TODAY + 30 * DAY)
    measurement = services.record_measurement(citizen, "WHO-5", [2, 2, 1, 3, 2], actor=staff, occasion="move_in")
    assert (measurement.raw, measurement.score, measurement.band, measurement.flagged_items) == (10, 40, "at_risk", [3])
    for obj in (goal, step, measurement):
        assert_audited("create", staff, citizen=citizen, obj=obj)
    with pytest.raises(NotInScope):
        services.add_goal(citizen, actor=world.users["outsider"], goal_type=term("Udvikle funktionsevne"),
                          theme=term("Lave mad"), own_words="x", target_date=TODAY + DAY)


def test_a_goal_needs_type_theme_own_words_and_a_future_target(world):
    citizen = world.citizen()
    cw = world.users["caseworker"]
    with pytest.raises(ValidationError, match="goal type"):
        services.add_goal(citizen, actor=cw, goal_type=term("Lave mad"), theme=term("Lave mad"), own_words="x",
                          target_date=TODAY + DAY)
    with pytest.raises(ValidationError, match="own words"):
        services.add_goal(citizen, actor=cw, goal_type=term("Fastholde funktionsevne"), theme=term("Lave mad"),
                          own_words=" ", target_date=TODAY + DAY)
    with pytest.raises(ValidationError, match="target date"):
        services.add_goal(citizen, actor=cw, goal_type=term("Fastholde funktionsevne"), theme=term("Lave mad"),
                          own_words="Lave mad", target_date=TODAY)
    assert not Goal.objects.exists()


def test_who5_with_six_answers_is_refused_and_stores_nothing(world):
    citizen = world.citizen()
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as info:
        services.record_measurement(citizen, "WHO-5", [3, 4, 2, 5, 1, 2], actor=world.users["caseworker"])
    assert "WHO-5" in info.value.message_dict["answers"][0]
    assert not Measurement.objects.exists() and AuditEntry.objects.count() == audits


def test_a_follow_up_before_the_placement_starts_is_refused_and_changes_nothing(world, placed):
    decision, placement = placed
    follow_up = decision.grant.follow_ups.get(held_on=None)
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as info:
        services.hold_follow_up(follow_up, actor=world.users["caseworker"], held_on=placement.start - DAY,
                                outcome="continue", who5_answers=[3, 3, 3, 3, 3])
    assert "placement starts" in info.value.message_dict["held_on"][0]
    follow_up.refresh_from_db()
    assert follow_up.held_on is None and not Measurement.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_a_follow_up_records_progress_measurement_outcome_and_schedules_the_next(world, placed, assert_audited):
    decision, placement = placed
    cw = world.users["caseworker"]
    citizen = decision.citizen
    goal = services.add_goal(citizen, actor=cw, goal_type=term("Udvikle funktionsevne"), theme=term("Købe ind"),
                             own_words="Handle ind selv", target_date=TODAY + 90 * DAY, grant=decision.grant)
    services.record_measurement(citizen, "WHO-5", [2, 2, 2, 2, 2], actor=cw, measured_on=placement.start,
                                occasion="move_in", placement=placement)
    follow_up = decision.grant.follow_ups.get(held_on=None)
    held = services.hold_follow_up(follow_up, actor=cw, held_on=TODAY, outcome="continue", notes="Går godt",
                                   goal_progress={goal.pk: ("achieved", "Handler selv")},
                                   who5_answers=[3, 3, 3, 3, 3], support_need=term("Moderat støttebehov"))
    assert held.ffb_outcome == "Træf afgørelse om fortsættelse af indsats"
    goal.refresh_from_db()
    assert goal.status == "achieved"
    rows = services.compare(list(Measurement.objects.filter(citizen=citizen).order_by("measured_on")))
    assert rows[1]["change"].delta == 20 and rows[1]["change"].meaningful
    nxt = FollowUp.objects.get(grant=decision.grant, held_on=None)
    assert nxt.due_on == add_months_clamped(TODAY, 12)
    assert_audited("change", cw, citizen=citizen, obj=held)
    assert queries.latest_measurement([citizen.pk]) == {citizen.pk: (TODAY, 60)}
    with pytest.raises(ValidationError, match="already held"):
        services.hold_follow_up(held, actor=cw, held_on=TODAY, outcome="continue")


def test_a_fallen_need_renegotiates_the_external_tariff_and_computes_the_yearly_saving(world, placed):
    decision, placement = placed
    cw = world.users["caseworker"]
    follow_up = decision.grant.follow_ups.get(held_on=None)
    with pytest.raises(ValidationError, match="need has fallen"):
        services.hold_follow_up(follow_up, actor=cw, held_on=TODAY, outcome="change",
                                renegotiation={"new_amount": Decimal("2600.00"), "valid_from": TODAY})
    services.hold_follow_up(follow_up, actor=cw, held_on=TODAY, outcome="change", need_fallen=True,
                            support_need=term("Moderat støttebehov"),
                            renegotiation={"new_amount": Decimal("2600.00"), "valid_from": TODAY})
    row = TariffRenegotiation.objects.get()
    assert (row.old_amount, row.new_amount) == (Decimal("3000.00"), Decimal("2600.00"))
    assert row.yearly_saving == Decimal("146000.00")       # 400 kr. a day x 365 days
    assert PlacementTariff.objects.filter(placement=placement, valid_from=TODAY, amount=Decimal("2600.00")).exists()
    assert services.current_tariff(placement, TODAY)[0] == Decimal("2600.00")


def test_own_offers_and_higher_tariffs_are_not_renegotiated(world, placed):
    decision, placement = placed
    cw = world.users["caseworker"]
    with pytest.raises(ValidationError, match="below the current"):
        services.renegotiate_tariff(placement, actor=cw, new_amount=Decimal("3100"), valid_from=TODAY)
    own = world.place(world.citizen(), world.residential, start=TODAY - 10 * DAY)
    with pytest.raises(ValidationError, match="external"):
        services.renegotiate_tariff(own, actor=cw, new_amount=Decimal("100"), valid_from=TODAY)
    assert not TariffRenegotiation.objects.exists()


def test_yearly_amounts_per_tariff_unit():
    assert services.yearly_amount(Decimal("100"), "day") == Decimal("36500.00")
    assert services.yearly_amount(Decimal("1000"), "month") == Decimal("12000.00")
    assert services.yearly_amount(Decimal("400"), "hour", Decimal("5")) == Decimal("104285.71")   # 400 x 5 x 365/7
    with pytest.raises(ValidationError):
        services.yearly_amount(Decimal("400"), "hour")


def test_latest_measurement_takes_the_newest_per_citizen_in_one_query(world, django_assert_num_queries):
    a, b, c = world.citizen(), world.citizen(), world.citizen()
    cw = world.users["caseworker"]
    services.record_measurement(a, "WHO-5", [1, 1, 1, 1, 1], actor=cw, measured_on=TODAY - 40 * DAY)
    services.record_measurement(a, "WHO-5", [4, 4, 4, 4, 4], actor=cw, measured_on=TODAY - 5 * DAY)
    services.record_measurement(b, "WHO-5", [2, 2, 2, 2, 2], actor=cw, measured_on=TODAY - 9 * DAY)
    with django_assert_num_queries(1):
        latest = queries.latest_measurement([a.pk, b.pk, c.pk])
    assert latest == {a.pk: (TODAY - 5 * DAY, 80), b.pk: (TODAY - 9 * DAY, 40)}
    assert queries.latest_measurement([a.pk], on=TODAY - 10 * DAY) == {a.pk: (TODAY - 40 * DAY, 20)}


def test_a_follow_up_that_ends_the_grant_ends_its_placements_and_schedules_nothing(world, placed, assert_audited):
    decision, placement = placed
    cw = world.users["caseworker"]
    follow_up = decision.grant.follow_ups.get(held_on=None)
    with pytest.raises(ValidationError, match="end reason"):
        services.hold_follow_up(follow_up, actor=cw, held_on=TODAY, outcome="end_refer", end_on=TODAY + 30 * DAY)
    with pytest.raises(ValidationError, match="ends the grant"):
        services.hold_follow_up(follow_up, actor=cw, held_on=TODAY, outcome="continue", end_on=TODAY + 30 * DAY)
    services.hold_follow_up(follow_up, actor=cw, held_on=TODAY, outcome="end_refer", end_on=TODAY + 30 * DAY,
                            end_reason="goal_achieved")
    placement.refresh_from_db()
    decision.grant.refresh_from_db()
    assert (placement.end, placement.end_reason) == (TODAY + 30 * DAY, "goal_achieved")
    assert decision.grant.end == TODAY + 30 * DAY
    assert not FollowUp.objects.filter(grant=decision.grant, held_on=None).exists()
    assert_audited("change", cw, citizen=decision.citizen, obj=decision.grant)
