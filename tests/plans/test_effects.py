"""Realised effects traced to the case record: events made through the case-flow services show up as
realised effects of the initiatives they are linked to, with this year's and the full-year amounts
computed by hand here, and every event reconciles to the øre with the cost engine."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from roret.core.models import AuditAction
from roret.core.permissions import NotInScope
from roret.economy import engine
from roret.outcomes.services import renegotiate_tariff
from roret.placements import services as placement_services
from roret.placements.models import EndReason, ExternalReason, Placement
from roret.plans import effect_services
from roret.plans.effects import REPLACEMENT_WINDOW_DAYS, events_in_year, realised_for_plan
from roret.plans.models import EffectKind, LinkedAction
from roret.visitation.services import move_to_elderly_care
from tests.factories import committed
from tests.plans.helpers import initiative, make_plan

D = datetime.date
YEAR = 2025
TODAY = D(2025, 12, 31)

ROWS = [
    {"track": "1", "initiative": "Genforhandling af eksterne kontrakter", "effect": [-100000, -150000]},
    {"track": "2", "initiative": "Alternative løsninger", "effect": [-150000, -250000]},
    {"track": "3", "initiative": "Livsfaser (ældreområdet)", "effect": [-250000, -500000]},
    {"track": "4", "initiative": "Hjem fra eksterne tilbud", "investment": [50000, 0], "effect": [-50000, -300000]},
]


@pytest.fixture
def plan(world):
    return make_plan(ROWS)


@pytest.fixture
def case(world, plan):
    """The four kinds of event, each made through the case-flow services in 2025."""
    cw = world.users["caseworker"]
    external_month = world.offer("Ekstern månedstakst", "SEL107", places=0, tariff="93000.00", unit="month",
                                 provider=world.external_provider, offer_type="Midlertidigt botilbud til voksne")
    cheaper = world.offer("Alternativt bosted", "SEL107", places=0, tariff="2500.00",
                          provider=world.external_provider, offer_type="Midlertidigt botilbud til voksne")
    out = {}
    # A renegotiation: 93,000 kr. a month down to 86,800 kr. from 15 March 2025.
    c1 = world.citizen(first_name="Rene")
    out["renegotiated"] = world.place(c1, external_month, start=D(2024, 1, 1))
    with committed():
        out["renegotiation"] = renegotiate_tariff(out["renegotiated"], actor=cw, new_amount=Decimal("86800.00"),
                                                  valid_from=D(2025, 3, 15))
    # An alternative solution: 3,100 kr. a day ends 1 May 2025, 2,500 kr. a day from 5 May (4 days later).
    c2 = world.citizen(first_name="Alma")
    out["old"] = world.place(c2, world.external, start=D(2024, 1, 1))
    with committed():
        placement_services.end_placement(out["old"], D(2025, 5, 1), EndReason.MOVED_OFFER, actor=cw)
        grant = world.grant(c2, cheaper, start=D(2025, 5, 5))
        out["new"] = placement_services.start_placement(grant, cheaper, D(2025, 5, 5), actor=cw,
                                                        external_reason=ExternalReason.SPECIALISED)
    # A move to elderly care: 2,250 kr. a day in the own residential offer, ended 1 September 2025.
    c3 = world.citizen(first_name="Elna", birth=D(1955, 3, 1))
    out["elderly"] = world.place(c3, world.residential, start=D(2024, 1, 1))
    with committed():
        move_to_elderly_care(c3, actor=cw, on=D(2025, 9, 1))
    # Brought home: 3,100 kr. a day external ends 1 October 2025; the own offer (2,250) from that day.
    c4 = world.citizen(first_name="Holger")
    out["away"] = world.place(c4, world.external, start=D(2024, 1, 1))
    with committed():
        placement_services.end_placement(out["away"], D(2025, 10, 1), EndReason.MOVED_OFFER, actor=cw)
        grant = world.grant(c4, world.residential, start=D(2025, 10, 1))
        out["home"] = placement_services.start_placement(grant, world.residential, D(2025, 10, 1), actor=cw)
    for key in ("renegotiated", "old", "new", "elderly", "away", "home"):
        out[key] = Placement.objects.get(pk=out[key].pk)
    out["citizens"] = [c1, c2, c3, c4]
    return out


def _rules(plan):
    effect_services.add_rule(initiative(plan, "Alternative løsninger"), EffectKind.ALTERNATIVE, actor=None)
    effect_services.add_rule(initiative(plan, "Livsfaser (ældreområdet)"), EffectKind.ELDERLY_CARE, actor=None)
    effect_services.add_rule(initiative(plan, "Hjem fra eksterne tilbud"), EffectKind.BROUGHT_HOME, actor=None)


def _reconcile(event, placements_by_pk):
    """The engine's own cost of what happened and of the counterfactual over the event's days."""
    a, b = event.period_start, event.period_end
    actual = sum((engine.placement_cost(placements_by_pk[pk], a, b) for pk in event.placement_ids), Decimal(0))
    assert event.actual_cost == actual
    assert event.this_year == event.actual_cost - event.counterfactual_cost
    assert event.this_year.as_tuple().exponent == -2  # øre


def test_the_four_kinds_of_event_show_up_as_realised_effects_with_hand_computed_amounts(world, plan, case):
    cw = world.users["caseworker"]
    _rules(plan)
    # The caseworker links the renegotiation to the contracts initiative as they make it.
    effect_services.link_event(initiative(plan, "Genforhandling af eksterne kontrakter"), actor=cw,
                               renegotiation=case["renegotiation"])
    realised = realised_for_plan(plan, YEAR, today=TODAY)
    by_title = {i.title: realised[i.pk] for i in plan.initiatives.all()}
    placements = {p.pk: p for p in Placement.objects.all()}

    # Renegotiation, month tariff: 15-31 March is 17 of 31 days, then April-December 9 whole months.
    # Counterfactual 93,000 * 17/31 + 9 * 93,000 = 51,000 + 837,000 = 888,000.00;
    # actual 86,800 * 17/31 + 9 * 86,800 = 47,600 + 781,200 = 828,800.00; effect -59,200.00.
    # Full year: 12 months at the difference 6,200 = -74,400.00.
    reneg = by_title["Genforhandling af eksterne kontrakter"]
    [event] = reneg.events
    assert event.kind == EffectKind.RENEGOTIATION and event.linked
    assert event.date == D(2025, 3, 15) and event.citizen_id == case["citizens"][0].pk
    assert event.counterfactual_cost == Decimal("888000.00")
    assert event.actual_cost == Decimal("828800.00")
    assert event.this_year == Decimal("-59200.00")
    assert event.full_year == Decimal("-74400.00")
    assert reneg.realised_this_year == Decimal("-59200.00") and reneg.committed_full_year == Decimal("-74400.00")
    assert event.full_year == -case["renegotiation"].yearly_saving  # what the case flow recorded
    _reconcile(event, placements)

    # Alternative: from 1 May (the old placement's end) to 1 January: 31+30+31+31+30+31+30+31 = 245 days.
    # Counterfactual 245 * 3,100 = 759,500.00; actual: the new placement from 5 May, 241 days * 2,500 = 602,500.00.
    # Effect -157,000.00; full year 365 * (2,500 - 3,100) = -219,000.00.
    alt = by_title["Alternative løsninger"]
    [event] = alt.events
    assert event.kind == EffectKind.ALTERNATIVE
    assert event.placement_ids == (case["old"].pk, case["new"].pk)
    assert (event.period_start, event.period_end) == (D(2025, 5, 1), D(2026, 1, 1))
    assert event.counterfactual_cost == Decimal("759500.00")
    assert event.actual_cost == Decimal("602500.00")
    assert event.this_year == Decimal("-157000.00")
    assert event.full_year == Decimal("-219000.00")
    _reconcile(event, placements)

    # Elderly care: 1 September to 1 January = 30+31+30+31 = 122 days at 2,250 = 274,500.00 not spent;
    # full year 365 * 2,250 = 821,250.00.
    old_age = by_title["Livsfaser (ældreområdet)"]
    [event] = old_age.events
    assert event.kind == EffectKind.ELDERLY_CARE and event.placement_ids == (case["elderly"].pk,)
    assert event.counterfactual_cost == Decimal("274500.00") and event.actual_cost == Decimal("0.00")
    assert event.this_year == Decimal("-274500.00")
    assert event.full_year == Decimal("-821250.00")
    _reconcile(event, placements)

    # Brought home: 1 October to 1 January = 31+30+31 = 92 days; 92 * 3,100 = 285,200.00 against
    # 92 * 2,250 = 207,000.00: -78,200.00; full year 365 * (2,250 - 3,100) = -310,250.00; 92 own place-days.
    home = by_title["Hjem fra eksterne tilbud"]
    [event] = home.events
    assert event.kind == EffectKind.BROUGHT_HOME
    assert event.counterfactual_cost == Decimal("285200.00") and event.actual_cost == Decimal("207000.00")
    assert event.this_year == Decimal("-78200.00")
    assert event.full_year == Decimal("-310250.00")
    assert event.own_days == 92 and home.citizens_brought_home == 1 and home.own_days == 92
    assert world.centre.pk in event.centre_ids
    _reconcile(event, placements)

    # The expected effects are the plan's current estimates for the year.
    assert alt.expected == Decimal("-150000.00")
    assert home.expected_investment == Decimal("50000.00")


def test_counterfactual_costs_are_the_engines_cost_of_the_placement_not_ended(world, plan, case):
    """For an ended placement the counterfactual is the engine's cost of the same placement without its end."""
    _rules(plan)
    events = {e.kind: e for e in events_in_year(YEAR, today=TODAY)}
    for kind, key in ((EffectKind.ELDERLY_CARE, "elderly"), (EffectKind.ALTERNATIVE, "old"),
                      (EffectKind.BROUGHT_HOME, "away")):
        event, placement = events[kind], case[key]
        rows, hours = engine.placement_rows(placement)
        expected = engine.to_kroner(engine.cost_ore(placement.start, None, rows, event.period_start,
                                                     event.period_end, hours))
        assert event.counterfactual_cost == expected


