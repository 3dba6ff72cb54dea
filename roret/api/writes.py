"""Case-flow writes for one citizen: an inquiry, its screening, an assessment version, a decision
(or its proposal to the visitation meeting), the granted citizen's placement or place on the waiting
list, a journal note, a WHO-5 measurement, a goal, an action-plan step, holding a follow-up.

Thin, as the reads: the role the page checks (403), the citizen through the gate for the page's
action (404 outside the scope, the read audited as the page audits it), then the same service
function the page calls, with channel "api". The service writes the row and its audit entry; its
ValidationError answers 422 with the fields named (roret/api/errors.py). Every operation takes the
Idempotency-Key header (roret/api/idempotency.py)."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema

from roret.api.access import citizen_or_404, require
from roret.api.caseflow import (
    ActionStepOut,
    AssessmentOut,
    DecisionOut,
    FollowUpOut,
    GoalOut,
    GrantOut,
    InquiryOut,
    MeasurementOut,
    PlacementOut,
    assessment_row,
    decision_row,
    follow_up_row,
    goal_row,
    grant_row,
    inquiry_row,
    measurement_row,
    placement_row,
    router,
    step_row,
)
from roret.api.errors import refusals, renamed
from roret.core import permissions
from roret.core.models import Term
from roret.core.permissions import CASE_ROLES, CASEWORKERS, CHANGE, RECORD
from roret.journal import services as journal_services
from roret.meetings import services as meeting_services
from roret.offers.models import Offer
from roret.outcomes import queries as outcome_queries
from roret.outcomes import services as outcome_services
from roret.outcomes.models import FollowUp, Goal, MeasurementOccasion
from roret.placements import services as placement_services
from roret.placements.models import Grant, Placement
from roret.visitation import services as visitation_services
from roret.visitation.models import Assessment, Decision, DecisionKind, Inquiry
from roret.visitation.queries import with_deadline_status
from roret.visitation.services import assessment_history

CHANNEL = "api"


def _created(out):
    return {201: out, **refusals()}


def _term(group: str, code: str | None) -> Term | None:
    """The FFB concept with KL's ``code`` in ``group``, or None (the service then names the field)."""
    return Term.objects.filter(group=group, code=code).first() if code else None


# --- inquiry -----------------------------------------------------------------------------------

class InquiryIn(Schema):
    source: str = Field(description="Who asked: the code of visitation's InquirySource (e.g. citizen, relative).")
    source_detail: str = ""
    received_on: datetime.date = Field(description="Not in the future; the deadline runs from it.")
    about: str
    paragraph: str = Field(description="The service type (legal basis code, e.g. SEL104, SEL108).")


# A write on a read's path takes the read's URL name: one name per path (Django resolves a path to its
# first pattern whatever the method).
@router.post("/citizens/{int:citizen_id}/inquiries", response=_created(InquiryOut), url_name="list_inquiries")
def register_inquiry(request, citizen_id: int, payload: InquiryIn):
    """Register a new inquiry (a new case) for a citizen in your team's caseload; its deadline
    starts from ``received_on`` (caseworkers, as the new-inquiry page)."""
    require(request, CASEWORKERS)
    citizen = citizen_or_404(request, citizen_id, action=CHANGE, summary="Ny henvendelse")
    inquiry = visitation_services.register_inquiry(
        actor=request.user, citizen=citizen, source=payload.source, source_detail=payload.source_detail,
        received_on=payload.received_on, about=payload.about, paragraph=payload.paragraph, channel=CHANNEL)
    return 201, inquiry_row(with_deadline_status(inquiry, datetime.date.today()))


class ScreeningIn(Schema):
    outcome: str = Field(description="in or out (of the target group and service level).")
    reason: str
    screened_on: datetime.date | None = Field(None, description="Default today; not before the inquiry was received.")
    guided_to: str = Field("", description="Where a citizen screened out was guided (visitation's GuidedTo code).")
    guided_to_detail: str = ""


