"""Outcome pages: follow-ups due, the citizen's goals, action plan and measurements, holding a
follow-up meeting, the quality-of-life compliance list and the instrument registry."""

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from roret.citizens import services as citizen_services
from roret.core import audit, lists, permissions
from roret.core.access import role_required
from roret.core.models import Term
from roret.core.parsing import id_or_none
from roret.core.permissions import CASE_ROLES, CASEWORKERS, RECORD, VIEW
from roret.offers.models import TariffUnit
from roret.outcomes import instruments, queries, services
from roret.outcomes import lists as outcome_lists
from roret.outcomes.models import (
    ActionStep,
    FollowUp,
    FollowUpOutcome,
    Goal,
    GoalProgressLevel,
    Measurement,
    MeasurementOccasion,
)
from roret.placements.models import EndReason, Grant, Placement
from roret.plans import effect_services
from roret.plans.models import EffectKind
from roret.reports import list_export
from roret.visitation import themes

CASE = CASE_ROLES


def _date(value: str, label: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError as exc:
        raise ValidationError(_("%(field)s: give a date.") % {"field": label}) from exc


def _id(value) -> int:
    """A posted id, or 0 (which matches nothing) when it is not one."""
    return id_or_none(value) or 0


def _chosen(queryset, value, label: str):
    """The object chosen in an optional select: None when nothing is chosen, a refusal naming the
    field when the posted value is not one of the choices (never silently nothing)."""
    if not (value or "").strip():
        return None
    chosen = queryset.filter(pk=_id(value)).first()
    if chosen is None:
        raise ValidationError(_("%(field)s: choose one of the list's options.") % {"field": label})
    return chosen


def _answers(post, prefix: str = "who5_") -> list[int] | None:
    raw = [post.get(f"{prefix}{i}", "") for i in range(1, len(instruments.WHO5.items) + 1)]
    if not any(v.strip() for v in raw):
        return None
    try:
        return [int(v) for v in raw]
    except ValueError as exc:
        missing = [str(i) for i, v in enumerate(raw, start=1) if not v.strip().lstrip("-").isdigit()]
        raise ValidationError(_("WHO-5: answer every item (missing or not a number: %(items)s).")
                              % {"items": ", ".join(missing)}) from exc


@role_required(CASE)
def due(request):
    today = datetime.date.today()
    # A work list, oldest first, filtered, sorted and paged in the database: a large team's open
    # follow-ups run into thousands (docs/benchmarks.md). The quality-of-life compliance list is a
    # link, not a count: counting it costs the whole caseload's costs for the coming year.
    counts = queries.follow_up_counts(request.user, today)
    page = lists.page_of(outcome_lists.DUE, queries.open_follow_ups(request.user, today), request.GET,
                         request.user, load=lambda cut: queries.shown_follow_ups(cut, today),
                         total=lambda chosen: outcome_lists.known_total(chosen, counts))
    if request.GET.get("format") == "xlsx":
        rows = queries.shown_follow_ups(page.filtered, today)
        cells = [[r.citizen.name, r.grant.get_paragraph_display(),
                  ", ".join(str(p.offer) for p in r.grant.current) or _("waiting list"),
                  str(r.grant.team or ""), r.due_on] for r in rows]
        return list_export.response(request.user, "follow_ups_due", [c.label for c in page.spec.columns[:5]], cells,
                                    citizen_ids=[r.citizen_id for r in rows], filename="opfoelgninger")
    audit.listed(request.user, "follow_ups_due", [r.citizen_id for r in page.rows])
    return render(request, "outcomes/due.html", {
        "page": page, "rows": page.rows, "today": today, "counts": counts,
        "export_url": page.export_query if permissions.has_role(request.user, permissions.LIST_EXPORTERS) else ""})


@role_required(CASE)
def citizen(request, citizen_id):
    action = request.POST.get("action", "") if request.method == "POST" else ""
    citizen = citizen_services.get_citizen(request.user, citizen_id, action=RECORD if action else VIEW,
                                           summary="Mål og målinger vist")
    today = datetime.date.today()
    if action:
        try:
            if action == "goal":
                grant = _chosen(Grant.objects.filter(citizen=citizen), request.POST.get("grant"), _("Grant"))
                services.add_goal(
                    citizen, actor=request.user, grant=grant,
                    goal_type=Term.objects.filter(group="goal_type", pk=_id(request.POST.get("goal_type"))).first(),
                    theme=Term.objects.filter(group="theme", pk=_id(request.POST.get("theme"))).first(),
                    own_words=request.POST.get("own_words", ""),
                    target_date=_date(request.POST.get("target_date"), _("Target date")))
                messages.success(request, _("The goal is recorded."))
            elif action == "step":
                goal = permissions.fetch(request.user, RECORD, Goal.objects.filter(citizen=citizen),
                                         request.POST.get("goal"))
                services.add_step(goal, actor=request.user, what=request.POST.get("what", ""),
                                  who=request.POST.get("who", ""), due_on=_date(request.POST.get("due_on"), _("By when")))
                messages.success(request, _("The step is added to the action plan."))
            elif action == "step_done":
                step = permissions.fetch(request.user, RECORD, ActionStep.objects.filter(goal__citizen=citizen),
                                         request.POST.get("step"), via="goal__citizen")
                services.complete_step(step, actor=request.user)
            elif action == "measure":
                answers = _answers(request.POST)
                if answers is None:
                    raise ValidationError(_("WHO-5: answer the five items."))
                m = services.record_measurement(
                    citizen, "WHO-5", answers, actor=request.user,
                    occasion=request.POST.get("occasion") or MeasurementOccasion.OTHER,
                    measured_on=_date(request.POST.get("measured_on") or today.isoformat(), _("Measured on")))
                messages.success(request, _("WHO-5 recorded: %(score)d (%(band)s).")
                                 % {"score": m.score, "band": m.band_label})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("outcomes:citizen", citizen_id=citizen.pk)
    goals = queries.citizen_goals(citizen)
    measurements = services.compare(list(Measurement.objects.filter(citizen=citizen).order_by("measured_on", "pk")))
    active_grants = Grant.objects.filter(citizen=citizen).active_on(today).select_related("offer_type")
    return render(request, "outcomes/citizen.html", {
        "citizen": citizen, "goals": goals, "measurements": list(reversed(measurements)), "today": today,
        "goal_types": themes.goal_types(), "theme_groups": themes.activity_themes() + themes.note_themes(),
        "grants": active_grants, "who5": instruments.WHO5, "who5_items": list(enumerate(instruments.WHO5.items, 1)),
        "answer_labels": sorted(instruments.WHO5.answer_labels.items(), reverse=True),
        "occasions": MeasurementOccasion.choices})


@role_required(CASEWORKERS)
def follow_up(request, follow_up_pk):
    follow_up = citizen_services.get_record(
        request.user, FollowUp.objects.select_related("citizen", "grant", "grant__offer_type"), follow_up_pk,
        summary="Opfølgning vist")
    citizen = follow_up.citizen
    today = datetime.date.today()
    goals = list(Goal.objects.filter(citizen=citizen, status="active").select_related("theme"))
    placements = list(Placement.objects.filter(grant=follow_up.grant).select_related("offer__provider")
                      .prefetch_related("tariffs", "offer__tariffs").order_by("-start"))
    errors = []
    if request.method == "POST" and follow_up.held_on is None:
        try:
            progress = {g.pk: (request.POST.get(f"progress_{g.pk}"), request.POST.get(f"progress_note_{g.pk}", ""))
                        for g in goals if request.POST.get(f"progress_{g.pk}")}
            renegotiation = None
            if request.POST.get("new_tariff", "").strip():
                try:
                    amount = Decimal(request.POST["new_tariff"].replace(",", "."))
                except InvalidOperation as exc:
                    raise ValidationError(_("The new tariff must be an amount in kroner.")) from exc
                renegotiation = {"new_amount": amount, "note": request.POST.get("renegotiation_note", ""),
                                 "valid_from": _date(request.POST.get("tariff_from"), _("New tariff from"))}
            initiative = None
            if renegotiation:
                initiative = effect_services.chosen_initiative(request.POST.get("renegotiation_initiative"),
                                                               [EffectKind.RENEGOTIATION], renegotiation["valid_from"])
            with transaction.atomic():
                services.hold_follow_up(
                    follow_up, actor=request.user, held_on=_date(request.POST.get("held_on"), _("Held on")),
                    outcome=request.POST.get("outcome", ""), notes=request.POST.get("notes", ""),
                    goal_progress=progress,
                    support_need=_chosen(Term.objects.filter(group="support_need"), request.POST.get("support_need"),
                                         _("Support need")),
                    need_fallen=request.POST.get("need_fallen") == "on", who5_answers=_answers(request.POST),
                    renegotiation=renegotiation, end_reason=request.POST.get("end_reason", ""),
                    end_on=_date(request.POST["end_on"], _("End date")) if request.POST.get("end_on") else None)
                made = follow_up.renegotiations.order_by("-pk").first() if initiative is not None else None
                if made is not None:
                    # The caseworker links the renegotiation to the initiative it realises (docs/plans.md).
                    effect_services.link_event(initiative, actor=request.user, renegotiation=made)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The follow-up is recorded."))
            return redirect("visitation:timeline", citizen_id=citizen.pk)
    tariffs = []
    for p in placements:
        amount, unit, hours = services.current_tariff(p, today)
        tariffs.append({"placement": p, "amount": amount, "unit": unit, "hours": hours,
                        "unit_label": TariffUnit(unit).label if unit in TariffUnit.values else "",
                        "external": p.offer.provider.kind != "own"})
    measurements = services.compare(list(Measurement.objects.filter(citizen=citizen).order_by("measured_on", "pk")))
    return render(request, "outcomes/follow_up.html", {
        "follow_up": follow_up, "citizen": citizen, "goals": goals, "errors": errors, "post": request.POST,
        "progress_levels": GoalProgressLevel.choices, "outcomes": FollowUpOutcome.choices, "today": today,
        "end_reasons": EndReason.choices,
        "renegotiation_initiatives": effect_services.linkable_initiatives([EffectKind.RENEGOTIATION], today),
        "support_needs": themes.support_needs(), "tariffs": tariffs, "measurements": measurements[-4:],
        "who5_items": list(enumerate(instruments.WHO5.items, 1)),
        "answer_labels": sorted(instruments.WHO5.answer_labels.items(), reverse=True)})


@role_required(CASE)
def compliance(request):
    today = datetime.date.today()
    # A work list like the follow-ups: a centre's list runs into thousands, which no one reads on
    # one page; filtered, sorted and paged, with the citizens read for the page shown only.
    page = lists.page_of(outcome_lists.COMPLIANCE, queries.missing_rows(request.user, today), request.GET,
                         request.user, load=queries.shown_missing)
    labels = dict(outcome_lists.REASONS)
    if request.GET.get("format") == "xlsx":
        rows = queries.shown_missing(page.filtered)
        cells = [[r["citizen"].name, labels[r["reason"]], r["day"], r["context"], r["latest"]] for r in rows]
        return list_export.response(request.user, "compliance", [c.label for c in page.spec.columns], cells,
                                    citizen_ids=[r["citizen"].pk for r in rows], filename="maalinger")
    audit.listed(request.user, "compliance", [r["citizen"].pk for r in page.rows])
    return render(request, "outcomes/compliance.html", {
        "page": page, "rows": page.rows, "total": page.total, "today": today,
        "threshold": queries.expensive_threshold(), "labels": labels,
        "export_url": page.export_query if permissions.has_role(request.user, permissions.LIST_EXPORTERS) else ""})


@role_required(CASE)
def instrument_list(request):
    return render(request, "outcomes/instruments.html", {"instruments": instruments.REGISTRY.values()})
