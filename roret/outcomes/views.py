"""Outcome pages: follow-ups due, the citizen's goals, action plan and measurements, holding a
follow-up meeting, the quality-of-life compliance list and the instrument registry."""

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from roret.citizens import forms as citizen_forms
from roret.citizens import services as citizen_services
from roret.citizens.models import Attendance, ConsentSubject, Relative
from roret.core import audit, lists, permissions, text_limits
from roret.core.access import role_required
from roret.core.forms import PageErrors
from roret.core.models import Term
from roret.core.parsing import id_or_none
from roret.core.permissions import CASE_ROLES, CASEWORKERS, RECORD, VIEW
from roret.helm import services as helm_services
from roret.offers.models import TariffUnit
from roret.outcomes import instruments, queries, services
from roret.outcomes import lists as outcome_lists
from roret.outcomes.models import (
    ActionStep,
    FollowUp,
    FollowUpOutcome,
    FollowUpParticipant,
    Goal,
    GoalProgress,
    GoalProgressLevel,
    GoalSupporter,
    Measurement,
    MeasurementOccasion,
    TariffRenegotiation,
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


def _record_goal(request, citizen, errors: PageErrors) -> None:
    """The new-goal form: every missing field is noted before the service checks the rest."""
    post = request.POST
    goal_type = Term.objects.filter(group="goal_type", pk=_id(post.get("goal_type"))).first()
    theme = Term.objects.filter(group="theme", pk=_id(post.get("theme"))).first()
    if not (post.get("own_words") or "").strip():
        errors.add("own_words", _("Write the goal in the citizen's own words."))
    errors.add_all(text_limits.errors(Goal, own_words=post.get("own_words", "").strip()))
    if goal_type is None:
        errors.add("goal_type", _("Choose the goal type: develop, maintain or limit loss of function."))
    if theme is None:
        errors.add("theme", _("Choose the FFB theme the goal concerns."))
    target_date = grant = None
    try:
        target_date = _date(post.get("target_date"), _("Target date"))
    except ValidationError as exc:
        errors.add("target_date", exc.messages[0])
    try:
        grant = _chosen(Grant.objects.filter(citizen=citizen), post.get("grant"), _("Grant"))
    except ValidationError as exc:
        errors.add("grant", exc.messages[0])
    if errors:
        return
    services.add_goal(citizen, actor=request.user, grant=grant, goal_type=goal_type, theme=theme,
                      own_words=post.get("own_words", ""), target_date=target_date)


def _record_step(request, citizen, errors: PageErrors) -> None:
    post = request.POST
    goal = permissions.fetch(request.user, RECORD, Goal.objects.filter(citizen=citizen), post.get("goal"))
    if not (post.get("what") or "").strip():
        errors.add("what", _("Write what the step is."))
    if not (post.get("who") or "").strip():
        errors.add("who", _("Write who does the step."))
    errors.add_all(text_limits.errors(ActionStep, what=post.get("what", "").strip(), who=post.get("who", "").strip()))
    due_on = None
    try:
        due_on = _date(post.get("due_on"), _("By when"))
    except ValidationError as exc:
        errors.add("due_on", exc.messages[0])
    if not errors:
        services.add_step(goal, actor=request.user, what=post.get("what", ""), who=post.get("who", ""), due_on=due_on)


def _record_measurement(request, citizen, errors: PageErrors):
    post = request.POST
    answers = _who5_answers(post, errors)
    if answers is None and not errors:
        errors.add("who5", _("WHO-5: answer the five items."))
    measured_on = None
    try:
        measured_on = _date(post.get("measured_on") or datetime.date.today().isoformat(), _("Measured on"))
    except ValidationError as exc:
        errors.add("measured_on", exc.messages[0])
    if errors:
        return None
    return services.record_measurement(citizen, "WHO-5", answers, actor=request.user,
                                       occasion=post.get("occasion") or MeasurementOccasion.OTHER,
                                       measured_on=measured_on)


def _record_supporter(request, citizen, errors: PageErrors) -> None:
    """The supporter form: a goal of the citizen, one of their relatives and how they support it."""
    post = request.POST
    goal = Goal.objects.filter(citizen=citizen, pk=_id(post.get("supporter_goal"))).first()
    if goal is None:
        errors.add("supporter_goal", _("Choose one of the citizen's goals."))
    relative = citizen_forms.chosen_relative(post, list(Relative.objects.filter(citizen=citizen)), errors)
    how = post.get("how", "").strip()
    errors.add_all(text_limits.errors(GoalSupporter, how=how))
    if not errors:
        services.name_supporter(goal, relative, actor=request.user, how=how)


# The citizen page's forms and their fields (a service's names for them are the same).
CITIZEN_FORMS = {"goal": ("own_words", "goal_type", "theme", "target_date", "grant"),
                 "supporter": ("supporter_goal", "relative", "how"),
                 "step": ("what", "who", "due_on"), "measure": ("who5", "occasion", "measured_on")}


@role_required(CASE)
def citizen(request, citizen_id):
    action = request.POST.get("action", "") if request.method == "POST" else ""
    citizen = citizen_services.get_citizen(request.user, citizen_id, action=RECORD if action else VIEW,
                                           summary="Mål og målinger vist")
    today = datetime.date.today()
    # The step form's fields carry the goal's id (one form per goal); WHO-5's link to their first radio.
    goal_id = id_or_none(request.POST.get("goal")) if action == "step" else None
    errors = PageErrors(anchors={**_who5_anchors(), "what": f"what-{goal_id}", "who": f"who-{goal_id}",
                                 "due_on": f"due-{goal_id}"})
    if action:
        try:
            if action == "goal":
                _record_goal(request, citizen, errors)
                done = _("The goal is recorded.")
            elif action == "step":
                _record_step(request, citizen, errors)
                done = _("The step is added to the action plan.")
            elif action == "supporter":
                _record_supporter(request, citizen, errors)
                done = _("The supporter is named.")
            elif action == "step_done":
                step = permissions.fetch(request.user, RECORD, ActionStep.objects.filter(goal__citizen=citizen),
                                         request.POST.get("step"), via="goal__citizen")
                services.complete_step(step, actor=request.user)
                done = ""
            elif action == "measure":
                m = _record_measurement(request, citizen, errors)
                done = m and (_("WHO-5 recorded: %(score)d (%(band)s).") % {"score": m.score, "band": m.band_label})
            else:
                done = ""
        except ValidationError as exc:
            errors.add_exc(exc, fields=CITIZEN_FORMS.get(action, ()), rename={"answers": "who5"})
        if not errors:
            if done:
                messages.success(request, done)
            return redirect("outcomes:citizen", citizen_id=citizen.pk)
    post = request.POST if errors else {}
    goals = queries.citizen_goals(citizen)
    # The citizen's own ratings (their page, roret.helm), newest first, beside the staff's view.
    prefetch_related_objects(goals, "citizen_ratings")
    measurements = services.compare(list(Measurement.objects.filter(citizen=citizen).order_by("measured_on", "pk")))
    active_grants = Grant.objects.filter(citizen=citizen).active_on(today).select_related("offer_type")
    return render(request, "outcomes/citizen.html", {
        "citizen": citizen, "goals": goals, "measurements": list(reversed(measurements)), "today": today,
        "plan_responses": list(citizen.plan_responses.select_related("entered_by")[:3]),
        "goal_types": themes.goal_types(), "theme_groups": themes.activity_themes() + themes.note_themes(),
        "grants": active_grants, "who5": instruments.WHO5,
        "answer_labels": sorted(instruments.WHO5.answer_labels.items(), reverse=True),
        "occasions": MeasurementOccasion.choices, "errors": errors, "post": post, "action": action,
        "step_goal": goal_id, "relatives": Relative.objects.filter(citizen=citizen).order_by("name"),
        "share_consent": citizen_services.valid_consent(citizen, ConsentSubject.SHARE_RELATIVES, today),
        "who5_rows": who5_rows(post if action == "measure" else {}, errors if action == "measure" else None),
        "who5_errors": errors.of("who5") if action == "measure" else [],
        "limits": {"own_words": text_limits.of(Goal, "own_words"), "what": text_limits.of(ActionStep, "what"), "who": text_limits.of(ActionStep, "who"),
                   "how": text_limits.of(GoalSupporter, "how")}})


# The follow-up page's own fields (the per-goal ones are progress_<goal> and progress_note_<goal>).
FOLLOW_UP_FIELDS = ("held_on", "support_need", "need_fallen", "new_tariff", "tariff_from", "renegotiation_note",
                    "renegotiation_initiative", "outcome", "end_on", "end_reason", "notes")
# A service's name for a field -> the page's field it lands on.
FOLLOW_UP_RENAME = {"answers": "who5", "renegotiation": "new_tariff", "initiative": "renegotiation_initiative"}


def _who5_anchors() -> dict:
    """WHO-5's radio groups link from the error summary to their first radio."""
    first = max(instruments.WHO5.answer_labels)
    anchors = {f"who5_{n}": f"who5_{n}_{first}" for n in range(1, len(instruments.WHO5.items) + 1)}
    anchors["who5"] = anchors["who5_1"]
    return anchors


def _who5_answers(post, errors: PageErrors) -> list[int] | None:
    """The WHO-5 answers posted, or None when none is; each missing or impossible answer is an
    error on its own item, so all of them are listed at once."""
    raw = [post.get(f"who5_{i}", "").strip() for i in range(1, len(instruments.WHO5.items) + 1)]
    if not any(raw):
        return None
    allowed = {str(v) for v in instruments.WHO5.answer_labels}
    before = len(errors.items)
    for n, value in enumerate(raw, start=1):
        if not value:
            errors.add(f"who5_{n}", _("WHO-5 item %(n)d: choose an answer.") % {"n": n})
        elif value not in allowed:
            errors.add(f"who5_{n}", _("WHO-5 item %(n)d: the answer must be one of %(values)s.")
                       % {"n": n, "values": ", ".join(sorted(allowed))})
    return None if len(errors.items) > before else [int(v) for v in raw]


def who5_rows(post, errors=None) -> list[dict]:
    """WHO-5's items with the answer posted (kept after an error) and the item's errors."""
    return [{"n": n, "text": text, "chosen": (post.get(f"who5_{n}") or "").strip(),
              "errors": errors.of(f"who5_{n}") if errors is not None else []}
            for n, text in enumerate(instruments.WHO5.items, 1)]


def _parse_follow_up(post, goals, errors: PageErrors) -> dict:
    """Parse the follow-up form field by field, every error noted on its field (none stops the
    others from being checked); the service checks the rest when nothing is wrong here."""
    def day(name, label, required=True):
        if not required and not (post.get(name) or "").strip():
            return None
        try:
            return _date(post.get(name), label)
        except ValidationError as exc:
            errors.add(name, exc.messages[0])
            return None

    data = {"held_on": day("held_on", _("Held on")), "progress": {}, "renegotiation": None, "initiative": None,
            "end_on": None}
    for g in goals:
        level = post.get(f"progress_{g.pk}", "")
        if level and level not in GoalProgressLevel.values:
            errors.add(f"progress_{g.pk}", _("Choose the progress of the goal '%(goal)s'.") % {"goal": g})
        elif level:
            data["progress"][g.pk] = (level, post.get(f"progress_note_{g.pk}", ""))
    data["who5"] = _who5_answers(post, errors)
    try:
        data["support_need"] = _chosen(Term.objects.filter(group="support_need"), post.get("support_need"),
                                       _("Support need"))
    except ValidationError as exc:
        errors.add("support_need", exc.messages[0])
    if post.get("new_tariff", "").strip():
        try:
            amount = Decimal(post["new_tariff"].replace(",", "."))
            if not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors.add("new_tariff", _("The new tariff must be an amount in kroner."))
            amount = None
        valid_from = day("tariff_from", _("New tariff from"))
        if amount is not None and valid_from is not None:
            data["renegotiation"] = {"new_amount": amount, "note": post.get("renegotiation_note", ""),
                                     "valid_from": valid_from}
            try:
                data["initiative"] = effect_services.chosen_initiative(
                    post.get("renegotiation_initiative"), [EffectKind.RENEGOTIATION], valid_from)
            except ValidationError as exc:
                errors.add_exc(exc, fields=FOLLOW_UP_FIELDS, rename={"initiative": "renegotiation_initiative"})
    # In the page's order: the outcome, the end date and reason come last.
    if post.get("outcome", "") not in FollowUpOutcome.values:
        errors.add("outcome", _("Choose the follow-up's outcome."))
    data["end_on"] = day("end_on", _("End date"), required=False)
    if post.get("end_reason") and post["end_reason"] not in EndReason.values:
        errors.add("end_reason", _("%(field)s: choose one of the list's options.") % {"field": _("End reason")})
    return data


def _invite(request, follow_up, relatives, errors: PageErrors) -> None:
    """The invitation form: a relative of the citizen and an optional role."""
    relative = citizen_forms.chosen_relative(request.POST, relatives, errors)
    role = request.POST.get("role", "").strip()
    errors.add_all(text_limits.errors(FollowUpParticipant, role=role))
    if not errors:
        services.invite_to_follow_up(follow_up, relative, actor=request.user, role=role)


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
    participants = list(follow_up.participants.select_related("relative"))
    relatives = list(Relative.objects.filter(citizen=citizen).order_by("name"))
    outcomes = FollowUpOutcome.choices
    errors = PageErrors(anchors={**_who5_anchors(), "outcome": f"outcome_{outcomes[0][0]}",
                                 "took_part": f"took_part_{participants[0].pk}" if participants else "took_part"})
    # Three forms post here: the invitation ("invite"), who took part in a held follow-up
    # ("attendance"), and holding the follow-up (no action).
    action = request.POST.get("action", "") if request.method == "POST" else ""
    post = request.POST if request.method == "POST" and not action else {}
    if action == "invite":
        try:
            _invite(request, follow_up, relatives, errors)
        except ValidationError as exc:
            errors.add_exc(exc, fields=("relative", "role"))
        if not errors:
            messages.success(request, _("The invitation is recorded."))
            return redirect("outcomes:follow_up", follow_up_pk=follow_up.pk)
    elif action == "attendance":
        try:
            services.record_follow_up_attendance(follow_up, citizen_forms.posted_attendance(request.POST, participants),
                                                 actor=request.user)
        except ValidationError as exc:
            errors.add_exc(exc, fields=("took_part",))
        else:
            messages.success(request, _("Who took part is recorded."))
            return redirect("outcomes:follow_up", follow_up_pk=follow_up.pk)
    elif request.method == "POST" and not action and follow_up.held_on is None:
        data = _parse_follow_up(request.POST, goals, errors)
        if not errors:
            try:
                with transaction.atomic():
                    services.hold_follow_up(
                        follow_up, actor=request.user, held_on=data["held_on"],
                        outcome=request.POST.get("outcome", ""), notes=request.POST.get("notes", ""),
                        goal_progress=data["progress"], support_need=data["support_need"],
                        need_fallen=request.POST.get("need_fallen") == "on", who5_answers=data["who5"],
                        renegotiation=data["renegotiation"], end_reason=request.POST.get("end_reason", ""),
                        end_on=data["end_on"], attendance=citizen_forms.posted_attendance(request.POST, participants))
                    made = follow_up.renegotiations.order_by("-pk").first() if data["initiative"] is not None else None
                    if made is not None:
                        # The caseworker links the renegotiation to the initiative it realises (docs/plans.md).
                        effect_services.link_event(data["initiative"], actor=request.user, renegotiation=made)
            except ValidationError as exc:
                errors.add_exc(exc, fields=FOLLOW_UP_FIELDS + ("who5", "took_part"), rename=FOLLOW_UP_RENAME)
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
    # The citizen's own rating beside the staff's latest progress; a wide gap is a point on the agenda.
    views = helm_services.both_views(goals)
    goal_rows = [{"goal": g, "progress": post.get(f"progress_{g.pk}", ""), "note": post.get(f"progress_note_{g.pk}", ""),
                  "errors": errors.of(f"progress_{g.pk}"), "views": v} for g, v in zip(goals, views, strict=True)]
    invited = {p.relative_id for p in participants}
    return render(request, "outcomes/follow_up.html", {
        "follow_up": follow_up, "citizen": citizen, "goal_rows": goal_rows, "errors": errors, "post": post,
        "differing": [v for v in views if v.differs],
        # A held follow-up: what the staff recorded at it beside what the citizen had said by then.
        "held_views": helm_services.both_views_at(follow_up),
        "progress_levels": GoalProgressLevel.choices, "outcomes": outcomes, "today": today,
        "end_reasons": EndReason.choices,
        "renegotiation_initiatives": effect_services.linkable_initiatives([EffectKind.RENEGOTIATION], today),
        "support_needs": themes.support_needs(), "tariffs": tariffs, "measurements": measurements[-4:],
        "who5_rows": who5_rows(post, errors), "who5_errors": errors.of("who5"),
        "answer_labels": sorted(instruments.WHO5.answer_labels.items(), reverse=True),
        "participants": participants, "invitable": [r for r in relatives if r.pk not in invited],
        "has_relatives": bool(relatives), "invite_post": request.POST if action == "invite" else {},
        "invite_errors": action == "invite", "role_limit": text_limits.of(FollowUpParticipant, "role"),
        "consent": citizen_services.valid_consent(citizen, ConsentSubject.NETWORK_MEETING, services.meeting_day(follow_up, today)),
        "attendance": citizen_forms.attendance_rows(participants, request.POST if request.method == "POST" else {}),
        "attendance_choices": Attendance.choices,
        "limits": {"notes": text_limits.of(FollowUp, "notes"), "progress_note": text_limits.of(GoalProgress, "note"),
                   "renegotiation_note": text_limits.of(TariffRenegotiation, "note")}})


@role_required(CASE)
def compliance(request):
    today = datetime.date.today()
    # A work list like the follow-ups: a centre's list runs into thousands, which no one reads on
    # one page; filtered, sorted and paged, with the citizens read for the page shown only.
    page = lists.page_of(outcome_lists.COMPLIANCE, queries.missing_rows(request.user, today), request.GET,
                         request.user, load=queries.shown_missing, count_with_page=True)
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
