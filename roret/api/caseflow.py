"""Case-flow reads for one citizen (inquiries, assessments, goals, follow-ups, FHIR export) and
the caller's follow-ups due. Read-only and thin: each endpoint checks the role the matching page
checks, takes the citizen through the gate (404 outside the scope; the read audited as the page
audits it, channel "api") and returns what the app's queries return."""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from roret.api.access import NOT_FOUND, citizen_or_404, require
from roret.api.pagination import Page, Paging, page
from roret.core import audit
from roret.core.permissions import CASE_ROLES, CASEWORKERS
from roret.outcomes import queries as outcome_queries
from roret.visitation import fhir
from roret.visitation import queries as visitation_queries
from roret.visitation.services import assessment_history

router = Router(tags=["case flow"])


class GrantOut(Schema):
    id: int
    paragraph: str
    offer_type: str
    scope: str
    start: datetime.date
    end: datetime.date | None
    review_on: datetime.date | None
    preferred_offer_id: int | None = Field(None, description="The offer a waiting grant waits for.")


class PlacementOut(Schema):
    id: int
    offer: str
    offer_id: int
    start: datetime.date
    end: datetime.date | None
    residential: bool
    paying_municipality: str
    end_reason: str
    external_reason: str


class TermOut(Schema):
    """A concept from KL's FFB terminology: KL's code and its Danish name."""

    code: str
    display: str


class ScreeningOut(Schema):
    screened_on: datetime.date
    outcome: str
    reason: str
    guided_to: str
    guided_to_detail: str


class InquiryOut(Schema):
    id: int
    received_on: datetime.date
    source: str
    source_detail: str
    about: str
    paragraph: str
    deadline: datetime.date
    status: str
    closed_on: datetime.date | None
    deadline_status: str | None = None      # past | near | ok while open; None once closed
    working_days_left: int | None = None
    screening: ScreeningOut | None = None


class ThemeLevelOut(Schema):
    theme: TermOut
    is_sub: bool
    level: int | None                       # 0 none .. 4 complete; None = not assessed
    previous_level: int | None
    change: int | None                      # negative = the functional level improved
    notes: str


class AssessmentOut(Schema):
    id: int
    version: int
    assessed_on: datetime.date
    hopes: str
    what_matters: str
    support_need: TermOut
    themes: list[ThemeLevelOut]


class ActionStepOut(Schema):
    id: int
    what: str
    who: str
    due_on: datetime.date
    done_on: datetime.date | None


class GoalOut(Schema):
    id: int
    grant_id: int | None
    goal_type: TermOut
    theme: TermOut
    own_words: str
    target_date: datetime.date
    status: str
    created_on: datetime.date
    steps: list[ActionStepOut]


class MeasurementOut(Schema):
    id: int
    instrument: str
    measured_on: datetime.date
    raw: int
    score: int
    band: str
    answers: list[int]


class GoalProgressOut(Schema):
    goal_id: int
    progress: str
    note: str


class FollowUpOut(Schema):
    id: int
    grant_id: int
    due_on: datetime.date
    held_on: datetime.date | None
    outcome: str                            # "" until held
    ffb_outcome: str                        # FFB "Status på indsats"
    support_need: TermOut | None
    need_fallen: bool
    goal_progress: list[GoalProgressOut]
    measurements: list[MeasurementOut]


class DecisionOut(Schema):
    id: int
    kind: str
    paragraph: str
    justification: str
    decided_on: datetime.date
    offer_id: int | None
    offer_type: TermOut | None
    scope: str
    start: datetime.date | None
    review_on: datetime.date | None
    grant_id: int | None = Field(description="The grant a granting decision made (on the waiting list until placed).")
    chosen_step: int | None
    lowest_adequate_step: int | None


class FollowUpDueOut(Schema):
    id: int
    citizen_id: int
    citizen_name: str
    grant_id: int
    paragraph: str
    team: str | None
    current_offers: list[str]               # empty: the grant waits on the waiting list
    due_on: datetime.date
    overdue: bool
    days: int                               # days until due; negative when overdue


def term_out(term) -> dict | None:
    return {"code": term.code, "display": term.display} if term is not None else None


# One object to its Out schema's fields, for the reads and for the writes' answers (roret/api/writes.py).