def test_a_linked_event_counts_once_for_its_linked_initiative_only(world, plan, case):
    cw = world.users["caseworker"]
    _rules(plan)
    # A second rule matching the elderly move, on another initiative, before it in the plan's order.
    effect_services.add_rule(initiative(plan, "Genforhandling af eksterne kontrakter"), EffectKind.ELDERLY_CARE,
                             actor=None)
    realised = realised_for_plan(plan, YEAR, today=TODAY)
    contracts, old_age = initiative(plan, "Genforhandling af eksterne kontrakter"), initiative(plan, "Livsfaser (ældreområdet)")
    # Unlinked: the first initiative in the plan's order whose rule matches, only.
    assert [e.kind for e in realised[contracts.pk].events] == [EffectKind.ELDERLY_CARE]
    assert realised[old_age.pk].events == []
    # Linked by the caseworker to the elderly initiative: there only.
    effect_services.link_event(old_age, actor=cw, placement=case["elderly"], action=LinkedAction.ENDED_PLACEMENT)
    realised = realised_for_plan(plan, YEAR, today=TODAY)
    assert realised[contracts.pk].events == []
    assert [e.kind for e in realised[old_age.pk].events] == [EffectKind.ELDERLY_CARE]
    # The renegotiation matches no rule and is not linked: it counts nowhere.
    assert all(e.kind != EffectKind.RENEGOTIATION for r in realised.values() for e in r.events)


