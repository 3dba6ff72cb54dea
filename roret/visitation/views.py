"""Case-flow pages: cases and deadlines, inquiry, screening, assessment, decision and placement,
the decision letter, the citizen timeline and FHIR export, transitions. Views are thin: they
parse, authorise through the gate, call a service and render."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roret.citizens import forms as citizen_forms
from roret.citizens import services as citizen_services
from roret.citizens.models import Attendance, Citizen, ConsentSubject, Relative
from roret.core import audit, lists, permissions, text_limits
from roret.core.access import role_required
from roret.core.forms import PageErrors, apply_errors
from roret.core.models import Term
from roret.core.parsing import id_or_none
from roret.core.permissions import (
    CASE_FILE_READERS,
    CASE_READERS,
    CASE_ROLES,
    CASEWORKERS,
    CHANGE,
    EXPORT,
    has_role,
)
from roret.journal.corrections import history as correction_history
from roret.meetings import queries as meeting_queries
from roret.meetings import services as meeting_services
from roret.offers.models import Offer
from roret.offers.queries import catalogue, with_vacancy
from roret.placements.services import PlacementError
from roret.plans import effect_services
from roret.plans.effects import REPLACEMENTS
from roret.plans.models import EffectKind, LinkedAction
from roret.reports import list_export
from roret.visitation import forms, queries, services, staircase, themes
from roret.visitation import lists as case_lists
from roret.visitation.models import (
    YOUTH_CHECKLIST,
    Assessment,
    Decision,
    Inquiry,
    NetworkMeeting,
    NetworkMeetingParticipant,
    ThemeAssessment,
    Transition,
)

CW = CASEWORKERS
CASE = CASE_ROLES


def _inquiry(request, pk) -> Inquiry:
    return citizen_services.get_record(request.user, Inquiry.objects.select_related("citizen", "caseworker", "team"),
                                       pk, summary="Henvendelse vist")


@role_required(CASE_FILE_READERS)
def cases(request):
    today = datetime.date.today()
    rows = queries.open_cases(request.user)
    summary = case_lists.deadline_summary(rows, request.user, today)
    page = lists.page_of(case_lists.CASES, rows, request.GET, request.user,
                         load=lambda cut: queries.shown_cases(cut, today),
                         total=lambda chosen: case_lists.known_total(chosen, summary))
    if request.GET.get("format") == "xlsx":
        return _cases_workbook(request, page, today)
    audit.listed(request.user, "cases", [r.citizen_id for r in page.rows])
    at_meeting = meeting_queries.waiting_for_inquiries([r.pk for r in page.rows])
    for r in page.rows:
        r.meeting_proposal = at_meeting.get(r.pk)
    only_mine = page.params.get("who") == "mine"
    return render(request, "visitation/cases.html", {
        "page": page, "rows": page.rows, "summary": summary, "only_mine": only_mine, "today": today,
        # Toggling "only mine" keeps the other filters and the sort chosen, from the first page.
        "mine_query": page.query(who=None if only_mine else "mine", page=None),
        "near_days": queries.deadlines.NEAR_WORKING_DAYS, "may_change": has_role(request.user, CW),
        "export_url": page.export_query if permissions.has_role(request.user, permissions.LIST_EXPORTERS) else ""})


def _cases_workbook(request, page, today):
    """The whole filtered list of cases as Excel (audited as an export)."""
    rows = queries.shown_cases(page.filtered, today)
    headers = [c.label for c in page.spec.columns]
    cells = [[r.citizen.name, r.received_on, r.get_source_display(), r.get_paragraph_display(),
              _("Screening (step 1)") if r.step == "screening" else _("Assessment and decision (step 2)"),
              (r.caseworker.get_full_name() or r.caseworker.username) if r.caseworker else _("Not assigned"),
              r.deadline, r.working_days_left] for r in rows]
    return list_export.response(request.user, "cases", headers, cells,
                                citizen_ids=[r.citizen_id for r in rows], filename="sager")


@role_required(CW)
def inquiry_new(request):
    form = forms.InquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inquiry = services.register_inquiry(
                actor=request.user, cpr=data["cpr"], first_name=data["first_name"], last_name=data["last_name"],
                source=data["source"], source_detail=data["source_detail"], received_on=data["received_on"],
                about=data["about"], paragraph=data["paragraph"], take_reason=data["take_reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
            return render(request, "visitation/inquiry_new.html", {"form": forms.show_take_reason(form)})
        if isinstance(inquiry, services.Routed):
            messages.success(request, _("The citizen is in another team's caseload: the inquiry has been sent to the "
                                        "responsible team, which takes it on. The deadline is %(day)s.")
                             % {"day": f"{inquiry.deadline:%d.%m.%Y}"})
            return redirect("visitation:cases")
        messages.success(request, _("Inquiry registered; the deadline is %(day)s.")
                         % {"day": f"{inquiry.deadline:%d.%m.%Y}"})
        return redirect("visitation:inquiry", inquiry_pk=inquiry.pk)
    return render(request, "visitation/inquiry_new.html", {"form": forms.show_take_reason(form)})


@role_required(CW)
@require_POST
def inquiry_take(request, inquiry_pk):
    """A caseworker of the responsible team takes an inquiry that was sent to the team unassigned."""
    try:
        services.take_inquiry(Inquiry(pk=inquiry_pk), actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The case is yours."))
    return redirect("visitation:cases")


@role_required(CASE_FILE_READERS)
def inquiry(request, inquiry_pk):
    inquiry = _inquiry(request, inquiry_pk)
    may_change = has_role(request.user, CW)
    if request.method == "POST" and not may_change:
        raise PermissionDenied  # the department leader reads the case file; the caseworker screens
    screening = getattr(inquiry, "screening", None) if hasattr(inquiry, "screening") else None
    form = forms.ScreeningForm(request.POST or None)
    if request.method == "POST" and screening is None and form.is_valid():
        try:
            services.screen(inquiry, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Screening recorded."))
            return redirect("visitation:inquiry", inquiry_pk=inquiry.pk)
    queries.with_deadline_status(inquiry, datetime.date.today())
    return render(request, "visitation/inquiry.html", {
        "inquiry": inquiry, "citizen": inquiry.citizen, "screening": screening, "form": form, "may_change": may_change,
        "deadline_status": inquiry.deadline_status, "working_days_left": inquiry.working_days_left,
        "assessments": inquiry.assessments.order_by("-version"),
        "decisions": inquiry.decisions.all(), "corrections": correction_history(inquiry)})


def _assessment_input(post):
    levels, notes = {}, {}
    for key, value in post.items():
        if key.startswith("level_"):
            theme_id = int(key.removeprefix("level_"))
            levels[theme_id] = int(value) if value != "" else None
        elif key.startswith("notes_") and value.strip():
            notes[int(key.removeprefix("notes_"))] = value
    # Sub-themes left "not assessed" and without notes are not recorded at all.
    main = {n.term.pk for n in themes.activity_themes()}
    levels = {k: v for k, v in levels.items() if v is not None or k in main or k in notes}
    return levels, notes


# The assessment form's fields that the service names in its refusals.
ASSESSMENT_FIELDS = ("hopes", "what_matters", "wished_offer_types", "support_need", "target_groups",
                     "meeting_held_on", "levels", "notes", "meeting_relatives", "meeting_providers", "meeting_notes")


def _assessment_meeting(post, errors: PageErrors) -> dict | None:
    if not post.get("meeting_held_on"):
        return None
    try:
        held_on = datetime.date.fromisoformat(post["meeting_held_on"])
    except ValueError:
        errors.add("meeting_held_on", _("Network meeting: give the day it was held (DD-MM-YYYY)."))
        return None
    return {"held_on": held_on, "citizen_took_part": post.get("meeting_citizen") == "on",
            "relatives": post.get("meeting_relatives", ""), "providers": post.get("meeting_providers", ""),
            "notes": post.get("meeting_notes", "")}


@role_required(CW)
def assessment_new(request, citizen_id):
    citizen = citizen_services.get_citizen(request.user, citizen_id, action=CHANGE, summary="Udredning åbnet")
    inquiry = None
    if request.GET.get("inquiry") or request.POST.get("inquiry"):
        inquiry = permissions.fetch(request.user, CHANGE, Inquiry.objects.filter(citizen=citizen),
                                    request.GET.get("inquiry") or request.POST.get("inquiry"))
    previous = citizen.assessments.order_by("-version").prefetch_related("themes").first()
    # The level selects link from the error summary to the first theme's.
    errors = PageErrors(anchors={"levels": "themes", "notes": "themes", "target_groups": "target_groups",
                                 "wished_offer_types": "wished_offer_types"})
    post = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        levels = notes = None
        try:
            levels, notes = _assessment_input(request.POST)
        except ValueError:
            errors.add("levels", _("A date or a level could not be read; check the form."))
        # Every field is checked before the service is asked, so the page lists every error at once.
        if not request.POST.get("hopes", "").strip():
            errors.add("hopes", _("Write the citizen's own perspective first: hopes, wishes and dreams in their "
                                  "own words."))
        errors.add_all(text_limits.errors(Assessment, hopes=request.POST.get("hopes", "").strip(),
                                          what_matters=request.POST.get("what_matters", "").strip()))
        need = Term.objects.filter(group="support_need", pk=id_or_none(request.POST.get("support_need")) or 0).first()
        if need is None:
            errors.add("support_need", _("Choose the overall support-need level."))
        meeting = _assessment_meeting(request.POST, errors)
        if not errors:
            try:
                assessment = services.assess(
                    citizen, actor=request.user, inquiry=inquiry, hopes=request.POST.get("hopes", ""),
                    meeting=meeting, what_matters=request.POST.get("what_matters", ""), support_need=need,
                    levels=levels, notes=notes,
                    target_groups=list(Term.objects.filter(group="target_group",
                                                           pk__in=_ids(request.POST.getlist("target_groups")))),
                    wished_offer_types=list(Term.objects.filter(
                        group="offer_type", pk__in=_ids(request.POST.getlist("wished_offer_types")))))
            except ValidationError as exc:
                errors.add_exc(exc, fields=ASSESSMENT_FIELDS, rename={"meeting": "meeting_held_on"})
            else:
                messages.success(request, _("Assessment version %(v)d recorded.") % {"v": assessment.version})
                return redirect("visitation:assessment", assessment_pk=assessment.pk)
    before = {t.theme_id: t for t in previous.themes.all()} if previous else {}

    def row(term):
        old = before.get(term.pk)
        level = "" if old is None or old.level is None else str(old.level)
        notes = old.notes if old else ""
        if post:
            # After an error the page shows what was typed, not the earlier version's.
            level, notes = post.get(f"level_{term.pk}", ""), post.get(f"notes_{term.pk}", "")
        return {"term": term, "previous": themes.level_label(old.level) if old else "",
                "previous_level": level, "previous_notes": notes}

    activity = [{**row(n.term), "children": [row(c) for c in n.children]} for n in themes.activity_themes()]
    note_rows = [{**row(n.term), "children": [c.display for c in n.children]} for n in themes.note_themes()]
    chosen_groups = (set(post.getlist("target_groups")) if post
                     else {str(pk) for pk in citizen.target_groups.values_list("pk", flat=True)})
    return render(request, "visitation/assessment_new.html", {
        "citizen": citizen, "inquiry": inquiry, "errors": errors, "post": post, "previous": previous,
        "activity": activity, "note_themes": note_rows,
        "levels": themes.LEVEL_CHOICES, "support_needs": themes.support_needs(),
        "target_group_choices": themes.choice_groups("target_group", chosen_groups),
        "offer_type_choices": themes.choice_groups("offer_type", set(post.getlist("wished_offer_types")) if post
                                                   else set()),
        "meeting_citizen": post.get("meeting_citizen") == "on" if post else True,
        "limits": {name: text_limits.of(model, field) for name, model, field in (
            ("hopes", Assessment, "hopes"), ("what_matters", Assessment, "what_matters"),
            ("notes", ThemeAssessment, "notes"), ("meeting_relatives", NetworkMeeting, "relatives"),
            ("meeting_providers", NetworkMeeting, "providers"), ("meeting_notes", NetworkMeeting, "notes"))}})


def _ids(values) -> list[int]:
    """The ids among posted values (anything else is dropped, as a choice that is no term is)."""
    return [i for i in (id_or_none(v) for v in values) if i is not None]


def _assessment(request, pk) -> Assessment:
    return citizen_services.get_record(
        request.user, Assessment.objects.select_related("citizen", "support_need", "inquiry"), pk,
        summary="Udredning vist")


def _meeting_post(request, assessment, meetings, errors: PageErrors) -> str:
    """A network meeting's forms on the assessment page: invite a relative ("invite") or record who
    took part ("attendance"). The meeting and the write go through the gate for "change" in the
    service; the message to show when it is done."""
    meeting = permissions.fetch(request.user, CHANGE, NetworkMeeting.objects.filter(assessment=assessment),
                                request.POST.get("meeting"), via="assessment__citizen")
    meeting = next(m for m in meetings if m.pk == meeting.pk)
    if request.POST.get("action") == "invite":
        relative = citizen_forms.chosen_relative(request.POST, meeting.relatives_of_citizen, errors)
        role = request.POST.get("role", "").strip()
        errors.add_all(text_limits.errors(NetworkMeetingParticipant, role=role))
        if not errors:
            services.invite_to_meeting(meeting, relative, actor=request.user, role=role)
        return _("The invitation is recorded.")
    services.record_meeting_attendance(
        meeting, citizen_forms.posted_attendance(request.POST, meeting.participant_rows), actor=request.user)
    return _("Who took part is recorded.")


@role_required(CASE_READERS)
def assessment(request, assessment_pk):
    assessment = _assessment(request, assessment_pk)
    citizen = assessment.citizen
    today = datetime.date.today()
    relatives = list(Relative.objects.filter(citizen=citizen).order_by("name"))
    meetings = list(assessment.meetings.prefetch_related("participants__relative"))
    for m in meetings:
        m.participant_rows = list(m.participants.all())
        m.relatives_of_citizen = relatives
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST":
        # Every POST here writes to the case: refused (404) to whoever may only read it.
        permissions.fetch(request.user, CHANGE, Citizen, citizen.pk)
    posted = id_or_none(request.POST.get("meeting")) if action else None
    errors = PageErrors(anchors={"relative": f"relative-{posted}", "role": f"role-{posted}",
                                 "took_part": f"attendance-{posted}"})
    if action in ("invite", "attendance"):
        try:
            done = _meeting_post(request, assessment, meetings, errors)
        except ValidationError as exc:
            errors.add_exc(exc, fields=("relative", "role", "took_part"))
        if not errors:
            messages.success(request, done)
            return redirect("visitation:assessment", assessment_pk=assessment.pk)
    for m in meetings:
        invited = {p.relative_id for p in m.participant_rows}
        m.invitable = [r for r in relatives if r.pk not in invited]
        m.consent = citizen_services.valid_consent(citizen, ConsentSubject.NETWORK_MEETING, m.held_on)
        m.attendance = citizen_forms.attendance_rows(m.participant_rows, request.POST if m.pk == posted else {})
        m.invite_post = request.POST if m.pk == posted and action == "invite" else {}
        m.invite_errors = m.pk == posted and action == "invite"
        m.invite_suffix = f"-{m.pk}"
        m.attendance_errors = m.pk == posted and action == "attendance"
    return render(request, "visitation/assessment.html", {
        "assessment": assessment, "citizen": citizen,
        "differences": services.theme_differences(assessment),
        "notes": assessment.themes.exclude(theme_id__in=themes.levelled_theme_ids()).select_related("theme"),
        "meetings": meetings, "target_groups": assessment.target_groups.all(),
        "wished": assessment.wished_offer_types.all(),
        "versions": Assessment.objects.filter(citizen=citizen).order_by("-version"),
        # The visitation meeting's answers to proposals made on this case (a sent-back one with its reason).
        "proposals": meeting_queries.for_citizen(assessment.citizen_id)[:5],
        "errors": errors, "today": today, "can_invite": has_role(request.user, CASEWORKERS),
        "attendance_choices": Attendance.choices, "role_limit": text_limits.of(NetworkMeetingParticipant, "role")})


@role_required(CW)
def decision_new(request, assessment_pk):
    assessment = _assessment(request, assessment_pk)
    citizen = assessment.citizen
    today = datetime.date.today()
    offers = Offer.objects.filter(requires_visitation=True).order_by("staircase_step", "name")
    data = request.POST or None
    if data is not None and not data.get("offer") and data.get("pick"):
        # The staircase's "Choose" radio belongs to this form: without JavaScript to copy it into
        # the Offer field, its value is the offer chosen (an offer picked in the field itself wins).
        data = data.copy()
        data["offer"] = data["pick"]
    form = forms.DecisionForm(data, offers=offers,
                              initial={"start": today, "review_on": today + datetime.timedelta(days=365)})
    if request.method == "POST" and form.is_valid():
        fields = forms.decision_fields(form.cleaned_data)
        proposal = decision = None
        try:
            # A decision the meeting rule names goes to the visitation meeting as a proposal instead.
            if meeting_services.needs_meeting(**fields):
                proposal = meeting_services.propose(citizen, actor=request.user, assessment=assessment, **fields)
            else:
                decision = services.decide(citizen, actor=request.user, assessment=assessment, **fields)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if proposal is not None:
                meeting = proposal.meeting
                messages.success(request, _(
                    "The decision goes to the visitation meeting on %(day)s: it is made when the meeting approves "
                    "it. The case's deadlines keep running.") % {"day": f"{meeting.held_on:%d.%m.%Y}"}
                    if meeting else _("The decision goes to the visitation meeting: no meeting is planned yet, "
                                      "the department leader puts it on the next one. The case's deadlines keep "
                                      "running."))
                return redirect("visitation:assessment", assessment_pk=assessment.pk)
            messages.success(request, _("Decision recorded."))
            return redirect("visitation:decision", decision_pk=decision.pk)
    # The proposal is for the page; the service works out the staircase itself when it decides.
    lowest, proposals = staircase.propose(citizen, assessment, today)
    forms.offers_by_step(form, lowest)
    return render(request, "visitation/decision_new.html", {
        "assessment": assessment, "citizen": citizen, "form": form, "lowest": lowest, "proposals": proposals,
        "meeting_rule": meeting_services.rule(),
        "lowest_label": staircase.StaircaseStep(lowest).label if lowest in staircase.StaircaseStep.values else lowest})


def _decision(request, pk, *, summary: str, action: str = "view") -> Decision:
    return citizen_services.get_record(
        request.user,
        Decision.objects.select_related("citizen", "offer", "offer_type", "grant", "decided_by", "assessment"),
        pk, summary=summary, action=action)


@role_required(CASE_FILE_READERS)
def decision(request, decision_pk):
    decision = _decision(request, decision_pk, summary="Afgørelse vist")
    may_change = has_role(request.user, CW)
    if request.method == "POST" and not may_change:
        raise PermissionDenied  # the department leader reads the decision; the caseworker places
    today = datetime.date.today()
    initiatives = effect_services.linkable_initiatives(REPLACEMENTS, today)
    form = forms.PlacementForm(request.POST or None, offers=Offer.objects.all(), initiatives=initiatives,
                               initial={"offer": decision.offer_id, "start": decision.start})
    if request.method == "POST" and decision.grant_id:
        if request.POST.get("action") == "wait":
            offer = Offer.objects.filter(pk=id_or_none(request.POST.get("offer")) or 0).first()
            if offer is None:
                form.add_error("offer", _("Choose the offer the grant waits for."))
            else:
                services.wait_for_offer(decision, offer, actor=request.user)
                messages.success(request, _("The grant is on the waiting list for %(offer)s.") % {"offer": offer})
                return redirect("visitation:decision", decision_pk=decision.pk)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    initiative = effect_services.chosen_initiative(data.get("initiative"), REPLACEMENTS, data["start"])
                    placement = services.place_from_decision(
                        decision, data["offer"], data["start"], actor=request.user,
                        over_occupancy_reason=data["over_occupancy_reason"], agreed_amount=data["agreed_amount"],
                        external_reason=data["external_reason"])
                    if initiative is not None:
                        effect_services.link_event(initiative, actor=request.user, placement=placement,
                                                   action=LinkedAction.NEW_PLACEMENT)
            except (PlacementError, ValidationError) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("%(name)s is placed in %(offer)s from %(day)s.")
                                 % {"name": decision.citizen.name, "offer": placement.offer,
                                    "day": f"{placement.start:%d.%m.%Y}"})
                return redirect("visitation:decision", decision_pk=decision.pk)
    placements = decision.grant.placements.select_related("offer") if decision.grant_id else []
    offers = with_vacancy(catalogue(today).filter(legal_basis=decision.paragraph).order_by("staircase_step", "name"))
    return render(request, "visitation/decision.html", {
        "decision": decision, "citizen": decision.citizen, "form": form, "offers": offers,
        "placements": placements, "today": today, "corrections": correction_history(decision),
        "may_change": may_change})


@role_required(CW)
def letter(request, decision_pk):
    from roret.visitation.letter import render_letter

    decision = _decision(request, decision_pk, action=EXPORT, summary="Afgørelsesbrev dannet")
    pdf = render_letter(decision)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="afgoerelse-{decision.pk}.pdf"'
    return response


@role_required(CASE_READERS)
def timeline(request, citizen_id):
    from roret.outcomes.queries import measurement_series
    from roret.visitation.timeline_chart import who5_chart

    citizen = citizen_services.get_citizen(request.user, citizen_id, summary="Borgerens forløb vist")
    today = datetime.date.today()
    return render(request, "visitation/timeline.html", {
        "citizen": citizen, "events": queries.timeline(citizen, today), "today": today,
        "chart": who5_chart(measurement_series(citizen.pk)),
        "is_caseworker": has_role(request.user, CASEWORKERS)})


@role_required(CW)
def fhir_export(request, citizen_id):
    from roret.visitation import fhir

    citizen, text = fhir.export(request.user, citizen_id)
    response = HttpResponse(text, content_type=fhir.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="borger-{citizen.pk}-fhir.json"'
    return response


@role_required(CW)
def transitions(request):
    today = datetime.date.today()
    # The citizens aged 65 or more run into thousands in a large team: a filtered, sorted and paged
    # list (the oldest first), counted in the database.
    youth = queries.youth_transitions(request.user, today)
    elderly = lists.page_of(case_lists.ELDERLY, queries.elderly(request.user, today), request.GET, request.user,
                            load=lambda cut: queries.with_current_placements(cut, today))
    if request.GET.get("format") == "xlsx":
        rows = queries.with_current_placements(elderly.filtered, today)
        cells = [[c.name, c.age_now, ", ".join(str(p.offer) for p in c.current_placements)] for c in rows]
        return list_export.response(request.user, "transitions", [c.label for c in elderly.spec.columns[:3]],
                                    cells, citizen_ids=[c.pk for c in rows], filename="overgange")
    audit.listed(request.user, "transitions", [r.citizen_id for r in youth] + [c.pk for c in elderly.rows])
    return render(request, "visitation/transitions.html", {
        "youth": youth, "elderly": elderly.rows, "page": elderly, "today": today,
        "export_url": elderly.export_query if has_role(request.user, permissions.LIST_EXPORTERS) else ""})


@role_required(CW)
def transition(request, transition_pk):
    row = citizen_services.get_record(request.user, Transition.objects.select_related("citizen"), transition_pk,
                                      summary="Overgang vist")
    errors = PageErrors()
    if request.method == "POST":
        closing = request.POST.get("action") == "close"
        try:
            if closing:
                services.close_transition(row, actor=request.user, end_reason=request.POST.get("end_reason", ""))
                messages.success(request, _("The transition is closed."))
                return redirect("visitation:transitions")
            services.tick_checklist(row, request.POST.get("item", ""), actor=request.user,
                                    done=request.POST.get("done") == "1")
        except ValidationError as exc:
            if not closing:
                messages.error(request, " ".join(exc.messages))
            # The closing form comes back with the reason as typed and the refusal on it.
            errors.add_exc(exc, fields=("end_reason",), default="end_reason")
        if not closing:
            return redirect("visitation:transition", transition_pk=row.pk)
    items = [{"key": k, "label": label, "done_on": row.checklist.get(k)} for k, label in YOUTH_CHECKLIST]
    return render(request, "visitation/transition.html", {"transition": row, "citizen": row.citizen, "items": items,
                                                          "errors": errors, "post": request.POST})


@role_required(CW)
def elderly_care(request, citizen_id):
    citizen = citizen_services.get_citizen(request.user, citizen_id, action=CHANGE, summary="Overgang til ældreområdet")
    errors = PageErrors()
    if request.method == "POST":
        try:
            day = datetime.date.fromisoformat(request.POST.get("on", ""))
        except ValueError:
            day = None
            errors.add("on", _("Give the day the citizen moves (DD-MM-YYYY)."))
        try:
            if day is not None:
                with transaction.atomic():
                    initiative = effect_services.chosen_initiative(request.POST.get("initiative"),
                                                                   [EffectKind.ELDERLY_CARE], day)
                    ended = services.move_to_elderly_care(citizen, actor=request.user, on=day,
                                                          note=request.POST.get("note", ""))
                    for placement in ended if initiative is not None else ():
                        effect_services.link_event(initiative, actor=request.user, placement=placement,
                                                   action=LinkedAction.ENDED_PLACEMENT)
        except ValidationError as exc:
            errors.add_exc(exc, fields=("on", "note", "initiative"))
        if not errors:
            messages.success(request, _("%(name)s has moved to elderly care; the placements are ended.")
                             % {"name": citizen.name})
            return redirect(reverse("visitation:timeline", args=[citizen.pk]))
    from roret.placements.models import Placement

    current = Placement.objects.filter(citizen=citizen, end__isnull=True).select_related("offer")
    return render(request, "visitation/elderly_care.html", {
        "citizen": citizen, "current": current, "errors": errors, "today": datetime.date.today(), "post": request.POST,
        "note_limit": services.elderly_care_note_limit(),
        "initiatives": effect_services.linkable_initiatives([EffectKind.ELDERLY_CARE], datetime.date.today()),
        "chosen_initiative": request.POST.get("initiative", "")})