def inquiry_row(inquiry) -> dict:
    """An inquiry with its screening and deadline status (visitation.queries.with_deadline_status)."""
    screening = getattr(inquiry, "screening", None)
    return {
        "id": inquiry.pk, "received_on": inquiry.received_on, "source": inquiry.source,
        "source_detail": inquiry.source_detail, "about": inquiry.about, "paragraph": inquiry.paragraph,
        "deadline": inquiry.deadline, "status": inquiry.status, "closed_on": inquiry.closed_on,
        "deadline_status": inquiry.deadline_status, "working_days_left": inquiry.working_days_left,
        "screening": None if screening is None else {
            "screened_on": screening.screened_on, "outcome": screening.outcome, "reason": screening.reason,
            "guided_to": screening.guided_to, "guided_to_detail": screening.guided_to_detail}}


def assessment_row(a) -> dict:
    """An assessment version from ``assessment_history`` (which sets its ``differences``)."""
    return {"id": a.pk, "version": a.version, "assessed_on": a.assessed_on, "hopes": a.hopes,
            "what_matters": a.what_matters, "support_need": term_out(a.support_need),
            "themes": [{**d, "theme": term_out(d["theme"])} for d in a.differences]}


def grant_row(g) -> dict:
    return {"id": g.pk, "paragraph": g.paragraph, "offer_type": g.offer_type.display, "scope": g.scope,
            "start": g.start, "end": g.end, "review_on": g.review_on, "preferred_offer_id": g.preferred_offer_id}


def placement_row(p) -> dict:
    return {"id": p.pk, "offer": p.offer.name, "offer_id": p.offer_id, "start": p.start, "end": p.end,
            "residential": p.is_residential, "paying_municipality": p.paying_municipality,
            "end_reason": p.end_reason, "external_reason": p.external_reason}


def decision_row(d) -> dict:
    return {"id": d.pk, "kind": d.kind, "paragraph": d.paragraph, "justification": d.justification,
            "decided_on": d.decided_on, "offer_id": d.offer_id, "offer_type": term_out(d.offer_type), "scope": d.scope,
            "start": d.start, "review_on": d.review_on, "grant_id": d.grant_id, "chosen_step": d.chosen_step,
            "lowest_adequate_step": d.lowest_adequate_step}


def step_row(s) -> dict:
    return {"id": s.pk, "what": s.what, "who": s.who, "due_on": s.due_on, "done_on": s.done_on}


def goal_row(g) -> dict:
    return {"id": g.pk, "grant_id": g.grant_id, "goal_type": term_out(g.goal_type), "theme": term_out(g.theme),
            "own_words": g.own_words, "target_date": g.target_date, "status": g.status,
            "created_on": g.created_on, "steps": [step_row(s) for s in g.steps.all()]}


def measurement_row(m) -> dict:
    return {"id": m.pk, "instrument": m.instrument, "measured_on": m.measured_on, "raw": m.raw,
            "score": m.score, "band": m.band, "answers": m.answers}


def follow_up_row(f) -> dict:
    return {"id": f.pk, "grant_id": f.grant_id, "due_on": f.due_on, "held_on": f.held_on, "outcome": f.outcome,
            "ffb_outcome": f.ffb_outcome, "support_need": term_out(f.support_need), "need_fallen": f.need_fallen,
            "goal_progress": [{"goal_id": p.goal_id, "progress": p.progress, "note": p.note}
                              for p in f.progress.all()],
            "measurements": [measurement_row(m) for m in f.measurements.all()]}


@router.get("/citizens/{int:citizen_id}/inquiries", response=Page[InquiryOut])
def list_inquiries(request, citizen_id: int, paging: Query[Paging], status: str | None = None,
                   paragraph: str | None = None):
    """The citizen's inquiries, newest first, with screening outcome and deadline status
    (caseworkers, as the inquiry page); ``status`` (open, closed ...) and ``paragraph`` filter."""
    require(request, CASEWORKERS)
    citizen = citizen_or_404(request, citizen_id, summary="Henvendelse vist")
    rows = [i for i in visitation_queries.citizen_inquiries(citizen, datetime.date.today())
            if (status is None or i.status == status) and (paragraph is None or i.paragraph == paragraph)]
    return page(rows, paging, inquiry_row)


