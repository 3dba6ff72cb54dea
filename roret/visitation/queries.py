"""Read models for the caseworker's lists and the citizen timeline (always through the gate)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone

from roret.citizens.models import Citizen
from roret.core.permissions import VIEW, citizen_scope
from roret.outcomes.models import Measurement
from roret.placements.models import Placement
from roret.visitation import deadlines
from roret.visitation.models import (
    YOUTH_CHECKLIST,
    Decision,
    Inquiry,
    InquiryStatus,
    Screening,
    Transition,
    TransitionKind,
)


def open_inquiries(user, today: datetime.date):
    """Open cases in ``user``'s scope with their deadline status, nearest deadline first."""
    rows = list(Inquiry.objects.filter(citizen_scope(user, VIEW, via="citizen"), status=InquiryStatus.OPEN)
                .select_related("citizen", "caseworker", "team", "screening").order_by("deadline", "pk"))
    for inquiry in rows:
        with_deadline_status(inquiry, today)
        inquiry.step = "assessment" if hasattr(inquiry, "screening") else "screening"
    return rows


def open_cases(user):
    """The open cases in ``user``'s scope, as a queryset to filter, sort and page (roret.visitation.lists)."""
    return Inquiry.objects.filter(citizen_scope(user, VIEW, via="citizen"), status=InquiryStatus.OPEN)


def shown_cases(rows, today: datetime.date) -> list[Inquiry]:
    """The cases of one page, read with what the list shows, each with its deadline status and next step."""
    rows = list(rows.select_related("citizen", "caseworker", "team", "screening"))
    for inquiry in rows:
        with_deadline_status(inquiry, today)
        inquiry.step = "assessment" if hasattr(inquiry, "screening") else "screening"
    return rows


def with_deadline_status(inquiry: Inquiry, today: datetime.date) -> Inquiry:
    """Set ``deadline_status`` ("past" | "near" | "ok") and ``working_days_left`` on an open
    inquiry; a closed one has met its case no matter the date, so both are None."""
    if inquiry.status == InquiryStatus.OPEN:
        inquiry.deadline_status, inquiry.working_days_left = deadlines.status(inquiry.deadline, today)
    else:
        inquiry.deadline_status = inquiry.working_days_left = None
    return inquiry


def citizen_inquiries(citizen: Citizen, today: datetime.date) -> list[Inquiry]:
    """The citizen's inquiries, newest first, with their screening (or none yet) and deadline
    status. The caller has taken the citizen through the gate. Two queries at most."""
    rows = list(Inquiry.objects.filter(citizen=citizen).select_related("screening")
                .order_by("-received_on", "-pk"))
    for inquiry in rows:
        with_deadline_status(inquiry, today)
    return rows


def deadline_summary(rows, user) -> dict:
    """Counts of near and past deadlines for the user and for their team."""
    def count(items, status):
        return sum(1 for r in items if r.deadline_status == status)

    mine = [r for r in rows if r.caseworker_id == user.pk]
    return {"mine_near": count(mine, "near"), "mine_past": count(mine, "past"), "team_near": count(rows, "near"),
            "team_past": count(rows, "past"), "mine": len(mine), "team": len(rows)}


def open_youth_transitions(user):
    """Open transitions of young people (16-17) to adult services, of citizens in ``user``'s scope."""
    return Transition.objects.filter(citizen_scope(user, VIEW, via="citizen"), kind=TransitionKind.YOUTH,
                                     closed_on__isnull=True)


def youth_transitions(user, today: datetime.date):
    rows = list(open_youth_transitions(user).select_related("citizen").order_by("citizen__birth_date"))
    for row in rows:
        born = row.citizen.birth_date
        row.age = row.citizen.age(today)
        row.turns_18 = _birthday(born, 18)
        row.done = sum(1 for key, _label in YOUTH_CHECKLIST if key in row.checklist)
        row.total = len(YOUTH_CHECKLIST)
    return rows


def _birthday(born: datetime.date, years: int) -> datetime.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:          # born 29 February
        return born.replace(year=born.year + years, day=28)


def elderly_candidates(user, today: datetime.date, limit: int | None = None):
    """Citizens in scope aged 65 or more with a current placement, the oldest first (the first
    ``limit`` of them if given): their needs may fit elderly care."""
    citizens = list(_elderly(user, today).order_by("birth_date", "pk")[:limit])
    placements: dict = {}
    for p in Placement.objects.active_on(today).filter(citizen__in=[c.pk for c in citizens]).select_related("offer"):
        placements.setdefault(p.citizen_id, []).append(p)
    for citizen in citizens:
        citizen.age_now = citizen.age(today)
        citizen.current_placements = placements.get(citizen.pk, [])
    return citizens


def elderly(user, today: datetime.date):
    """The citizens aged 65 or more with a current placement in ``user``'s scope, as a queryset to
    filter, sort and page (roret.visitation.lists)."""
    return _elderly(user, today)


def with_current_placements(citizens, today: datetime.date) -> list:
    """``citizens`` (a page of them) with their age and current placements: one query for the placements."""
    citizens = list(citizens)
    placements: dict = {}
    for p in Placement.objects.active_on(today).filter(citizen__in=[c.pk for c in citizens]).select_related("offer"):
        placements.setdefault(p.citizen_id, []).append(p)
    for citizen in citizens:
        citizen.age_now = citizen.age(today)
        citizen.current_placements = placements.get(citizen.pk, [])
    return citizens


