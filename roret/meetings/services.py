"""Writing the visitation meeting: the rule, planning a meeting, proposing a decision to it, and the
meeting's answer (approve, change, send back). Every function runs in one transaction, checks the
gate in roret.core.permissions, writes its own audit entry and changes nothing when it refuses.

A proposal is the decision form's fields, checked by the decision service itself (run and rolled
back), so a proposal the meeting approves decides exactly as the caseworker's form would have."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from roret.citizens.models import Citizen
from roret.core import audit, permissions
from roret.core.permissions import CHANGE, MEETING_APPROVERS, MEETING_RULE_EDITORS
from roret.economy import engine
from roret.meetings.models import HANDLED, Meeting, MeetingRule, MeetingStatus, Proposal, ProposalStatus
from roret.offers.models import LegalBasis, Offer
from roret.visitation import services as case_services
from roret.visitation.models import Assessment, DecisionKind

#: The decision form's fields that a proposal carries and hands to the decision service.
FIELDS = ("kind", "paragraph", "offer_type", "offer", "scope", "hours_per_week", "start", "review_on",
          "justification", "intrusive_reason")


class MeetingError(ValidationError):
    """Input the meeting refuses; the message says what is wrong and where."""


# --- the rule -----------------------------------------------------------------------------------

def rule() -> MeetingRule:
    """The meeting rule in force: the newest setting (an empty one, sending nothing, until someone sets it)."""
    return MeetingRule.objects.order_by("-changed_at", "-pk").first() or MeetingRule()


def rule_history(limit: int = 20) -> list[MeetingRule]:
    """The settings of the rule, the newest (in force) first."""
    return list(MeetingRule.objects.select_related("changed_by").order_by("-changed_at", "-pk")[:limit])


def yearly_cost(offer: Offer | None, hours_per_week: Decimal | None, day: datetime.date) -> Decimal | None:
    """What a year of ``offer`` costs at its standard tariff in force on ``day`` (None without an
    offer or a tariff), by the economy engine's one rule."""
    if offer is None:
        return None
    row = offer.tariff_on(day)
    return None if row is None else engine.yearly_cost(row, hours=hours_per_week)


def goes_to_meeting(the_rule: MeetingRule, *, kind: str, paragraph: str, offer: Offer | None,
                    cost: Decimal | None) -> bool:
    """Whether a proposed decision goes to the visitation meeting under ``the_rule``: a grant under
    one of its paragraphs, of an external offer (if the rule says so), or above its yearly cost."""
    if kind != DecisionKind.GRANT:
        return False
    if paragraph in (the_rule.paragraphs or []):
        return True
    if the_rule.external_offers and offer is not None and not offer.is_own:
        return True
    return the_rule.yearly_cost_above is not None and cost is not None and cost > the_rule.yearly_cost_above


@transaction.atomic
def set_rule(*, actor, paragraphs, external_offers: bool, yearly_cost_above: Decimal | None,
             channel: str = "web") -> MeetingRule:
    """Change the meeting rule (the department leader or the administrator): a new dated row, the
    earlier settings kept; audited before and after."""
    permissions.require_role(actor, MEETING_RULE_EDITORS, "only the leader and the administrator set the rule")
    unknown = set(paragraphs) - set(LegalBasis.values)
    if unknown:
        raise MeetingError({"paragraphs": _("Choose paragraphs from the list.")})
    if yearly_cost_above is not None and yearly_cost_above < 0:
        raise MeetingError({"yearly_cost_above": _("The yearly cost cannot be negative.")})
    fields = ["paragraphs", "external_offers", "yearly_cost_above"]
    previous = rule()
    before = audit.snapshot(previous, fields) if previous.pk else None
    current = MeetingRule.objects.create(paragraphs=sorted(paragraphs), external_offers=bool(external_offers),
                                         yearly_cost_above=yearly_cost_above, changed_by=actor,
                                         changed_at=timezone.now())
    audit.record(actor, "change", obj=current, channel=channel, summary="Regel for visitationsmødet ændret",
                 before=before, after=audit.snapshot(current, fields))
    return current


# --- meetings -----------------------------------------------------------------------------------

def next_meeting(today: datetime.date | None = None) -> Meeting | None:
    """The next planned meeting after ``today`` (a proposal made today goes to it)."""
    today = today or datetime.date.today()
    return (Meeting.objects.filter(status=MeetingStatus.PLANNED, held_on__gt=today)
            .order_by("held_on", "pk").first())