@router.post("/citizens/{int:citizen_id}/inquiries/{int:inquiry_id}/screening", response=_created(InquiryOut))
def screen_inquiry(request, citizen_id: int, inquiry_id: int, payload: ScreeningIn):
    """Screen an inquiry (step 1): in, or out with where the citizen was guided, which closes the
    inquiry (caseworkers, as the inquiry page). Answers the inquiry with its screening."""
    require(request, CASEWORKERS)
    citizen = citizen_or_404(request, citizen_id, action=CHANGE, summary="Henvendelse vist")
    inquiry = permissions.fetch(request.user, CHANGE, Inquiry.objects.filter(citizen=citizen), inquiry_id)
    visitation_services.screen(inquiry, actor=request.user, outcome=payload.outcome, reason=payload.reason,
                               screened_on=payload.screened_on, guided_to=payload.guided_to,
                               guided_to_detail=payload.guided_to_detail, channel=CHANNEL)
    inquiry = Inquiry.objects.select_related("screening").get(pk=inquiry.pk)
    return 201, inquiry_row(with_deadline_status(inquiry, datetime.date.today()))


# --- assessment --------------------------------------------------------------------------------

class ThemeLevelIn(Schema):
    theme: str = Field(description="KL's code of an FFB theme.")
    level: int | None = Field(None, description="0 (none) .. 4 (complete) for a theme under 'Aktivitet og "
                                                "deltagelse'; none = not assessed or a theme that takes notes.")
    notes: str = ""


class AssessmentIn(Schema):
    hopes: str = Field(description="The citizen's own perspective: hopes, wishes and dreams in their own words.")
    support_need: str = Field(description="KL's code of the overall support-need level.")
    what_matters: str = ""
    assessed_on: datetime.date | None = Field(None, description="Default today.")
    themes: list[ThemeLevelIn] = Field(default_factory=list)
    inquiry_id: int | None = Field(None, description="The citizen's inquiry the assessment answers, or none.")


@router.post("/citizens/{int:citizen_id}/assessments", response=_created(AssessmentOut), url_name="list_assessments")
def add_assessment(request, citizen_id: int, payload: AssessmentIn):
    """Record a new assessment version (step 2) with FFB levels and notes per theme (caseworkers, as
    the assessment page; target groups, wished offer types and the network meeting stay on the page)."""
    require(request, CASEWORKERS)
    citizen = citizen_or_404(request, citizen_id, action=CHANGE, summary="Udredning åbnet")
    inquiry = None
    if payload.inquiry_id is not None:
        inquiry = citizen.inquiries.filter(pk=payload.inquiry_id).first()
        if inquiry is None:
            raise ValidationError({"inquiry_id": _("%(field)s: choose one of the list's options.")
                                   % {"field": _("Inquiry")}})
    by_code = dict(Term.objects.filter(group="theme", code__in=[t.theme for t in payload.themes])
                   .values_list("code", "pk"))
    unknown = sorted({t.theme for t in payload.themes} - set(by_code))
    if unknown:
        raise ValidationError({"themes": _("Unknown FFB themes: %(ids)s.") % {"ids": unknown}})
    levels = {by_code[t.theme]: t.level for t in payload.themes if t.level is not None}
    notes = {by_code[t.theme]: t.notes for t in payload.themes if t.notes.strip()}
    try:
        assessment = visitation_services.assess(
            citizen, actor=request.user, hopes=payload.hopes, support_need=_term("support_need", payload.support_need),
            levels=levels, notes=notes, assessed_on=payload.assessed_on, what_matters=payload.what_matters,
            inquiry=inquiry, channel=CHANNEL)
    except ValidationError as exc:
        raise renamed(exc, {"levels": "themes", "notes": "themes"}) from exc
    return 201, next(assessment_row(a) for a in assessment_history(citizen) if a.pk == assessment.pk)


# --- decision ----------------------------------------------------------------------------------

class DecisionIn(Schema):
    kind: str = Field(description="grant or refusal.")
    paragraph: str = Field("", description="The legal basis code (e.g. SEL104); default the offer's.")
    justification: str = Field(description="The justification the citizen reads in the decision letter.")
    offer_id: int | None = Field(None, description="A grant's offer (one the visitation grants places in).")
    offer_type: str | None = Field(None, description="A grant without an offer: KL's code of the FFB offer type.")
    scope: str = ""
    hours_per_week: Decimal | None = Field(None, ge=0, max_digits=6, decimal_places=2)
    start: datetime.date | None = Field(None, description="A grant's start.")
    review_on: datetime.date | None = Field(None, description="A grant's review date, after the start.")
    intrusive_reason: str = Field("", description="Why a step above the staircase's lowest adequate one.")


