"""Capacity pages: groups today, the sizing answer, plan runs with fan charts, the scenario editor."""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roret.capacity import runs
from roret.capacity.forms import EventFormSet, RunForm, ScenarioForm
from roret.capacity.groups import GROUPS, get_group
from roret.capacity.models import PlanRun, Scenario
from roret.capacity.pdf import context_for
from roret.capacity.scenarios import delete_scenario, save_scenario
from roret.capacity.services import (
    build_inputs,
    external_reasons_by_group,
    group_statuses,
    require_group_scope,
    size_group,
)
from roret.core.access import role_required
from roret.core.permissions import (
    AGGREGATE_ROLES,
    PLANNERS,
    aggregate_scope,
    has_role,
    suppresses,
)
from roret.offers.queries import committee_catalogue
from roret.reports.toolkit import suppression
from roret.reports.toolkit.suppression import Pattern

# Economists plan; centre leaders see the groups their centre runs places in; the committee
# sees the results. Caseworkers, centre staff and administrators have no capacity pages.
VIEW_ROLES = AGGREGATE_ROLES


def _check_group(user, group):
    """A centre leader sees only groups with places in their own centre (others: 404)."""
    require_group_scope(user, group)


# ------------------------------------------------------------------ what the committee sees

GROUP_OCCUPIED = ("occupied", "vacancy", "occupancy_rate", "free_for_placement")


def _reason_pattern(reasons, external_now: int) -> Pattern:
    """Own citizens in bought places by reason, now and started: counted and not-counted
    subtotals are shown for both, and the whole for "now" (the group's figure)."""
    counted = [i for i, r in enumerate(reasons) if r.counted]
    other = [i for i, r in enumerate(reasons) if not r.counted]

    def sums(rows):
        return {"now": sum(reasons[i].now for i in rows), "started": sum(reasons[i].started for i in rows)}

    return suppression.suppress(suppression.Grid(
        values=[{"now": r.now, "started": r.started} for r in reasons], counts=("now", "started"),
        labels=[r.reason for r in reasons],
        lines=[suppression.Line("all", lines=["counted", "other"], totals={"now": external_now}),
               suppression.Line("counted", rows=counted, totals=sums(counted)),
               suppression.Line("other", rows=other, totals=sums(other))]))


def _mark_status(status, view, reasons) -> Pattern:
    """Mark ``status.hidden`` and its offers' ``hidden`` from the catalogue's committee pattern
    (occupied and sold, as on the offer pages) and the group's reasons; the waiting list by legal
    basis stands alone (no total of it is shown). Returns the reasons' pattern."""
    line = f"group:{status.group.key}"
    rows = {o.pk: o for o in view.rows}
    for offer in status.offers:
        offer.hidden = rows[offer.pk].hidden
    status.hidden = set(GROUP_OCCUPIED) if view.total_hidden(line, "occupied") else set()
    status.hidden |= {"sold"} if view.total_hidden(line, "sold") else set()
    status.hidden |= {"waiting"} if suppression.small(status.waiting) else set()
    pattern = _reason_pattern(reasons, status.external_now)
    status.hidden |= {"external_now"} if pattern.total_hidden("all", "now") else set()
    return pattern


def _visible(user, statuses):
    scope = aggregate_scope(user)
    return [s for s in statuses if scope.covers(s.centre_ids)]


@role_required(VIEW_ROLES)
def index(request):
    day = datetime.date.today()  # always today: the committee's figures cannot be set against another day's
    hide_small = suppresses(request.user)
    # The committee's pattern needs the whole catalogue: the groups' offers are read from it.
    view = committee_catalogue(day) if hide_small else None
    statuses = _visible(request.user, group_statuses(GROUPS, day, offers=view.rows if view else None))
    for status in statuses:
        status.hidden = set()
    if hide_small:
        reasons = external_reasons_by_group([s.group for s in statuses], day)
        for status in statuses:
            _mark_status(status, view, reasons[status.group.key])
    return render(request, "capacity/index.html", {
        "statuses": statuses, "day": day, "hide_small": hide_small,
        "any_hidden": any(s.hidden for s in statuses)})