def test_a_rule_narrowed_to_a_centre_or_paragraph_matches_only_those_events(world, plan, case):
    home = initiative(plan, "Hjem fra eksterne tilbud")
    effect_services.add_rule(home, EffectKind.BROUGHT_HOME, centre=world.other_centre, actor=None)
    assert realised_for_plan(plan, YEAR, today=TODAY)[home.pk].events == []
    effect_services.add_rule(home, EffectKind.BROUGHT_HOME, paragraph="SEL107", actor=None)
    assert len(realised_for_plan(plan, YEAR, today=TODAY)[home.pk].events) == 1


def test_events_count_from_their_day_and_only_in_their_year(world, plan, case):
    _rules(plan)
    # On 31 August the elderly move (1 September) has not been made yet.
    before = realised_for_plan(plan, YEAR, today=D(2025, 8, 31))
    assert before[initiative(plan, "Livsfaser (ældreområdet)").pk].events == []
    assert len(before[initiative(plan, "Alternative løsninger").pk].events) == 1
    # In 2026 the 2025 events are not events of the year.
    assert all(not r.events for r in realised_for_plan(plan, 2026, today=D(2026, 12, 31)).values())


def test_a_replacement_outside_the_window_or_costing_more_is_no_effect(world, plan):
    cw = world.users["caseworker"]
    _rules(plan)
    dearer = world.offer("Dyrere bosted", "SEL107", places=0, tariff="3500.00", provider=world.external_provider,
                         offer_type="Midlertidigt botilbud til voksne")
    c = world.citizen(first_name="Ib")
    old = world.place(c, world.external, start=D(2024, 1, 1))
    with committed():
        placement_services.end_placement(old, D(2025, 3, 1), EndReason.MOVED_OFFER, actor=cw)
        grant = world.grant(c, dearer, start=D(2025, 3, 2))
        placement_services.start_placement(grant, dearer, D(2025, 3, 2), actor=cw,
                                           external_reason=ExternalReason.SPECIALISED)
    c2 = world.citizen(first_name="Jytte")
    old2 = world.place(c2, world.external, start=D(2024, 1, 1))
    late = D(2025, 3, 1) + datetime.timedelta(days=REPLACEMENT_WINDOW_DAYS + 1)
    with committed():
        placement_services.end_placement(old2, D(2025, 3, 1), EndReason.MOVED_OFFER, actor=cw)
        grant = world.grant(c2, world.residential, start=late)
        placement_services.start_placement(grant, world.residential, late, actor=cw)
    assert events_in_year(YEAR, today=TODAY) == []