class ProposalOut(Schema):
    """A decision the visitation meeting's rule sends to the meeting: nothing is decided until the
    department leader approves it there."""

    id: int
    status: str
    meeting_on: datetime.date | None = Field(description="The meeting it is on the agenda of; null until one is planned.")


@router.post("/citizens/{int:citizen_id}/assessments/{int:assessment_id}/decisions",
             response={201: DecisionOut, 202: ProposalOut, **refusals()})
def decide(request, citizen_id: int, assessment_id: int, payload: DecisionIn):
    """Decide on an assessment: a grant (which goes on the waiting list and gets its first follow-up)
    or a refusal (caseworkers, as the decision page). A decision the visitation meeting's rule names
    goes to the meeting as a proposal instead: 202 with the proposal."""
    require(request, CASEWORKERS)
    citizen = citizen_or_404(request, citizen_id, action=CHANGE, summary="Afgørelse åbnet")
    assessment = permissions.fetch(request.user, CHANGE, Assessment.objects.filter(citizen=citizen), assessment_id)
    offer = None
    if payload.offer_id is not None:
        offer = Offer.objects.filter(requires_visitation=True, pk=payload.offer_id).first()
        if offer is None:
            raise ValidationError({"offer_id": _("%(field)s: choose one of the list's options.") % {"field": _("Offer")}})
    offer_type = _term("offer_type", payload.offer_type)
    if payload.offer_type and offer_type is None:
        raise ValidationError({"offer_type": _("A grant names the kind of offer (FFB offer type) or an offer.")})
    grant = payload.kind == DecisionKind.GRANT
    # As the page's form gives them (visitation.forms.decision_fields).
    fields = {"kind": payload.kind, "paragraph": payload.paragraph or (offer.legal_basis if offer else ""),
              "justification": payload.justification, "offer": offer, "offer_type": offer_type,
              "scope": payload.scope, "hours_per_week": payload.hours_per_week,
              "start": payload.start if grant else None, "review_on": payload.review_on if grant else None,
              "intrusive_reason": payload.intrusive_reason}
    try:
        if meeting_services.needs_meeting(**fields):
            proposal = meeting_services.propose(citizen, actor=request.user, assessment=assessment, channel=CHANNEL,
                                                **fields)
            return 202, {"id": proposal.pk, "status": proposal.status,
                         "meeting_on": proposal.meeting.held_on if proposal.meeting else None}
        decision = visitation_services.decide(citizen, actor=request.user, assessment=assessment, channel=CHANNEL,
                                              **fields)
    except ValidationError as exc:
        raise renamed(exc, {"offer": "offer_id"}) from exc
    return 201, decision_row(decision)


# --- placement and waiting list -----------------------------------------------------------------

def _granting(request, citizen_id: int, decision_id: int) -> Decision:
    require(request, CASEWORKERS)
    citizen = citizen_or_404(request, citizen_id, action=CHANGE, summary="Afgørelse vist")
    return permissions.fetch(request.user, CHANGE, Decision.objects.filter(citizen=citizen), decision_id)


def _offer(offer_id: int) -> Offer:
    offer = Offer.objects.filter(pk=offer_id).first()
    if offer is None:
        raise ValidationError({"offer_id": _("%(field)s: choose one of the list's options.") % {"field": _("Offer")}})
    return offer


class PlacementIn(Schema):
    offer_id: int
    start: datetime.date
    agreed_amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2,
                                          description="An external offer's agreed tariff (kr.).")
    over_occupancy_reason: str = Field("", description="Needed when the offer is full.")
    external_reason: str = Field("", description="Why an external offer (placements' ExternalReason code).")


@router.post("/citizens/{int:citizen_id}/decisions/{int:decision_id}/placements", response=_created(PlacementOut))
def place(request, citizen_id: int, decision_id: int, payload: PlacementIn):
    """Place the citizen a decision granted in an offer from ``start`` (caseworkers, as the decision
    page); a residential placement brings the first follow-up forward to three months after move-in."""
    decision = _granting(request, citizen_id, decision_id)
    placement = visitation_services.place_from_decision(
        decision, _offer(payload.offer_id), payload.start, actor=request.user,
        over_occupancy_reason=payload.over_occupancy_reason, agreed_amount=payload.agreed_amount,
        external_reason=payload.external_reason, channel=CHANNEL)
    return 201, placement_row(placement)