@transaction.atomic
def plan_meeting(*, actor, held_on: datetime.date, participants, channel: str = "web") -> Meeting:
    """Plan a visitation meeting on ``held_on`` with ``participants`` (at least one department
    leader); proposals waiting without a meeting are put on its agenda."""
    permissions.require_role(actor, MEETING_APPROVERS, "only a department leader plans meetings")
    if held_on is None:
        raise MeetingError({"held_on": _("Give the date of the meeting.")})
    participants = list(participants)
    if not any(p.role in MEETING_APPROVERS and p.is_active for p in participants):
        raise MeetingError({"participants": _("A visitation meeting needs at least one department leader.")})
    meeting = Meeting.objects.create(held_on=held_on, planned_by=actor)
    meeting.participants.set(participants)
    if held_on > datetime.date.today():
        Proposal.objects.filter(meeting__isnull=True, status=ProposalStatus.PROPOSED).update(meeting=meeting)
    audit.record(actor, "create", obj=meeting, channel=channel, summary=f"{meeting} planlagt",
                 after={"held_on": held_on.isoformat(), "participants": [p.get_username() for p in participants]})
    return meeting


@transaction.atomic
def hold_meeting(meeting: Meeting, *, actor, channel: str = "web") -> Meeting:
    """Mark ``meeting`` as held; proposals it did not reach wait for the next meeting."""
    permissions.require_role(actor, MEETING_APPROVERS, "only a department leader holds meetings")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.HELD:
        return meeting
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["status"])
    following = next_meeting(meeting.held_on)
    meeting.proposals.filter(status=ProposalStatus.PROPOSED).update(meeting=following)
    audit.record(actor, "change", obj=meeting, channel=channel, summary=f"{meeting} afholdt")
    return meeting


# --- proposing ----------------------------------------------------------------------------------

class _TrialOnly(Exception):
    """Raised to roll back the trial decision that checks a proposal."""


def _trial(citizen, *, actor, assessment, fields: dict, decided_on: datetime.date):
    """Run the decision service on ``fields`` and roll it back: the same checks, the same errors on
    the same fields, and the staircase steps it works out, with nothing written."""
    result = {}
    try:
        with transaction.atomic():
            decision = case_services.decide(citizen, actor=actor, assessment=assessment, decided_on=decided_on,
                                            **fields)
            result = {"proposed_step": decision.chosen_step, "lowest_adequate_step": decision.lowest_adequate_step}
            raise _TrialOnly
    except _TrialOnly:
        pass
    return result


def needs_meeting(*, kind: str, paragraph: str, offer: Offer | None, hours_per_week=None,
                  start: datetime.date | None = None, **_other) -> bool:
    """Whether the decision form's fields go to the visitation meeting under the stored rule."""
    day = start or datetime.date.today()
    return goes_to_meeting(rule(), kind=kind, paragraph=paragraph, offer=offer,
                           cost=yearly_cost(offer, hours_per_week, day))


@transaction.atomic
def propose(citizen: Citizen, *, actor, assessment: Assessment, channel: str = "web", **fields) -> Proposal:
    """Send the decision form's ``fields`` to the next visitation meeting (or to wait for one) instead
    of deciding: checked as the decision service checks them, nothing decided yet."""
    citizen = permissions.fetch(actor, CHANGE, Citizen, citizen.pk, lock=True)
    if assessment.citizen_id != citizen.pk:
        raise MeetingError(_("The assessment belongs to another citizen."))
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"not decision fields: {sorted(unknown)}")
    if Proposal.objects.filter(citizen=citizen, status=ProposalStatus.PROPOSED).exists():
        raise MeetingError(_("A proposed decision for this citizen already waits for the visitation meeting."))
    today = datetime.date.today()
    steps = _trial(citizen, actor=actor, assessment=assessment, fields=fields, decided_on=today)
    proposal = Proposal(citizen=citizen, assessment=assessment, proposed_by=actor, meeting=next_meeting(today),
                        **{name: fields.get(name) for name in FIELDS if fields.get(name) is not None}, **steps)
    proposal.justification = proposal.justification.strip()
    proposal.yearly_cost = yearly_cost(proposal.offer, proposal.hours_per_week, proposal.start or today)
    proposal.save()
    audit.record(actor, "create", citizen=citizen, obj=proposal, channel=channel,
                 summary=f"Indstillet til visitationsmøde: {proposal.get_kind_display()} efter {proposal.paragraph}",
                 after=audit.snapshot(proposal, ["meeting", "paragraph", "offer", "start", "proposed_step",
                                                 "lowest_adequate_step", "yearly_cost"]))
    return proposal


@transaction.atomic
def schedule(proposal: Proposal, meeting: Meeting, *, actor, channel: str = "web") -> Proposal:
    """Put a waiting proposal on ``meeting``'s agenda (a planned meeting)."""
    permissions.require_role(actor, MEETING_APPROVERS, "only a department leader sets the agenda")
    proposal = _open(proposal)
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingError({"meeting": _("Choose a planned meeting.")})
    before = audit.snapshot(proposal, ["meeting"])
    proposal.meeting = meeting
    proposal.save(update_fields=["meeting"])
    audit.record(actor, "change", citizen=proposal.citizen_id, obj=proposal, channel=channel,
                 summary=f"Indstilling sat på {meeting}", before=before, after=audit.snapshot(proposal, ["meeting"]))
    return proposal


