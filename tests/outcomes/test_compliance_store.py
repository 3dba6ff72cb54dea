"""The stored quality-of-life compliance list (roret.outcomes.compliance) answers as its rules do,
for every day from its build on, and stays so through the writes that change the rules' inputs."""

import datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roret.journal import corrections
from roret.outcomes import compliance, queries, services
from roret.outcomes.models import ComplianceStale, FollowUp, Measurement, MissingMeasurement
from roret.placements.services import end_placement
from tests.factories import committed
from tests.visitation.helpers import TODAY

DAY = datetime.timedelta(days=1)
DAYS = [TODAY + n * DAY for n in (0, 1, 29, 31, 59, 61, 90, 200, 366, 500)]


def _agree(days=DAYS):
    for day in days:
        assert compliance.current(day)
        assert compliance.differences(day) == [], day


def _reasons(user, day=TODAY):
    return {(r.citizen_id, r.reason) for r in queries.missing_rows(user, day)}


def test_writes_through_the_services_keep_the_stored_list_as_the_rules_say(world, settings):
    settings.RORET = {**settings.RORET, "EXPENSIVE_CASE_THRESHOLD": 1_000_000}
    cw = world.users["caseworker"]
    moved = world.place(world.citizen(last_name="Flyt"), world.residential, start=TODAY - 20 * DAY)
    old = world.place(world.citizen(last_name="Gammel"), world.residential, start=TODAY - 100 * DAY)
    costly = world.place(world.citizen(last_name="Dyr"), world.external, start=TODAY - 200 * DAY,
                         agreed_amount=Decimal("3000.00"), external_reason="specialised")
    for placement in (old, costly):
        services.schedule_follow_up(placement.grant, TODAY + 10 * DAY, actor=cw)
    compliance.rebuild(TODAY)
    _agree()
    assert {(moved.citizen_id, "move_in"), (old.citizen_id, "move_in"), (old.citizen_id, "follow_up"),
            (costly.citizen_id, "expensive")} <= _reasons(cw)

    with committed():  # a measurement at the move-in: the move-in row goes, after the commit
        services.record_measurement(moved.citizen, "WHO-5", [3, 3, 3, 3, 3], actor=cw, measured_on=moved.start,
                                    occasion="move_in", placement=moved)
    assert not ComplianceStale.objects.exists()
    assert (moved.citizen_id, "move_in") not in {(r.citizen_id, r.reason) for r in MissingMeasurement.objects.all()}
    with committed():  # the old placement's move-in corrected to a day that has a measurement
        services.record_measurement(old.citizen, "WHO-5", [2, 2, 2, 2, 2], actor=cw, measured_on=TODAY - 10 * DAY,
                                    occasion="other")
        corrections.correct_placement(old, actor=cw, reason="Forkert dato", start=TODAY - 40 * DAY)
    with committed():
        end_placement(costly, TODAY + 45 * DAY, "goal_achieved", actor=cw)
    _agree()
    reasons = _reasons(cw)
    assert (old.citizen_id, "move_in") not in reasons and (old.citizen_id, "follow_up") not in reasons

    # The follow-up held: its row goes; a measurement of an expensive case goes on the next ask.
    follow_up = FollowUp.objects.get(citizen_id=costly.citizen_id, held_on__isnull=True)
    assert (costly.citizen_id, "follow_up") in _reasons(cw)
    with committed():
        services.hold_follow_up(follow_up, actor=cw, held_on=TODAY, outcome="continue", notes="")
    assert (costly.citizen_id, "follow_up") not in _reasons(cw)
    services.record_measurement(costly.citizen, "WHO-5", [4, 4, 4, 4, 4], actor=cw, occasion="expensive")
    assert ComplianceStale.objects.exists()  # no commit in the test's transaction: the page works it off
    assert (costly.citizen_id, "expensive") not in _reasons(cw)
    assert not ComplianceStale.objects.exists()
    _agree()


def test_a_day_before_the_build_is_answered_by_the_rules(world):
    cw = world.users["caseworker"]
    placement = world.place(world.citizen(), world.residential, start=TODAY - 20 * DAY)
    compliance.rebuild(TODAY)
    rows = queries.missing_rows(cw, TODAY - 5 * DAY)
    assert isinstance(rows, list) and {(r["citizen_id"], r["reason"]) for r in rows} == {
        (placement.citizen_id, "move_in")}