class WaitIn(Schema):
    offer_id: int = Field(description="The offer the grant waits for.")


@router.post("/citizens/{int:citizen_id}/decisions/{int:decision_id}/waiting-list", response=_created(GrantOut))
def wait_for_offer(request, citizen_id: int, decision_id: int, payload: WaitIn):
    """Put a decision's grant on the waiting list for an offer (caseworkers, as the decision page).
    Answers the grant, with the offer it waits for."""
    decision = _granting(request, citizen_id, decision_id)
    grant = visitation_services.wait_for_offer(decision, _offer(payload.offer_id), actor=request.user,
                                               channel=CHANNEL)
    return 201, grant_row(Grant.objects.select_related("offer_type").get(pk=grant.pk))


# --- journal note ------------------------------------------------------------------------------

class NoteIn(Schema):
    noted_on: datetime.date = Field(description="The day the note is about; not in the future.")
    category: str = Field(description="conversation, phone, meeting, observation, correspondence or decision_note.")
    text: str
    inquiry_id: int | None = Field(None, description="One of the citizen's own inquiries (cases), or none.")


class NoteOut(Schema):
    id: int
    noted_on: datetime.date
    category: str
    text: str
    inquiry_id: int | None


@router.post("/citizens/{int:citizen_id}/journal", response=_created(NoteOut))
def add_note(request, citizen_id: int, payload: NoteIn):
    """Write a note in the citizen's journal (the "record" action: the team's caseworker and the
    staff of the centre the citizen lives in, as the journal page). A note is never changed afterwards."""
    require(request, CASE_ROLES)
    citizen = citizen_or_404(request, citizen_id, action=RECORD, summary="Nyt journalnotat")
    inquiry = None
    if payload.inquiry_id is not None:
        inquiry = citizen.inquiries.filter(pk=payload.inquiry_id).first()
        if inquiry is None:
            raise ValidationError({"inquiry_id": _("Choose one of the citizen's own cases.")})
    try:
        note = journal_services.add_note(citizen, actor=request.user, noted_on=payload.noted_on,
                                         category=payload.category, text=payload.text, inquiry=inquiry,
                                         channel=CHANNEL)
    except ValidationError as exc:
        raise renamed(exc, {"inquiry": "inquiry_id"}) from exc
    return 201, {"id": note.pk, "noted_on": note.noted_on, "category": note.category, "text": note.text,
                 "inquiry_id": note.inquiry_id}


# --- measurement -------------------------------------------------------------------------------

class MeasurementIn(Schema):
    answers: list[int] = Field(description="WHO-5's five answers, each 0-5, in the instrument's order.")
    measured_on: datetime.date | None = Field(None, description="Default today; not in the future.")
    occasion: str = Field(MeasurementOccasion.OTHER,
                          description="move_in, follow_up, expensive, assessment or other.")


@router.post("/citizens/{int:citizen_id}/measurements", response=_created(MeasurementOut), url_name="list_measurements")
def record_measurement(request, citizen_id: int, payload: MeasurementIn):
    """Record a WHO-5 measurement, scored by the instrument's exact rule (as the goals page)."""
    require(request, CASE_ROLES)
    citizen = citizen_or_404(request, citizen_id, action=RECORD, summary="Mål og målinger vist")
    measurement = outcome_services.record_measurement(
        citizen, "WHO-5", payload.answers, actor=request.user, measured_on=payload.measured_on,
        occasion=payload.occasion, channel=CHANNEL)
    return 201, measurement_row(measurement)


# --- goals and action plans --------------------------------------------------------------------

class GoalIn(Schema):
    goal_type: str = Field(description="KL's code of the FFB goal type (develop, maintain, limit loss).")
    theme: str = Field(description="KL's code of the FFB theme (a sub-theme) the goal concerns.")
    own_words: str = Field(description="The goal in the citizen's own words.")
    target_date: datetime.date = Field(description="After today.")
    grant_id: int | None = Field(None, description="One of the citizen's grants the goal belongs to, or none.")