@role_required(VIEW_ROLES)
def group_detail(request, key):
    group = get_group(key)
    _check_group(request.user, group)
    day = datetime.date.today()
    hide_small = suppresses(request.user)
    view = committee_catalogue(day) if hide_small else None
    status = group_statuses([group], day, offers=view.rows if view else None)[0]
    inputs = build_inputs(group, day)
    runs_qs = PlanRun.objects.filter(group=key).select_related("job", "created_by")
    latest = runs_qs.filter(results__isnull=False).first()
    economist = has_role(request.user, PLANNERS)
    status.hidden, reason_totals = set(), {"counted": set(), "other": set()}
    if view is None:  # the committee catalogue's rows carry their own
        for offer in status.offers:
            offer.hidden = set()
    for row in inputs.external_reasons:
        row.hidden = set()
    if hide_small:
        pattern = _mark_status(status, view, inputs.external_reasons)
        for i, row in enumerate(inputs.external_reasons):
            row.hidden = {c for c in ("now", "started") if pattern.hidden(i, c)}
        reason_totals = {line: {c for c in ("now", "started") if pattern.total_hidden(line, c)}
                         for line in reason_totals}
    context = {
        "hide_small": hide_small, "reason_totals": reason_totals,
        "any_hidden": bool(status.hidden or reason_totals["counted"] or reason_totals["other"]
                           or any(o.hidden for o in status.offers) or any(r.hidden for r in inputs.external_reasons)),
        "group": group, "status": status, "inputs": inputs, "day": day,
        "sizing": size_group(inputs, status.places),
        "runs": list(runs_qs[:8]),
        "latest": latest,
        "charts": runs.chart_svgs(latest.results) if latest else None,
        "yearly": [(sc["name"], runs.yearly(sc)) for sc in latest.results["scenarios"]] if latest else None,
        "may_plan": economist,
        "scenarios": list(Scenario.objects.filter(group=key).prefetch_related("events"))
        if not suppresses(request.user) else None,
        "run_form": RunForm(group=group) if economist else None,
    }
    return render(request, "capacity/group.html", context)


@role_required(PLANNERS)
@require_POST
def run_plan(request, key):
    group = get_group(key)
    form = RunForm(request.POST, group=group)
    if not form.is_valid():
        messages.error(request, _("The plan was not started: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect("capacity:group", key=key)
    run = runs.start_run(group, user=request.user, scenarios=form.cleaned_data["scenarios"],
                         seed=form.cleaned_data["seed"], replications=form.cleaned_data["replications"])
    return redirect("capacity:run", pk=run.pk)


def _run_for(request, pk) -> PlanRun:
    run = get_object_or_404(PlanRun.objects.select_related("job", "created_by"), pk=pk)
    _check_group(request.user, run.group_obj)
    return run


def _run_context(run):
    return context_for(run)


@role_required(VIEW_ROLES)
def run_detail(request, pk):
    run = _run_for(request, pk)
    context = _run_context(run)
    context["job"] = run.job if run.job and run.job.created_by_id == request.user.pk else None
    context["pdf_job"] = runs.pdf_job_for(run, request.user) if run.is_ready else None
    return render(request, "capacity/run.html", context)


@role_required(VIEW_ROLES)
@require_POST
def run_pdf(request, pk):
    """Start the run's PDF as a background job; the run page shows its progress and then the file."""
    run = _run_for(request, pk)
    if not run.is_ready:
        raise Http404("the plan is still being computed")
    runs.start_pdf(run, user=request.user, language=translation.get_language())
    return redirect(reverse("capacity:run", args=[run.pk]) + "#pdf")


def _scenario_page(request, scenario, group):
    form = ScenarioForm(request.POST or None, instance=scenario)
    formset = EventFormSet(request.POST or None, instance=scenario, prefix="events")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        saved = save_scenario(form, formset, actor=request.user)
        messages.success(request, _("Scenario “%(name)s” saved.") % {"name": saved.name})
        return redirect("capacity:group", key=group.key)
    return render(request, "capacity/scenario_form.html",
                  {"form": form, "formset": formset, "group": group, "scenario": scenario})


@role_required(PLANNERS)
def scenario_new(request, key):
    group = get_group(key)
    return _scenario_page(request, Scenario(group=group.key, created_by=request.user), group)


@role_required(PLANNERS)
def scenario_edit(request, pk):
    scenario = get_object_or_404(Scenario, pk=pk)
    return _scenario_page(request, scenario, scenario.group_obj)


@role_required(PLANNERS)
@require_POST
def scenario_delete(request, pk):
    scenario = get_object_or_404(Scenario, pk=pk)
    key, name = scenario.group, scenario.name
    delete_scenario(scenario, actor=request.user)
    messages.success(request, _("Scenario “%(name)s” deleted.") % {"name": name})
    return redirect("capacity:group", key=key)
