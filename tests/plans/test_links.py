"""A caseworker links the event they make to an initiative, on the case-flow pages: placing from a
decision, a renegotiation at a follow-up, a move to elderly care. The link is written through the
effect service (audited) and the event then counts for that initiative only."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from roret.core.models import AuditAction
from roret.placements import services as placement_services
from roret.placements.models import EndReason, Placement
from roret.plans import effect_services
from roret.plans.effects import realised_for_plan
from roret.plans.models import EffectKind, EffectLink, LinkedAction
from roret.visitation import services as visitation
from tests.factories import PASSWORD, committed
from tests.plans.helpers import initiative, make_plan
from tests.visitation import helpers

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def plan(world):
    plan = make_plan([{"track": "1", "initiative": "Genforhandling", "effect": [-1, -1, -1]},
                      {"track": "2", "initiative": "Hjemtagning", "effect": [-1, -1, -1]},
                      {"track": "3", "initiative": "Livsfaser", "effect": [-1, -1, -1]}],
                     years=[TODAY.year - 1, TODAY.year, TODAY.year + 1])
    # A rule on another initiative too, so the link (not the rule) decides where the event counts.
    effect_services.add_rule(initiative(plan, "Genforhandling"), EffectKind.ELDERLY_CARE, actor=None)
    effect_services.add_rule(initiative(plan, "Livsfaser"), EffectKind.ELDERLY_CARE, actor=None)
    return plan


@pytest.fixture
def cw_client(client, world):
    assert client.login(username="caseworker", password=PASSWORD)
    return client


def test_a_move_to_elderly_care_is_linked_on_the_page(world, plan, cw_client, assert_audited):
    citizen = world.citizen(birth=datetime.date(1950, 1, 1))
    placement = world.place(citizen, world.residential, start=TODAY - 400 * DAY)
    livsfaser = initiative(plan, "Livsfaser")
    with committed():
        response = cw_client.post(reverse("visitation:elderly_care", args=[citizen.pk]),
                                  {"on": TODAY.isoformat(), "initiative": str(livsfaser.pk)})
    assert response.status_code == 302
    link = EffectLink.objects.get()
    assert (link.initiative, link.action, link.placement_id) == (livsfaser, LinkedAction.ENDED_PLACEMENT, placement.pk)
    assert_audited(AuditAction.CREATE, world.users["caseworker"], citizen=citizen, obj=link)
    realised = realised_for_plan(plan, TODAY.year, today=TODAY)
    # Linked to Livsfaser: counted there, not for the earlier initiative whose rule also matches.
    assert [e.kind for e in realised[livsfaser.pk].events] == [EffectKind.ELDERLY_CARE]
    assert realised[initiative(plan, "Genforhandling").pk].events == []


def test_an_unknown_initiative_on_the_page_changes_nothing(world, plan, cw_client):
    citizen = world.citizen(birth=datetime.date(1950, 1, 1))
    world.place(citizen, world.residential, start=TODAY - 400 * DAY)
    response = cw_client.post(reverse("visitation:elderly_care", args=[citizen.pk]),
                              {"on": TODAY.isoformat(), "initiative": "999999"})
    assert response.status_code == 200
    assert not EffectLink.objects.exists()
    assert Placement.objects.get(citizen=citizen).end is None  # the move itself was rolled back


def test_a_placement_brought_home_is_linked_when_placed_from_the_decision(world, plan, cw_client):
    decision = helpers.granted(world, offer=world.residential, start=TODAY - 10 * DAY)
    citizen = decision.citizen
    # The citizen lived externally until the day the own place starts.
    away = world.place(citizen, world.external, start=TODAY - 400 * DAY)
    with committed():
        placement_services.end_placement(away, TODAY - 10 * DAY, EndReason.MOVED_OFFER, actor=world.users["caseworker"])
    home = initiative(plan, "Hjemtagning")
    with committed():
        response = cw_client.post(reverse("visitation:decision", args=[decision.pk]),
                                  {"offer": world.residential.pk, "start": (TODAY - 10 * DAY).isoformat(),
                                   "initiative": str(home.pk)})
    assert response.status_code == 302, response.content.decode()[:2000]
    new = Placement.objects.get(citizen=citizen, offer=world.residential)
    link = EffectLink.objects.get()
    assert (link.action, link.placement_id, link.initiative) == (LinkedAction.NEW_PLACEMENT, new.pk, home)
    moved = TODAY - 10 * DAY
    [event] = realised_for_plan(plan, moved.year, today=TODAY)[home.pk].events
    assert event.kind == EffectKind.BROUGHT_HOME and event.linked
    # From the move to the year's end, at 3,100 against 2,250 kr. a day: (2,250 - 3,100) a day.
    days = (datetime.date(moved.year + 1, 1, 1) - moved).days
    assert event.this_year == Decimal(-850 * days).quantize(Decimal("0.01"))


def test_a_renegotiation_at_a_follow_up_is_linked(world, plan, cw_client):
    decision = helpers.granted(world, offer=world.external, start=TODAY - 100 * DAY)
    placement = visitation.place_from_decision(decision, world.external, decision.start,
                                               actor=world.users["caseworker"], agreed_amount=Decimal("3000.00"),
                                               external_reason="specialised")
    follow_up = decision.grant.follow_ups.get(held_on=None)
    contracts = initiative(plan, "Genforhandling")
    with committed():
        response = cw_client.post(reverse("outcomes:follow_up", args=[follow_up.pk]), {
            "held_on": TODAY.isoformat(), "outcome": "change", "need_fallen": "on", "new_tariff": "2800",
            "tariff_from": TODAY.isoformat(), "renegotiation_initiative": str(contracts.pk)})
    assert response.status_code == 302, response.content.decode()[:3000]
    link = EffectLink.objects.get()
    assert link.renegotiation.placement == placement and link.initiative == contracts
    [event] = realised_for_plan(plan, TODAY.year, today=TODAY)[contracts.pk].events
    assert event.kind == EffectKind.RENEGOTIATION
    # 200 kr. a day less from today to the year's end; 365 * 200 a full year.
    days = (datetime.date(TODAY.year + 1, 1, 1) - TODAY).days
    assert event.this_year == Decimal(-200 * days).quantize(Decimal("0.01"))
    assert event.full_year == Decimal("-73000.00")