def test_the_page_lists_the_stored_rows_filtered_and_sorted_in_the_database(world, client):
    cw = world.users["caseworker"]
    for name, days in (("Aa", 10), ("Bb", 30), ("Cc", 20)):
        world.place(world.citizen(last_name=name), world.residential, start=TODAY - days * DAY,
                    over_occupancy_reason="Akut")
    client.force_login(cw)
    page = client.get("/outcomes/compliance/?reason=move_in&sort=citizen")
    assert page.status_code == 200
    assert [r["citizen"].last_name for r in page.context["rows"]] == ["Aa", "Bb", "Cc"]
    assert [r["citizen"].last_name for r in client.get("/outcomes/compliance/?reason=move_in").context["rows"]] == [
        "Bb", "Cc", "Aa"]  # the earliest move-in first
    assert client.get("/outcomes/compliance/?reason=expensive").context["total"] == 0
    # The count comes with the page (a window); a page past the end is counted and shows the last.
    past = client.get("/outcomes/compliance/?reason=move_in&page=99").context["page"]
    assert (past.number, past.pages, past.total, len(past.rows)) == (1, 1, 3, 3)
    # A caseworker of another team sees none of them.
    assert not _reasons(world.users["outsider"])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(-500, 40), st.one_of(st.none(), st.integers(1, 400)), st.booleans(),
                          st.lists(st.integers(-120, 120), max_size=3), st.one_of(st.none(), st.integers(-60, 200))),
                min_size=1, max_size=5),
       st.lists(st.integers(0, 420), min_size=1, max_size=4))
def test_the_stored_list_agrees_with_the_rules_for_random_histories_and_days(world, histories, asked):
    """Placements (residential or not, open or ended), measurements around them and follow-ups,
    some held, and then the days asked: the store answers each day as the rules do."""
    from django.db import transaction

    cw = world.users["caseworker"]
    with transaction.atomic():
        for start, length, residential, measured, due in histories:
            start_day = TODAY + start * DAY
            offer = world.residential if residential else world.day_offer
            placement = world.place(world.citizen(), offer, start=start_day,
                                    end=start_day + length * DAY if length is not None else None,
                                    over_occupancy_reason="Akut")
            for offset in measured:
                Measurement.objects.create(citizen_id=placement.citizen_id, instrument="WHO-5",
                                           measured_on=start_day + offset * DAY, answers=[3] * 5, raw=15,
                                           score=60, band="ok", occasion="other")
            if due is not None:
                services.schedule_follow_up(placement.grant, TODAY + due * DAY, actor=cw)
        compliance.rebuild(TODAY)
        _agree([TODAY + n * DAY for n in asked])
        transaction.set_rollback(True)


def test_a_re_costing_moves_a_citizen_out_of_the_expensive_cases_on_the_next_ask(world, settings):
    settings.RORET = {**settings.RORET, "EXPENSIVE_CASE_THRESHOLD": 1_000_000}
    cw = world.users["caseworker"]
    costly = world.place(world.citizen(last_name="Dyr"), world.external, start=TODAY - 200 * DAY,
                         agreed_amount=Decimal("3000.00"), external_reason="specialised")
    compliance.rebuild(TODAY)
    assert (costly.citizen_id, "expensive") in _reasons(cw)
    with committed():  # 1,000 kr. a day from today: 365,000 kr. over the coming year, below the threshold
        services.renegotiate_tariff(costly, actor=cw, new_amount=Decimal("1000.00"), valid_from=TODAY)
    assert (costly.citizen_id, "expensive") not in _reasons(cw)
    _agree([TODAY])


def test_marks_are_worked_off_a_batch_at_a_time(world, monkeypatch):
    """More marks than a batch (an import through the services marks tens of thousands): every
    citizen is worked out, in several transactions, and no mark is left."""
    cw = world.users["caseworker"]
    placements = [world.place(world.citizen(last_name=f"Borger{n}"), world.residential, start=TODAY - n * DAY,
                              over_occupancy_reason="Akut") for n in range(1, 6)]
    compliance.rebuild(TODAY)
    MissingMeasurement.objects.all().delete()  # as if the rows were never worked out
    compliance.mark([p.citizen_id for p in placements])
    monkeypatch.setattr(compliance, "BATCH", 2)
    assert compliance.refresh_pending() == 5
    assert not ComplianceStale.objects.exists()
    assert {(p.citizen_id, "move_in") for p in placements} <= _reasons(cw)
    _agree([TODAY])