@router.get("/citizens/{int:citizen_id}/assessments", response=Page[AssessmentOut])
def list_assessments(request, citizen_id: int, paging: Query[Paging]):
    """Every assessment version, newest first: support need, functional level per FFB theme and
    the change since the version before (as the assessment page)."""
    require(request, CASE_ROLES)
    citizen = citizen_or_404(request, citizen_id, summary="Udredning vist")
    return page(assessment_history(citizen), paging, assessment_row)


@router.get("/citizens/{int:citizen_id}/goals", response=Page[GoalOut])
def list_goals(request, citizen_id: int, paging: Query[Paging], status: str | None = None):
    """The citizen's goals in their own words with FFB goal type and theme, and the action plan;
    ``status`` filters (the goal's status code)."""
    require(request, CASE_ROLES)
    citizen = citizen_or_404(request, citizen_id, summary="Mål og målinger vist")
    return page([g for g in outcome_queries.citizen_goals(citizen) if status is None or g.status == status],
                paging, goal_row)


@router.get("/citizens/{int:citizen_id}/follow-ups", response=Page[FollowUpOut])
def list_follow_ups(request, citizen_id: int, paging: Query[Paging], held: bool | None = None):
    """The citizen's follow-ups, due date first: held ones with outcome, goal progress and the
    measurements taken for them, and the open one (as on the timeline); ``held`` filters."""
    require(request, CASE_ROLES)
    citizen = citizen_or_404(request, citizen_id, summary="Opfølgning vist")
    rows = [f for f in outcome_queries.citizen_follow_ups(citizen) if held is None or (f.held_on is not None) == held]
    return page(rows, paging, follow_up_row)


@router.get("/citizens/{int:citizen_id}/fhir",
            openapi_extra={"responses": {200: {"description": "A FHIR R4 Bundle (type collection)",
                                               "content": {"application/fhir+json": {"schema": {"type": "object"}}}}}})
def export_fhir(request, citizen_id: int):
    """The citizen's record as a FHIR R4 Bundle (caseworkers; audited as an export, as the page)."""
    require(request, CASEWORKERS)
    try:
        _citizen, text = fhir.export(request.user, citizen_id, channel="api")
    except Http404 as exc:
        raise HttpError(404, NOT_FOUND) from exc
    return HttpResponse(text, content_type=fhir.CONTENT_TYPE)


#: How far ahead ``due_to`` may reach (the follow-ups page looks 30 days ahead).
DUE_HORIZON_DAYS = 30
MAX_HORIZON_DAYS = 3660


@router.get("/follow-ups/due", response=Page[FollowUpDueOut])
def follow_ups_due(request, paging: Query[Paging], due_from: datetime.date | None = None,
                   due_to: datetime.date | None = None):
    """Your overdue follow-ups and those due within 30 days, oldest first (as the follow-ups page).

    ``due_from`` and ``due_to`` (both included) narrow the list, or reach further ahead than 30 days
    (up to ten years). The page of citizens returned is audited as a list."""
    require(request, CASE_ROLES)
    today = datetime.date.today()
    if due_from and due_to and due_to < due_from:
        raise ValidationError({"due_to": _("%(field)s must be on or after %(other)s.")
                               % {"field": "due_to", "other": "due_from"}})
    horizon = DUE_HORIZON_DAYS if due_to is None else min(max((due_to - today).days, 0), MAX_HORIZON_DAYS)
    rows = [f for f in outcome_queries.follow_ups_due(request.user, today, horizon_days=horizon)
            if (due_from is None or f.due_on >= due_from) and (due_to is None or f.due_on <= due_to)]
    result = page(rows, paging, lambda f: {
        "id": f.pk, "citizen_id": f.citizen_id, "citizen_name": f.citizen.name, "grant_id": f.grant_id,
        "paragraph": f.grant.paragraph, "team": f.grant.team.name if f.grant.team_id else None,
        "current_offers": [p.offer.name for p in f.grant.current], "due_on": f.due_on, "overdue": f.overdue,
        "days": f.days})
    audit.listed(request.user, "follow_ups_due", [f["citizen_id"] for f in result["items"]], channel="api")
    return result