def test_investments_spent_and_manual_effects_are_entered_with_who_and_why(world, plan, assert_audited):
    economist = world.users["economist"]
    home = initiative(plan, "Hjem fra eksterne tilbud")
    spent = effect_services.record_investment(home, spent_on=D(2025, 2, 1), amount=Decimal("25000.00"),
                                              note="Opstart af team", actor=economist)
    manual = effect_services.record_manual_effect(home, year=YEAR, amount=Decimal("-12000.50"),
                                                  reason="Aftale om delt finansiering uden sagshændelse",
                                                  actor=economist)
    assert_audited(AuditAction.CREATE, economist, obj=spent)
    assert_audited(AuditAction.CREATE, economist, obj=manual)
    figures = realised_for_plan(plan, YEAR, today=TODAY)[home.pk]
    assert figures.investments_spent == Decimal("25000.00")
    assert figures.manual == Decimal("-12000.50") and figures.realised_this_year == Decimal("-12000.50")
    with pytest.raises(ValidationError):
        effect_services.record_manual_effect(home, year=YEAR, amount=Decimal("-1"), reason="  ", actor=economist)
    with pytest.raises(ValidationError):
        effect_services.record_investment(home, spent_on=D(2025, 2, 1), amount=Decimal("1.001"), note="x",
                                          actor=economist)
    with pytest.raises(NotInScope):
        effect_services.record_manual_effect(home, year=YEAR, amount=Decimal("-1"), reason="x",
                                             actor=world.users["committee"])


def test_a_link_is_made_by_a_caseworker_of_the_citizen_and_audited(world, plan, case, assert_audited):
    contracts = initiative(plan, "Genforhandling af eksterne kontrakter")
    with pytest.raises(NotInScope):
        effect_services.link_event(contracts, actor=world.users["outsider"], renegotiation=case["renegotiation"])
    link = effect_services.link_event(contracts, actor=world.users["caseworker"],
                                      renegotiation=case["renegotiation"])
    assert_audited(AuditAction.CREATE, world.users["caseworker"], citizen=case["citizens"][0], obj=link)
    again = effect_services.link_event(contracts, actor=world.users["caseworker"],
                                       renegotiation=case["renegotiation"])
    assert again.pk == link.pk


