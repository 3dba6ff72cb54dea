"""The demo municipality's development plans: the 2020-2024 catalogue from the status report's
fixture, a 2025-2029 plan with rules, realised events of every kind made through the case flow,
investments spent, a manual effect and lights for past half-years."""

import datetime
import json

import pytest
from django.core.management import call_command

from roret.core.models import AuditEntry
from roret.plans.effects import realised_for_plan
from roret.plans.lights import lights_for
from roret.plans.models import EffectKind, EffectLink, InvestmentSpent, Light, ManualEffect, Plan, PlanStatus
from roret.plans.table import plan_table

TODAY = datetime.date(2026, 11, 23)
pytestmark = pytest.mark.django_db


def test_the_demo_has_both_plans_with_realised_effects_and_lights():
    call_command("demo", seed=2026, today=TODAY, verbosity=0)
    catalogue = Plan.objects.get(first_year=2020)
    plan = Plan.objects.get(first_year=2025)
    assert catalogue.status == plan.status == PlanStatus.ADOPTED
    # The catalogue is the fixture's, to the krone (loading refuses totals that differ).
    from roret.demo.plans import CATALOGUE_2020

    fixture = json.loads(CATALOGUE_2020.read_text())
    assert [str(v) for v in plan_table(catalogue).effect_totals] == [str(v) for v in fixture["published_total"]]
    # Realised events of every kind, and the ones the demo made through the case flow are linked.
    kinds = set()
    for p in (catalogue, plan):
        for year in p.years:
            if year <= TODAY.year:
                for figures in realised_for_plan(p, year, today=TODAY).values():
                    kinds |= {e.kind for e in figures.events}
    assert kinds == set(EffectKind.values)
    assert EffectLink.objects.filter(initiative__plan=plan).exists()
    assert AuditEntry.objects.filter(object_type="outcomes.tariffrenegotiation", channel="demo").exists()
    assert InvestmentSpent.objects.filter(initiative__plan=plan).exists() and ManualEffect.objects.exists()
    # A light for every initiative and past half-year, proposals and at least one override with a remark.
    for half in ("2025H1", "2025H2", "2026H1"):
        states = lights_for(plan, half, today=TODAY)
        assert all(s.is_set for s in states.values()), half
    assert not Light.objects.filter(initiative__plan=plan, half="2026H2").exists()
    overrides = [light for light in Light.objects.all() if light.is_override]
    assert overrides and all(light.remark for light in overrides)
