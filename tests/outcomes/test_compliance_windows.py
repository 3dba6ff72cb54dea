"""The compliance rules' windows are computed in SQL around each row's own day (``ShiftDays``):
their edges hold on SQLite and PostgreSQL alike, to the day."""

import datetime

import pytest

from roret.outcomes import queries, services
from roret.outcomes.models import FollowUp
from tests.outcomes.test_lists import DAY, _placed
from tests.visitation.helpers import TODAY


def _reasons(world):
    return {(r["citizen"].pk, r["reason"]) for r in queries.measurement_compliance(world.users["caseworker"], TODAY)}


@pytest.mark.parametrize(("offset", "missing"), [(-31, True), (-30, False), (60, False), (61, True)])
def test_a_move_in_counts_a_measurement_from_30_days_before_to_60_after(world, offset, missing):
    start = TODAY - 100 * DAY
    decision, placement = _placed(world, world.residential, start)
    services.record_measurement(decision.citizen, "WHO-5", [3, 3, 3, 3, 3], actor=world.users["caseworker"],
                                measured_on=start + offset * DAY, occasion="move_in", placement=placement)
    assert ((decision.citizen_id, "move_in") in _reasons(world)) is missing


@pytest.mark.parametrize(("before", "missing"), [(91, True), (90, False), (0, False)])
def test_a_follow_up_counts_a_measurement_from_90_days_before_it(world, before, missing):
    decision, placement = _placed(world, world.residential, TODAY - 100 * DAY)
    due_on = FollowUp.objects.get(citizen=decision.citizen, held_on__isnull=True).due_on
    assert due_on <= TODAY + datetime.timedelta(days=30)
    day = min(due_on - before * DAY, TODAY)
    services.record_measurement(decision.citizen, "WHO-5", [3, 3, 3, 3, 3], actor=world.users["caseworker"],
                                measured_on=day, occasion="follow_up")
    assert ((decision.citizen_id, "follow_up") in _reasons(world)) is missing