def test_the_plan_figures_take_a_bounded_number_of_queries(world, plan, case, django_assert_max_num_queries):
    _rules(plan)
    c = world.citizen(first_name="Flere")
    p = world.place(c, world.external, start=D(2024, 1, 1))
    with committed():
        placement_services.end_placement(p, D(2025, 6, 1), EndReason.ELDERLY_CARE, actor=world.users["caseworker"])
    with django_assert_max_num_queries(20):
        realised = realised_for_plan(plan, YEAR, today=TODAY)
    assert len(realised[initiative(plan, "Livsfaser (ældreområdet)").pk].events) == 2


def test_a_step_down_the_staircase_is_an_effect_with_hand_computed_amounts(world, plan):
    """Long-term residential (SEL108, 2,250 kr. a day) ends 1 July 2025; the citizen moves to the day offer
    (SEL104, a lower step, 600 kr. a day) the same day."""
    cw = world.users["caseworker"]
    alternatives = initiative(plan, "Alternative løsninger")
    effect_services.add_rule(alternatives, EffectKind.STEP_DOWN, actor=None)
    c = world.citizen(first_name="Trine")
    old = world.place(c, world.residential, start=D(2024, 1, 1))
    with committed():
        placement_services.end_placement(old, D(2025, 7, 1), EndReason.GOAL_ACHIEVED, actor=cw)
        grant = world.grant(c, world.day_offer, start=D(2025, 7, 1))
        new = placement_services.start_placement(grant, world.day_offer, D(2025, 7, 1), actor=cw)
    [event] = realised_for_plan(plan, YEAR, today=TODAY)[alternatives.pk].events
    # 1 July to 1 January: 31+31+30+31+30+31 = 184 days; 184 * 2,250 = 414,000.00 against
    # 184 * 600 = 110,400.00: -303,600.00. Full year 365 * (600 - 2,250) = -602,250.00.
    assert event.kind == EffectKind.STEP_DOWN and event.placement_ids == (old.pk, new.pk)
    assert (event.counterfactual_cost, event.actual_cost) == (Decimal("414000.00"), Decimal("110400.00"))
    assert event.this_year == Decimal("-303600.00") and event.full_year == Decimal("-602250.00")
    _reconcile(event, {p.pk: p for p in Placement.objects.all()})


def test_the_years_events_are_stored_ahead_and_renewed_by_a_change(world, plan, case):
    """warm_events costs the year's events once; the next reading reads them stored, until a change
    re-costs one of the year's months (a placement ended) and the events are costed again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from roret.plans.effects import warm_events

    assert warm_events(TODAY) == 3
    with CaptureQueriesContext(connection) as queries:
        stored = events_in_year(YEAR, today=TODAY)
    assert len(stored) == 4 and len(queries) <= 3, [q["sql"][:80] for q in queries]
    extra = world.place(world.citizen(first_name="Ny", birth=D(1950, 1, 1)), world.residential, start=D(2024, 6, 1))
    with committed():
        move_to_elderly_care(extra.citizen, actor=world.users["caseworker"], on=D(2025, 11, 1))
    assert len(events_in_year(YEAR, today=TODAY)) == 5


def test_a_placement_brought_home_raises_the_self_sufficiency_rate_by_its_days(world, plan, case):
    """Holger's 92 place-days from 1 October 2025 move from a bought place to an own one: the rate
    rises by 92 / (all own citizens' place-days of 2025) * 100 percentage points."""
    from roret.economy.services import refresh_segments
    from roret.plans.effects import self_sufficiency_effect

    _rules(plan)
    refresh_segments()  # the rollup of every placement the scene made
    figures = realised_for_plan(plan, YEAR, today=TODAY)[initiative(plan, "Hjem fra eksterne tilbud").pk]
    assert figures.own_days == (D(2026, 1, 1) - D(2025, 10, 1)).days == 92
    total = 0
    for p in Placement.objects.all():
        if p.is_sold:
            continue
        start, end = max(p.start, D(2025, 1, 1)), min(p.end or D(2026, 1, 1), D(2026, 1, 1))
        total += max(0, (end - start).days)
    effect = self_sufficiency_effect(figures)
    assert effect["days"] == 92 and effect["citizens"] == 1
    assert effect["points"] == (Decimal(92) * 100 / total).quantize(Decimal("0.01"))
