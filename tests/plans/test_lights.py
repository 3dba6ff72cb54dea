"""Traffic lights: roret's proposal at the boundaries, overrides only with a remark, and every
setting kept with who set it and why."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from roret.core.models import AuditAction
from roret.core.permissions import NotInScope
from roret.placements import services as placement_services
from roret.placements.models import EndReason
from roret.plans import effect_services
from roret.plans.lights import half_of, lights_for, parse_half, propose, set_light
from roret.plans.models import EffectKind, Light, LightColour
from tests.factories import committed
from tests.plans.helpers import initiative, make_plan

D = datetime.date
GREEN, YELLOW, RED = LightColour.GREEN, LightColour.YELLOW, LightColour.RED


# ---- the proposal, at its boundaries (savings negative) -----------------------------------------------

def test_exactly_achieved_is_green():
    assert propose(Decimal("-500000.00"), Decimal("-500000.00")) == GREEN
    assert propose(Decimal("-500000.01"), Decimal("-500000.00")) == GREEN


def test_one_krone_short_is_not_green():
    # -499,999 realised against -500,000 expected: one krone short, nothing committed -> red.
    assert propose(Decimal("-499999.00"), Decimal("-500000.00")) == RED
    # ... and with exactly the missing krone committed -> yellow.
    assert propose(Decimal("-499999.00"), Decimal("-500000.00"), Decimal("-1.00")) == YELLOW


def test_achievable_only_with_committed_effects_is_yellow():
    # The 2020 status report's alternative solution: -351,725 realised, -466,835 full-year, -500,000 expected.
    assert propose(Decimal("-351725"), Decimal("-500000"), Decimal("-466835")) == YELLOW
    # Committed one krone short of the target with the realised: red.
    assert propose(Decimal("-400000"), Decimal("-500000"), Decimal("-99999")) == RED
    assert propose(Decimal("-400000"), Decimal("-500000"), Decimal("-100000")) == YELLOW


def test_no_expected_effect_is_held_to_zero():
    assert propose(Decimal(0), None) == GREEN
    assert propose(Decimal("100"), None, Decimal("-100")) == YELLOW
    assert propose(Decimal("100"), None) == RED


def test_half_years_are_parsed_strictly():
    assert parse_half("2026h2") == (2026, 2)
    assert half_of(D(2026, 6, 30)) == "2026H1" and half_of(D(2026, 7, 1)) == "2026H2"
    for bad in ("2026", "2026H3", "26H1", "", "2026H1; drop"):
        with pytest.raises(ValidationError):
            parse_half(bad)


# ---- setting a light -----------------------------------------------------------------------------------

@pytest.fixture
def plan(world):
    return make_plan([
        {"track": "1", "initiative": "Livsfaser", "effect": [-274500, -821250]},
        {"track": "2", "initiative": "Uden forventet effekt", "investment": [10000, 0]},
    ])


@pytest.fixture
def elderly_move(world, plan):
    """A move to elderly care on 1 September 2025 at 2,250 kr. a day: 122 days, -274,500.00 in 2025."""
    effect_services.add_rule(initiative(plan, "Livsfaser"), EffectKind.ELDERLY_CARE, actor=None)
    c = world.citizen(birth=D(1955, 1, 1))
    p = world.place(c, world.residential, start=D(2024, 1, 1))
    with committed():
        placement_services.end_placement(p, D(2025, 9, 1), EndReason.ELDERLY_CARE, actor=world.users["caseworker"])
    return p


def test_the_proposal_comes_from_the_figures(world, plan, elderly_move):
    livsfaser = initiative(plan, "Livsfaser")
    # 2025H2: 122 days * 2,250 = -274,500.00 realised, exactly the expected effect: green.
    state = lights_for(plan, "2025H2", today=D(2026, 1, 15))[livsfaser.pk]
    assert state.figures.realised_this_year == Decimal("-274500.00")
    assert state.proposed == GREEN and state.colour == GREEN and not state.is_set
    # 2025H1: the move is not made by 30 June: red.
    assert lights_for(plan, "2025H1", today=D(2026, 1, 15))[livsfaser.pk].proposed == RED
    # 2026H1: the full-year effect is -821,250.00, the year's expected effect: nothing realised in 2026
    # (the event is 2025's), so red.
    assert lights_for(plan, "2026H1", today=D(2026, 3, 1))[livsfaser.pk].proposed == RED


def test_an_override_without_a_remark_is_refused(world, plan, elderly_move, assert_audited):
    economist = world.users["economist"]
    livsfaser = initiative(plan, "Livsfaser")
    with pytest.raises(ValidationError) as refused:
        set_light(livsfaser, "2025H2", RED, actor=economist, remark="   ", today=D(2026, 1, 15))
    assert "remark" in refused.value.message_dict
    assert not Light.objects.exists()
    # The proposal itself needs no remark.
    first = set_light(livsfaser, "2025H2", GREEN, actor=economist, today=D(2026, 1, 15))
    assert (first.colour, first.proposed, first.remark) == (GREEN, GREEN, "")
    assert first.figures["realised"] == "-274500.00"
    # An override with a remark is kept beside the first setting, which stays.
    second = set_light(livsfaser, "2025H2", YELLOW, actor=economist, remark="Borgeren kan vende tilbage",
                       today=D(2026, 1, 15))
    assert second.is_override and second.pk != first.pk
    assert_audited(AuditAction.CREATE, economist, obj=second)
    state = lights_for(plan, "2025H2", today=D(2026, 1, 15))[livsfaser.pk]
    assert [light.colour for light in state.history] == [GREEN, YELLOW]
    assert state.colour == YELLOW and state.is_override and state.current.set_by == economist
    # The same setting sent again writes once.
    assert set_light(livsfaser, "2025H2", YELLOW, actor=economist, remark="Borgeren kan vende tilbage",
                     today=D(2026, 1, 15)).pk == second.pk
    assert Light.objects.count() == 2


def test_who_may_set_a_light(world, plan):
    livsfaser = initiative(plan, "Livsfaser")
    leader, committee = world.users["centre_leader"], world.users["committee"]
    for user in (committee, leader, world.users["caseworker"], world.users["admin"]):
        with pytest.raises(NotInScope):
            set_light(livsfaser, "2025H2", RED, actor=user, today=D(2026, 1, 15))
    # The centre leader of the responsible centre, and the responsible person, may.
    livsfaser.responsible_centre = world.centre
    livsfaser.responsible = world.users["centre_staff"]
    livsfaser.save()
    assert set_light(livsfaser, "2025H2", RED, actor=leader, today=D(2026, 1, 15)).set_by == leader
    staff = world.users["centre_staff"]
    assert set_light(livsfaser, "2025H2", GREEN, actor=staff, remark="Aftalt", today=D(2026, 1, 15)).set_by == staff


def test_an_initiative_without_expected_effect_proposes_green(world, plan):
    other = initiative(plan, "Uden forventet effekt")
    assert lights_for(plan, "2025H1", today=D(2025, 6, 1))[other.pk].proposed == GREEN


def test_a_bad_colour_or_half_is_refused(world, plan):
    livsfaser = initiative(plan, "Livsfaser")
    with pytest.raises(ValidationError):
        set_light(livsfaser, "2025H3", GREEN, actor=world.users["economist"])
    with pytest.raises(ValidationError):
        set_light(livsfaser, "2025H1", "blue", actor=world.users["economist"], remark="x")
