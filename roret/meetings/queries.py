"""Reading the visitation meeting for the overview and the lists: the cases waiting for a meeting
and those sent back, in the reader's scope (the one gate, roret.core.permissions)."""

import datetime

from django.db.models import Exists, OuterRef

from roret.core.permissions import VIEW, citizen_scope
from roret.meetings.models import Meeting, MeetingStatus, Proposal, ProposalStatus


def _in_scope(user):
    return Proposal.objects.filter(citizen_scope(user, VIEW, via="citizen")).select_related(
        "citizen", "meeting", "offer", "proposed_by")


def waiting(user):
    """Proposals of citizens in ``user``'s scope that wait for the visitation meeting (the case's
    deadlines keep running meanwhile)."""
    return _in_scope(user).filter(status=ProposalStatus.PROPOSED).order_by("meeting__held_on", "proposed_at")


def waiting_for_inquiries(inquiry_ids) -> dict:
    """{inquiry id: its proposal waiting for the meeting} among ``inquiry_ids`` (a list page's rows,
    already in the user's scope): one query."""
    return {p.assessment.inquiry_id: p for p in Proposal.objects.filter(
        status=ProposalStatus.PROPOSED, assessment__inquiry_id__in=inquiry_ids).select_related("assessment", "meeting")}


def sent_back(user):
    """Proposals the meeting sent back to the caseworker that no newer proposal has answered yet."""
    newer = Proposal.objects.filter(citizen_id=OuterRef("citizen_id"), proposed_at__gt=OuterRef("proposed_at"))
    return (_in_scope(user).filter(status=ProposalStatus.SENT_BACK).filter(~Exists(newer))
            .order_by("-handled_at"))


def upcoming(today: datetime.date | None = None):
    """Planned meetings from ``today`` on, the nearest first."""
    today = today or datetime.date.today()
    return Meeting.objects.filter(status=MeetingStatus.PLANNED, held_on__gte=today).order_by("held_on", "pk")


def for_citizen(citizen_id: int):
    """A citizen's proposals, the newest first (the case page and the timeline)."""
    return Proposal.objects.filter(citizen_id=citizen_id).select_related("meeting", "handled_by").order_by(
        "-proposed_at", "-pk")
