"""Follow-ups due and the quality-of-life compliance list, per caseworker's team and per centre."""

import datetime
import re
from decimal import Decimal

from roret.citizens.models import Citizen
from roret.outcomes import queries, services
from roret.visitation import services as visitation
from tests.factories import committed
from tests.visitation import helpers
from tests.visitation.helpers import TODAY

DAY = datetime.timedelta(days=1)


def _placed(world, offer, start, **extra):
    decision = helpers.granted(world, offer=offer, start=start)
    with committed():  # the placement's cost, refreshed after the commit
        return decision, visitation.place_from_decision(decision, offer, start, actor=world.users["caseworker"],
                                                        **extra)


def test_follow_ups_due_and_overdue_per_team_and_per_centre(world):
    overdue, _p = _placed(world, world.residential, TODAY - 120 * DAY)     # residential: due after 3 months
    external, _p = _placed(world, world.external, TODAY - 80 * DAY, external_reason="no_vacancy")  # due in ~10 days
    later = helpers.granted(world, offer=world.day_offer, start=TODAY - 10 * DAY)   # due in a year
    rows = {f.grant_id: f for f in queries.follow_ups_due(world.users["caseworker"], TODAY)}
    assert set(rows) == {overdue.grant_id, external.grant_id}
    assert rows[overdue.grant_id].overdue and not rows[external.grant_id].overdue
    assert later.grant_id not in rows
    # Centre staff see only the citizens placed in their centre's offers.
    centre = {f.grant_id for f in queries.follow_ups_due(world.users["centre_staff"], TODAY)}
    assert centre == {overdue.grant_id}
    assert queries.follow_ups_due(world.users["outsider"], TODAY) == []


def test_compliance_lists_who_lacks_a_measurement_at_move_in_before_follow_up_and_when_expensive(world, settings):
    settings.RORET = {**settings.RORET, "EXPENSIVE_CASE_THRESHOLD": 1_000_000}
    moved_in, placement = _placed(world, world.residential, TODAY - 20 * DAY)
    expensive, _p = _placed(world, world.external, TODAY - 200 * DAY, agreed_amount=Decimal("3000.00"),
                            external_reason="specialised")
    cw = world.users["caseworker"]
    rows = queries.measurement_compliance(cw, TODAY)
    reasons = {(r["citizen"].pk, r["reason"]) for r in rows}
    assert (moved_in.citizen_id, "move_in") in reasons
    # 3000 kr. a day is 1,095,000 kr. a year: above the threshold and never measured.
    assert (expensive.citizen_id, "expensive") in reasons
    scope = Citizen.objects.restrict(cw, "view").values_list("pk", flat=True)
    assert queries.expensive_in_coming_year(scope, TODAY) == {expensive.citizen_id: Decimal("1095000.00")}
    services.record_measurement(moved_in.citizen, "WHO-5", [3, 3, 3, 3, 3], actor=cw, measured_on=placement.start,
                                occasion="move_in", placement=placement)
    services.record_measurement(expensive.citizen, "WHO-5", [2, 2, 2, 2, 2], actor=cw, occasion="expensive")
    reasons = {(r["citizen"].pk, r["reason"]) for r in queries.measurement_compliance(cw, TODAY)}
    assert (moved_in.citizen_id, "move_in") not in reasons
    assert (expensive.citizen_id, "expensive") not in reasons
    # The external placement's follow-up is due within 30 days; the measurement of today counts.
    assert (expensive.citizen_id, "follow_up") not in reasons


def test_a_measurement_is_due_before_a_follow_up(world):
    decision, _p = _placed(world, world.residential, TODAY - 100 * DAY)
    cw = world.users["caseworker"]
    services.record_measurement(decision.citizen, "WHO-5", [3, 3, 3, 3, 3], actor=cw, measured_on=TODAY - 100 * DAY,
                                occasion="move_in")
    reasons = {r["reason"] for r in queries.measurement_compliance(cw, TODAY) if r["citizen"].pk == decision.citizen_id}
    assert reasons == {"follow_up"}


def test_the_follow_ups_due_page_lists_the_oldest_first_and_says_how_many_it_left_out(world, client, monkeypatch):
    import dataclasses

    from roret.outcomes import lists

    monkeypatch.setattr(lists, "DUE", dataclasses.replace(lists.DUE, per_page=2))
    cw = world.users["caseworker"]
    for days in (3, 2, 1):
        placement = world.place(world.citizen(last_name=f"Borger{days}"), world.day_offer)
        services.schedule_follow_up(placement.grant, TODAY - days * DAY, actor=cw)
    client.force_login(cw)
    page = client.get("/outcomes/follow-ups/").content.decode()
    assert len(re.findall(r'href="/outcomes/follow-ups/\d+/"', page)) == 2
    assert "Borger3" in page and "Borger2" in page and "Borger1" not in page
    assert "1-2 af 3" in page and 'id="due-counts"' in page


def test_the_compliance_page_lists_the_earliest_says_how_many_and_its_queries_do_not_grow(world, client, monkeypatch):
    import dataclasses

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from roret.outcomes import compliance, lists

    monkeypatch.setattr(lists, "COMPLIANCE", dataclasses.replace(lists.COMPLIANCE, per_page=2))
    cw = world.users["caseworker"]
    made = []

    def add(n):
        for _ in range(n):
            days = len(made) + 1
            placement = world.place(world.citizen(last_name=f"Borger{days}"), world.day_offer)
            services.schedule_follow_up(placement.grant, TODAY - days * DAY, actor=cw)  # due, never measured
            made.append(placement.citizen_id)

    def get():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/outcomes/compliance/")
        assert response.status_code == 200
        return response, len(ctx.captured_queries)

    client.force_login(cw)
    compliance.rebuild(TODAY)  # built once (nightly); then each page works off the citizens changed since
    add(3)
    response, small = get()
    assert [r["citizen"].pk for r in response.context["rows"]] == [made[2], made[1]]  # the earliest due first
    assert response.context["total"] == 3 and "1-2 af 3" in response.content.decode()
    add(5)
    response, large = get()
    assert response.context["total"] == 8 and len(response.context["rows"]) == 2
    assert large == small, f"{small} queries with 3 rows, {large} with 8"
    assert not compliance.ComplianceStale.objects.exists()  # the marks of the new rows were worked off


def test_the_follow_ups_due_page_and_the_overview_use_the_same_number_of_queries_for_more_rows(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cw = world.users["caseworker"]
    made = []

    def add(n):
        for _ in range(n):
            days = len(made) + 1
            placement = world.place(world.citizen(last_name=f"Borger{days}"), world.day_offer)
            services.schedule_follow_up(placement.grant, TODAY + (days if days % 2 else -days) * DAY, actor=cw)
            made.append(placement)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    client.force_login(cw)
    add(2)
    small = {url: count(url) for url in ("/outcomes/follow-ups/", "/")}
    add(6)
    large = {url: count(url) for url in ("/outcomes/follow-ups/", "/")}
    assert large == small, f"{small} queries with 2 follow-ups, {large} with 8"
