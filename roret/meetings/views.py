"""Visitation meeting pages: the meetings and the proposals waiting, one meeting's agenda with the
leader's answers, one proposal (changed by the meeting), and the meeting rule. Thin: parse,
authorise through the gate, call a service, render."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from roret.citizens import services as citizen_services
from roret.core import audit, permissions
from roret.core.access import role_required
from roret.core.forms import PageErrors, apply_errors
from roret.core.parsing import id_or_none
from roret.core.permissions import MEETING_APPROVERS, MEETING_READERS, MEETING_RULE_EDITORS, VIEW
from roret.meetings import forms, queries, services
from roret.meetings.models import Meeting, MeetingStatus, Proposal, ProposalStatus
from roret.offers.models import Offer, StaircaseStep
from roret.visitation.models import DecisionKind

HELD_SHOWN = 12


def _agenda(user, meeting_or_none):
    """The proposals of a meeting (or the unscheduled ones) whose citizens ``user`` may view."""
    proposals = Proposal.objects.filter(permissions.citizen_scope(user, VIEW, via="citizen"))
    proposals = proposals.filter(meeting=meeting_or_none) if meeting_or_none else proposals.filter(
        meeting__isnull=True, status=ProposalStatus.PROPOSED)
    return list(proposals.select_related("citizen", "assessment__support_need", "offer__provider", "offer_type",
                                         "proposed_by", "handled_by", "decision").order_by("proposed_at", "pk"))


def _step_label(step):
    return StaircaseStep(step).label if step in StaircaseStep.values else "–"


def _rows(proposals):
    for p in proposals:
        p.proposed_label, p.lowest_label = _step_label(p.proposed_step), _step_label(p.lowest_adequate_step)
        p.above_lowest = (p.proposed_step or 0) > (p.lowest_adequate_step or 99)
    return proposals


@role_required(MEETING_READERS)
def index(request):
    user = request.user
    is_leader = permissions.has_role(user, MEETING_APPROVERS)
    if request.method == "POST" and not is_leader:
        raise permissions.NotInScope("only a department leader plans meetings")
    plan_form = forms.PlanForm(request.POST if request.method == "POST" else None,
                               initial={"participants": [user.pk]})
    if request.method == "POST" and is_leader and plan_form.is_valid():
        try:
            meeting = services.plan_meeting(actor=user, held_on=plan_form.cleaned_data["held_on"],
                                            participants=plan_form.cleaned_data["participants"])
        except ValidationError as exc:
            apply_errors(plan_form, exc)
        else:
            messages.success(request, _("The visitation meeting is planned."))
            return redirect("meetings:meeting", meeting_pk=meeting.pk)
    today = datetime.date.today()
    unscheduled = _rows(_agenda(user, None))
    audit.listed(user, "meetings_unscheduled", [p.citizen_id for p in unscheduled])
    return render(request, "meetings/index.html", {
        "upcoming": queries.upcoming(today).prefetch_related("participants"),
        "held": Meeting.objects.filter(status=MeetingStatus.HELD).order_by("-held_on")[:HELD_SHOWN],
        "unscheduled": unscheduled, "is_leader": is_leader, "plan_form": plan_form if is_leader else None,
        "can_edit_rule": permissions.has_role(user, MEETING_RULE_EDITORS)})


def _meeting(pk) -> Meeting:
    meeting = Meeting.objects.filter(pk=id_or_none(pk) or 0).first()
    if meeting is None:
        raise permissions.NotInScope("no such meeting")
    return meeting


@role_required(MEETING_READERS)
def meeting(request, meeting_pk):
    user = request.user
    meeting = _meeting(meeting_pk)
    is_leader = permissions.has_role(user, MEETING_APPROVERS)
    answer = forms.AnswerForm(request.POST if request.method == "POST" else None)
    # One error summary at the top for the answer that failed; the reason's message also beside it.
    errors = PageErrors()
    failed = None
    if request.method == "POST" and is_leader:
        action = request.POST.get("action")
        try:
            if action == "hold":
                services.hold_meeting(meeting, actor=user)
                messages.success(request, _("The meeting is marked as held."))
                return redirect("meetings:meeting", meeting_pk=meeting.pk)
            failed = _proposal_on(meeting, request.POST.get("proposal"))
            errors.anchors["reason"] = f"reason-{failed.pk}"
            answer.is_valid()
            reason = answer.cleaned_data.get("reason", "") if hasattr(answer, "cleaned_data") else ""
            if action == "approve":
                services.approve(failed, actor=user)
                messages.success(request, _("Approved: the decision is made."))
            elif action == "send_back":
                services.send_back(failed, actor=user, reason=reason)
                messages.success(request, _("Sent back to the caseworker with the reason."))
            else:
                raise services.MeetingError(_("Choose approve, change or send back."))
        except ValidationError as exc:
            errors.add_exc(exc, fields=("reason",) if failed is not None else ())
        else:
            return redirect("meetings:meeting", meeting_pk=meeting.pk)
    elif request.method == "POST":
        raise permissions.NotInScope("only a department leader answers")
    proposals = _rows(_agenda(user, meeting))
    audit.listed(user, "meeting_agenda", [p.citizen_id for p in proposals], detail=str(meeting))
    return render(request, "meetings/meeting.html", {
        "meeting": meeting, "proposals": proposals, "is_leader": is_leader, "answer": answer, "errors": errors,
        "failed": failed, "participants": meeting.participants.order_by("role", "username"),
        "planned": meeting.status == MeetingStatus.PLANNED, "answerable": services.answerable(meeting)})


def _proposal_on(meeting, pk) -> Proposal:
    proposal = Proposal.objects.filter(meeting=meeting, pk=id_or_none(pk) or 0).first()
    if proposal is None:
        raise services.MeetingError(_("Choose a proposal on this meeting's agenda."))
    return proposal


@role_required(MEETING_READERS)
def proposal(request, proposal_pk):
    user = request.user
    proposal = citizen_services.get_record(
        user, Proposal.objects.select_related("citizen", "assessment__support_need", "offer__provider", "meeting",
                                              "offer_type", "proposed_by", "handled_by", "decision"),
        proposal_pk, summary="Indstilling til visitationsmøde vist")
    is_leader = permissions.has_role(user, MEETING_APPROVERS)
    form = schedule = None
    if is_leader and proposal.status == ProposalStatus.PROPOSED:
        offers = Offer.objects.filter(requires_visitation=True).order_by("staircase_step", "name")
        initial = services.proposal_fields(proposal)
        initial.update(offer=proposal.offer_id, offer_type=proposal.offer_type_id)
        form = forms.ChangeForm(request.POST if request.POST.get("action") == "change" else None,
                                offers=offers, initial=initial, prefix="change")
        meetings = queries.upcoming()
        schedule = forms.ScheduleForm(request.POST if request.POST.get("action") == "schedule" else None,
                                      prefix="schedule", initial={"meeting": proposal.meeting_id})
        schedule.fields["meeting"].choices = [(str(m.pk), str(m)) for m in meetings]
    if request.method == "POST":
        if form is None:
            raise permissions.NotInScope("only a department leader changes a waiting proposal")
        if request.POST.get("action") == "schedule" and schedule.is_valid():
            chosen = Meeting.objects.filter(pk=id_or_none(schedule.cleaned_data["meeting"]) or 0).first()
            try:
                services.schedule(proposal, chosen, actor=user)
            except ValidationError as exc:
                apply_errors(schedule, exc)
            else:
                messages.success(request, _("The proposal is on the agenda of %(meeting)s.") % {"meeting": chosen})
                return redirect("meetings:proposal", proposal_pk=proposal.pk)
        elif request.POST.get("action") == "change" and form.is_valid():
            from roret.visitation.forms import decision_fields

            data = form.cleaned_data
            try:
                services.change(proposal, actor=user, reason=data["reason"], **decision_fields(data))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Approved with changes: the decision is made."))
                return redirect("meetings:proposal", proposal_pk=proposal.pk)
    return render(request, "meetings/proposal.html", {
        "proposal": _rows([proposal])[0], "citizen": proposal.citizen, "form": form, "schedule": schedule,
        "is_leader": is_leader, "grant": proposal.kind == DecisionKind.GRANT,
        "answerable": services.answerable(proposal.meeting)})


@role_required(MEETING_RULE_EDITORS)
def rule(request):
    current = services.rule()
    form = forms.RuleForm(request.POST or None, initial={
        "paragraphs": current.paragraphs, "external_offers": current.external_offers,
        "yearly_cost_above": current.yearly_cost_above})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_rule(actor=request.user, paragraphs=data["paragraphs"], external_offers=data["external_offers"],
                              yearly_cost_above=data["yearly_cost_above"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The meeting rule is saved."))
            return redirect("meetings:rule")
    return render(request, "meetings/rule.html", {"form": form, "rule": current,
                                                   "history": services.rule_history()[1:]})
