"""Saving a scenario from the editor: one transaction, validated, audited."""

from django.db import transaction

from roret.capacity.models import Scenario
from roret.core import audit, permissions
from roret.core.audit import snapshot

FIELDS = ["name", "description", "reserved_places", "reserved_from", "demand_factor", "demand_from"]


def _events(scenario: Scenario) -> list:
    return [[e.kind, e.month, e.places, e.label] for e in scenario.events.order_by("month", "pk")]


@transaction.atomic
def save_scenario(form, formset, *, actor) -> Scenario:
    """Save a valid ScenarioForm and its event formset; write one audit row with before and after."""
    permissions.require_role(actor, permissions.PLANNERS, "only the economist edits capacity scenarios")
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
                 summary=f"Kapacitetsscenarie “{scenario.name}” ({scenario.group}) gemt",
                 obj=scenario, before=before, after=after)
    return scenario


@transaction.atomic
def delete_scenario(scenario: Scenario, *, actor) -> None:
    """Delete a scenario (runs keep their own copy of it); one audit row with what it was."""
    permissions.require_role(actor, permissions.PLANNERS, "only the economist deletes capacity scenarios")
    before = {**snapshot(scenario, FIELDS), "events": _events(scenario)}
    audit.record(actor, "delete", summary=f"Kapacitetsscenarie “{scenario.name}” ({scenario.group}) slettet",
                 obj=scenario, before=before)
    scenario.delete()
