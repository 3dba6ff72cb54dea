"""Saving a scenario from the editor: one transaction, validated, audited."""

from django.db import transaction

from roret.capacity.models import Scenario
from roret.core import audit
from roret.core.audit import snapshot

FIELDS = ["name", "description", "reserved_places", "reserved_from", "demand_factor", "demand_from"]


def _events(scenario: Scenario) -> list:
    return [[e.kind, e.month, e.places, e.label] for e in scenario.events.order_by("month", "pk")]


@transaction.atomic
def save_scenario(form, formset, *, actor) -> Scenario:
    """Save a valid ScenarioForm and its event formset; write one audit row with before and after."""
    creating = form.instance.pk is None
    before = None
    if not creating:
        old = Scenario.objects.get(pk=form.instance.pk)
        before = {**snapshot(old, FIELDS), "events": _events(old)}
    scenario = form.save(commit=False)
    if creating:
        scenario.created_by = actor
    scenario.save()
    formset.instance = scenario
    formset.save()
    after = {**snapshot(scenario, FIELDS), "events": _events(scenario)}
    audit.record(actor, "create" if creating else "change",
                 summary=f"Capacity scenario “{scenario.name}” ({scenario.group}) saved",
                 obj=scenario, before=before, after=after)
    return scenario


@transaction.atomic
def delete_scenario(scenario: Scenario, *, actor) -> None:
    """Delete a scenario (runs keep their own copy of it); one audit row with what it was."""
    before = {**snapshot(scenario, FIELDS), "events": _events(scenario)}
    audit.record(actor, "delete", summary=f"Capacity scenario “{scenario.name}” ({scenario.group}) deleted",
                 obj=scenario, before=before)
    scenario.delete()