@router.post("/citizens/{int:citizen_id}/goals", response=_created(GoalOut), url_name="list_goals")
def add_goal(request, citizen_id: int, payload: GoalIn):
    """Set a goal with the citizen (as the goals page)."""
    require(request, CASE_ROLES)
    citizen = citizen_or_404(request, citizen_id, action=RECORD, summary="Mål og målinger vist")
    grant = None
    if payload.grant_id is not None:
        grant = Grant.objects.filter(citizen=citizen, pk=payload.grant_id).first()
        if grant is None:
            raise ValidationError({"grant_id": _("%(field)s: choose one of the list's options.")
                                   % {"field": _("Grant")}})
    try:
        goal = outcome_services.add_goal(citizen, actor=request.user, goal_type=_term("goal_type", payload.goal_type),
                                         theme=_term("theme", payload.theme), own_words=payload.own_words,
                                         target_date=payload.target_date, grant=grant, channel=CHANNEL)
    except ValidationError as exc:
        raise renamed(exc, {"grant": "grant_id"}) from exc
    return 201, goal_row(goal)


class StepIn(Schema):
    what: str
    who: str
    due_on: datetime.date


@router.post("/citizens/{int:citizen_id}/goals/{int:goal_id}/steps", response=_created(ActionStepOut))
def add_step(request, citizen_id: int, goal_id: int, payload: StepIn):
    """Add a step to a goal's action plan (as the goals page)."""
    require(request, CASE_ROLES)
    citizen = citizen_or_404(request, citizen_id, action=RECORD, summary="Mål og målinger vist")
    goal = permissions.fetch(request.user, RECORD, Goal.objects.filter(citizen=citizen), goal_id)
    step = outcome_services.add_step(goal, actor=request.user, what=payload.what, who=payload.who,
                                     due_on=payload.due_on, channel=CHANNEL)
    return 201, step_row(step)


# --- follow-up ---------------------------------------------------------------------------------

class GoalProgressIn(Schema):
    goal_id: int
    progress: str = Field(description="achieved, progressing, unchanged or regressed.")
    note: str = ""


class RenegotiationIn(Schema):
    new_amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2,
                                description="The new tariff (kr.), below the current one, in its unit.")
    valid_from: datetime.date = Field(description="Within the placement's period.")
    note: str = ""


class HoldIn(Schema):
    held_on: datetime.date = Field(description="Not in the future, nor before the placement (or grant) starts.")
    outcome: str = Field(description="continue, change, end or end_refer (FFB's Status på indsats).")
    notes: str = ""
    goal_progress: list[GoalProgressIn] = Field(default_factory=list)
    support_need: str | None = Field(None, description="KL's code of the support-need level now, or none.")
    need_fallen: bool = False
    who5_answers: list[int] | None = Field(None, description="A WHO-5 taken at the follow-up (five answers 0-5).")
    end_on: datetime.date | None = Field(None, description="With outcome end or end_refer: the grant's end date.")
    end_reason: str = Field("", description="With outcome end or end_refer: the placements' end reason code.")
    renegotiation: RenegotiationIn | None = Field(
        None, description="A lower tariff agreed for the grant's external placement (with need_fallen).")


@router.post("/citizens/{int:citizen_id}/follow-ups/{int:follow_up_id}/hold", response=_created(FollowUpOut))
def hold_follow_up(request, citizen_id: int, follow_up_id: int, payload: HoldIn):
    """Record the follow-up meeting: goal progress, a WHO-5, the outcome; then the next follow-up is
    scheduled, or the grant and its placements end; a tariff renegotiation when the need has fallen
    (caseworkers, as the follow-up page). Who took part, and the initiative a renegotiation realises,
    are recorded on the page."""
    require(request, CASEWORKERS)
    citizen = citizen_or_404(request, citizen_id, action=CHANGE, summary="Opfølgning vist")
    follow_up = permissions.fetch(request.user, CHANGE, FollowUp.objects.filter(citizen=citizen), follow_up_id)
    support_need = _term("support_need", payload.support_need)
    if payload.support_need and support_need is None:
        raise ValidationError({"support_need": _("Choose a support-need level.")})
    progress = {row.goal_id: (row.progress, row.note) for row in payload.goal_progress}
    outcome_services.hold_follow_up(
        follow_up, actor=request.user, held_on=payload.held_on, outcome=payload.outcome, notes=payload.notes,
        goal_progress=progress, support_need=support_need, need_fallen=payload.need_fallen,
        who5_answers=payload.who5_answers, end_on=payload.end_on, end_reason=payload.end_reason,
        renegotiation=payload.renegotiation.model_dump() if payload.renegotiation else None, channel=CHANNEL)
    held = next(f for f in outcome_queries.citizen_follow_ups(citizen) if f.pk == follow_up.pk)
    return 201, follow_up_row(held)


