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
from roret.capacity.services import build_inputs, group_statuses, own_offers, size_group
from roret.core.access import role_required
from roret.core.permissions import (
    AGGREGATE_ROLES,
    PLANNERS,
    NotInScope,
    aggregate_scope,
    has_role,
    suppresses,
)
from roret.reports.tables import rows_to_hide

# Economists plan; centre leaders see the groups their centre runs places in; the committee
# sees the results. Caseworkers, centre staff and administrators have no capacity pages.
VIEW_ROLES = AGGREGATE_ROLES


def _check_group(user, group):
    """A centre leader sees only groups with places in their own centre (others: 404)."""
    scope = aggregate_scope(user)
    if scope.centre_id is not None and not own_offers(group).filter(provider__centre_id=scope.centre_id).exists():
        raise NotInScope("not a group of your centre")


# Counts of citizens in a situation (waiting, placed externally) are suppressed for the
# committee; occupied places are a fact about places, shown as in the offer catalogue.
SMALL_COLUMNS = ("waiting", "external_now")


def _suppress(rows, columns):
    """Committee view: mark cells built from 1-4 citizens, with one complement per column when
    only one would be hidden (roret.reports.tables.rows_to_hide), as ``row.hidden``."""
    for row in rows:
        row.hidden = set()
    for column in columns:
        for i in rows_to_hide([getattr(row, column, 0) or 0 for row in rows]):
            rows[i].hidden.add(column)


def _visible(user, statuses):
    scope = aggregate_scope(user)
    return [s for s in statuses if scope.covers(s.centre_ids)]


@role_required(VIEW_ROLES)
def index(request):
    day = datetime.date.today()
    statuses = _visible(request.user, group_statuses(GROUPS, day))
    hide_small = suppresses(request.user)
    if hide_small:
        _suppress(statuses, SMALL_COLUMNS)
    return render(request, "capacity/index.html", {"statuses": statuses, "day": day, "hide_small": hide_small})


@role_required(VIEW_ROLES)
def group_detail(request, key):
    group = get_group(key)
    _check_group(request.user, group)
    day = datetime.date.today()
    status = group_statuses([group], day)[0]
    inputs = build_inputs(group, day)
    runs_qs = PlanRun.objects.filter(group=key).select_related("job", "created_by")
    latest = runs_qs.filter(results__isnull=False).first()
    economist = has_role(request.user, PLANNERS)
    hide_small = suppresses(request.user)
    if hide_small:
        _suppress(status.offers, SMALL_COLUMNS)
        # Each block (counted, not counted) gets its own complement, so its subtotal gives nothing away.
        for counted in (True, False):
            _suppress([r for r in inputs.external_reasons if r.counted == counted], ("now", "started"))
    context = {
        "hide_small": hide_small,
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