def elderly_count(user, today: datetime.date) -> int:
    """How many citizens ``elderly_candidates`` finds, counted in the database."""
    return _elderly(user, today).count()


def _elderly(user, today: datetime.date):
    # EXISTS per citizen (the placement index by citizen) rather than a join made DISTINCT: the
    # join sorted every current placement of a 50,000-citizen caseload to drop the duplicates.
    current = Placement.objects.active_on(today).filter(citizen=OuterRef("pk"))
    return Citizen.objects.restrict(user, VIEW).filter(Exists(current), birth_date__lte=_birthday(today, -65))


@dataclass
class Event:
    day: datetime.date
    kind: str
    title: str
    detail: str = ""
    obj: object = None
    extra: dict = field(default_factory=dict)


def timeline(citizen: Citizen, today: datetime.date) -> list[Event]:
    """The citizen's whole path, newest first: inquiries, screenings, assessments with their
    differences and network meetings, decisions, placements, goals, follow-ups (with the relatives
    invited and who took part), measurements (self-reported ones marked), the citizen's own ratings
    of goals and answers to the action plan, and journal notes."""
    from roret.outcomes.queries import citizen_follow_ups, citizen_goals
    from roret.outcomes.services import compare
    from roret.visitation.services import assessment_history

    events = []
    for inquiry in Inquiry.objects.filter(citizen=citizen).select_related("caseworker"):
        events.append(Event(inquiry.received_on, "inquiry", str(inquiry), inquiry.about, inquiry))
    for s in Screening.objects.filter(inquiry__citizen=citizen):
        events.append(Event(s.screened_on, "screening", str(s), s.reason, s))
    for a in assessment_history(citizen):
        events.append(Event(a.assessed_on, "assessment", str(a), a.support_need.display, a,
                            {"differences": [d for d in a.differences if not d["is_sub"]]}))
        for m in a.meetings.all():
            events.append(Event(m.held_on, "network_meeting", str(m), m.notes, m, {"assessment": a}))
    for d in Decision.objects.filter(citizen=citizen).select_related("offer", "offer_type"):
        events.append(Event(d.decided_on, "decision", str(d), d.justification, d))
    from roret.meetings.models import Proposal

    # A proposal to the visitation meeting: when it was proposed, and the meeting's answer (with its reason).
    for p in Proposal.objects.filter(citizen=citizen).select_related("offer"):
        title = f"{p.get_status_display()}: {p.get_kind_display()} {p.get_paragraph_display()}{f', {p.offer}' if p.offer else ''}"
        events.append(Event(timezone.localdate(p.handled_at or p.proposed_at), "proposal", title, p.reason, p))
    for p in Placement.objects.filter(citizen=citizen).select_related("offer"):
        events.append(Event(p.start, "placement", f"{p.offer}", p.get_end_reason_display() or "", p))
        if p.end and p.end <= today:
            events.append(Event(p.end, "placement_end", f"{p.offer}", p.get_end_reason_display(), p))
    for g in citizen_goals(citizen):
        events.append(Event(g.created_on, "goal", g.own_words, f"{g.goal_type.display} · {g.theme.display}", g))
    for f in citizen_follow_ups(citizen):
        events.append(Event(f.held_on or f.due_on, "follow_up" if f.held_on else "follow_up_due", str(f),
                            f.get_outcome_display() if f.held_on else "", f))
    for row in compare(list(Measurement.objects.filter(citizen=citizen).order_by("measured_on", "pk"))):
        m = row["measurement"]
        events.append(Event(m.measured_on, "measurement", f"{m.instrument} {m.score}", m.band_label, m,
                            {"change": row["change"]}))
    # What the citizen said themself (roret.helm): their rating of a goal and their answer to the plan.
    from roret.helm.models import GoalRating, PlanResponse

    for r in GoalRating.objects.filter(citizen=citizen).select_related("goal"):
        events.append(Event(r.rated_on, "citizen_rating", r.goal.own_words, f"{r.rating}/10", r))
    for r in PlanResponse.objects.filter(citizen=citizen):
        events.append(Event(timezone.localdate(r.created), "plan_response", "", r.comment, r))
    # Journal notes as they stand: a corrected note is represented by the note that corrects it.
    from roret.journal.models import JournalNote

    for n in (JournalNote.objects.filter(citizen=citizen, corrected_by__isnull=True)
              .select_related("author", "corrects")):
        events.append(Event(n.noted_on, "note", n.get_category_display(), n.text, n))
    order = {"inquiry": 0, "screening": 1, "assessment": 2, "decision": 3, "proposal": 3, "network_meeting": 3, "placement": 4, "goal": 5,
             "measurement": 6, "citizen_rating": 6, "plan_response": 6, "follow_up": 7, "follow_up_due": 8, "placement_end": 9, "note": 10}
    events.sort(key=lambda e: (e.day, order.get(e.kind, 99), getattr(e.obj, "pk", 0)), reverse=True)
    return events