# --- placement end and tariff renegotiation -----------------------------------------------------

class PlacementEndIn(Schema):
    end: datetime.date = Field(description="The first day the citizen no longer occupies the place; after the start.")
    end_reason: str = Field(description="The placements' end reason code (e.g. moved_offer, goal_reached).")


def _placement(request, citizen_id: int, placement_id: int) -> Placement:
    require(request, CASEWORKERS)
    citizen = citizen_or_404(request, citizen_id, action=CHANGE, summary="Placering vist")
    return permissions.fetch(request.user, CHANGE, Placement.objects.filter(citizen=citizen), placement_id)


@router.post("/citizens/{int:citizen_id}/placements/{int:placement_id}/end", response=_created(PlacementOut))
def end_placement(request, citizen_id: int, placement_id: int, payload: PlacementEndIn):
    """End a placement on ``end`` with its reason (caseworkers; the same service that ends the
    placements of a grant ended at a follow-up). The placement's months are re-costed."""
    placement = _placement(request, citizen_id, placement_id)
    try:
        placement = placement_services.end_placement(placement, payload.end, payload.end_reason, actor=request.user,
                                                     channel=CHANNEL)
    except ValidationError as exc:
        # The service names its refusals by code (end_reason, period): the body names the field.
        field = {"end_reason": "end_reason", "period": "end"}.get(getattr(exc, "code", None) or "", "end")
        raise ValidationError({field: exc.messages}) from exc
    return 201, placement_row(Placement.objects.select_related("offer").get(pk=placement.pk))


class RenegotiateIn(Schema):
    new_amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2,
                                description="The new tariff (kr.), below the current one, in its unit.")
    valid_from: datetime.date = Field(description="Within the placement's period.")
    note: str = ""
    follow_up_id: int | None = Field(None, description="The citizen's follow-up the renegotiation came from, or none.")


class RenegotiationOut(Schema):
    id: int
    placement_id: int
    old_amount: Decimal
    new_amount: Decimal
    unit: str
    valid_from: datetime.date
    yearly_saving: Decimal = Field(description="The saving over a year (kr.), as the cost engine counts a year.")
    follow_up_id: int | None


@router.post("/citizens/{int:citizen_id}/placements/{int:placement_id}/renegotiations",
             response=_created(RenegotiationOut))
def renegotiate_tariff(request, citizen_id: int, placement_id: int, payload: RenegotiateIn):
    """Record a lower tariff agreed for an external placement from ``valid_from`` (caseworkers, the
    service the follow-up page calls): a new dated tariff row for the placement, nothing overwritten,
    with its yearly saving."""
    placement = _placement(request, citizen_id, placement_id)
    follow_up = None
    if payload.follow_up_id is not None:
        follow_up = FollowUp.objects.filter(citizen_id=placement.citizen_id, pk=payload.follow_up_id).first()
        if follow_up is None:
            raise ValidationError({"follow_up_id": _("%(field)s: choose one of the list's options.")
                                   % {"field": _("Follow-up")}})
    try:
        row = outcome_services.renegotiate_tariff(placement, actor=request.user, new_amount=payload.new_amount,
                                                  valid_from=payload.valid_from, follow_up=follow_up,
                                                  note=payload.note, channel=CHANNEL)
    except ValidationError as exc:
        raise renamed(exc, {"placement": "placement_id", "renegotiation_note": "note"}) from exc
    return 201, {"id": row.pk, "placement_id": row.placement_id, "old_amount": row.old_amount,
                 "new_amount": row.new_amount, "unit": row.unit, "valid_from": row.valid_from,
                 "yearly_saving": row.yearly_saving, "follow_up_id": row.follow_up_id}