# --- the meeting's answer -------------------------------------------------------------------------

def _open(proposal: Proposal) -> Proposal:
    """The proposal locked, if it still waits for an answer (a second approval changes nothing)."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status in HANDLED:
        raise MeetingError(_("The meeting has already answered this proposal (%(status)s).")
                           % {"status": proposal.get_status_display()})
    return proposal


def answerable(meeting: Meeting | None, today: datetime.date | None = None) -> bool:
    """Whether the proposals on ``meeting``'s agenda may be answered now: the meeting has been held
    or its day has come. The answer is the meeting's, given with the department's management at
    the meeting, not a leader's alone beforehand; a proposal on no agenda waits for one."""
    today = today or datetime.date.today()
    return meeting is not None and (meeting.status == MeetingStatus.HELD or meeting.held_on <= today)


def _at_the_meeting(proposal: Proposal) -> None:
    """Refuse an answer before the proposal's meeting, saying when it can be given."""
    if answerable(proposal.meeting):
        return
    if proposal.meeting is None:
        raise MeetingError(_("The proposal is not on a meeting's agenda: put it on one, and answer it at the "
                             "meeting."))
    raise MeetingError(_("The proposal is on the agenda of the meeting on %(day)s: the meeting answers it on "
                         "that day or later.") % {"day": f"{proposal.meeting.held_on:%d.%m.%Y}"})


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise MeetingError({"reason": _("Write the meeting's reason: the caseworker and the case keep it.")})
    return reason


def _decide(proposal: Proposal, fields: dict, *, actor, channel: str):
    """The decision the meeting approves, made by the decision service in the proposing caseworker's
    name (they remain the caseworker of the case and its ``decided_by``) and audited as ``actor``'s,
    the department leader who approved it: the audit log says who made the decision."""
    try:
        return case_services.decide(proposal.citizen, actor=actor, decided_by=proposal.proposed_by,
                                    assessment=proposal.assessment, channel=channel, **fields)
    except permissions.NotInScope:
        raise MeetingError(_("The proposing caseworker no longer has the citizen's case: send the proposal back "
                             "so the responsible caseworker can propose again.")) from None


def proposal_fields(proposal: Proposal) -> dict:
    """The proposal's decision fields, as the decision service takes them."""
    return {name: getattr(proposal, name) for name in FIELDS}


@transaction.atomic
def approve(proposal: Proposal, *, actor, channel: str = "web"):
    """The meeting approves the proposal: it is decided as proposed (then the letter and the
    placement follow, from the decision)."""
    permissions.require_role(actor, MEETING_APPROVERS, "only a department leader approves")
    proposal = _open(proposal)
    _at_the_meeting(proposal)
    decision = _decide(proposal, proposal_fields(proposal), actor=actor, channel=channel)
    return _answered(proposal, ProposalStatus.APPROVED, actor=actor, decision=decision, channel=channel)


@transaction.atomic
def change(proposal: Proposal, *, actor, reason: str, channel: str = "web", **fields):
    """The meeting approves the proposal with changed ``fields`` (and says why): decided with them;
    the proposal keeps what was proposed."""
    permissions.require_role(actor, MEETING_APPROVERS, "only a department leader approves")
    proposal = _open(proposal)
    _at_the_meeting(proposal)
    reason = _reason(reason)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"not decision fields: {sorted(unknown)}")
    decision = _decide(proposal, {**proposal_fields(proposal), **fields}, actor=actor, channel=channel)
    return _answered(proposal, ProposalStatus.CHANGED, actor=actor, decision=decision, reason=reason,
                     channel=channel)


@transaction.atomic
def send_back(proposal: Proposal, *, actor, reason: str, channel: str = "web") -> Proposal:
    """The meeting sends the proposal back to the caseworker with its reason; nothing is decided,
    and the caseworker may propose again."""
    permissions.require_role(actor, MEETING_APPROVERS, "only a department leader sends back")
    proposal = _open(proposal)
    _at_the_meeting(proposal)
    return _answered(proposal, ProposalStatus.SENT_BACK, actor=actor, reason=_reason(reason), channel=channel)


def _answered(proposal: Proposal, status: str, *, actor, decision=None, reason: str = "", channel: str):
    before = audit.snapshot(proposal, ["status"])
    proposal.status, proposal.reason, proposal.decision = status, reason, decision
    proposal.handled_by, proposal.handled_at = actor, timezone.now()
    proposal.save(update_fields=["status", "reason", "decision", "handled_by", "handled_at"])
    audit.record(actor, "change", citizen=proposal.citizen_id, obj=proposal, channel=channel, reason=reason,
                 summary=f"Visitationsmødet: {proposal.get_status_display()}", before=before,
                 after=audit.snapshot(proposal, ["status", "decision"]))
    return proposal
