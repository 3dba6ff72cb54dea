"""Reads of the rest of a citizen's record: decisions, grants, placements, the waiting list,
measurements and the action plan's steps. As the other reads (roret/api/caseflow.py): the role the
page checks (403), the citizen through the gate (404 outside the scope, the read audited with
channel "api"), then the rows of that citizen, a page at a time (roret/api/pagination.py)."""

import datetime

from ninja import Query

from roret.api.access import citizen_or_404, require
from roret.api.caseflow import (
    ActionStepOut,
    DecisionOut,
    GrantOut,
    MeasurementOut,
    PlacementOut,
    decision_row,
    grant_row,
    measurement_row,
    placement_row,
    router,
    step_row,
)
from roret.api.pagination import Page, Paging, page
from roret.core.periods import in_force_on
from roret.core.permissions import CASE_ROLES, CASEWORKERS
from roret.outcomes.models import ActionStep
from roret.placements.models import Grant

# The date filters' descriptions, once (a call in an argument's default is read once, at import).
GRANTS_ON = Query(None, description="Only grants in force on this day.")
PLACEMENTS_ON = Query(None, description="Only placements on this day.")
WAITING_ON = Query(None, description="The day (default today).")
STEPS_DUE_TO = Query(None, description="Only steps due on or before this day.")


@router.get("/citizens/{int:citizen_id}/decisions", response=Page[DecisionOut])
def list_decisions(request, citizen_id: int, paging: Query[Paging], paragraph: str | None = None,
                   kind: str | None = None):
    """The citizen's decisions, newest first (caseworkers, as the decision page); ``paragraph``
    (legal basis code, e.g. SEL108) and ``kind`` (grant, refusal) filter."""
    require(request, CASEWORKERS)
    citizen = citizen_or_404(request, citizen_id, summary="Afgørelser vist")
    rows = citizen.decisions.select_related("offer_type").order_by("-decided_on", "-pk")
    if paragraph:
        rows = rows.filter(paragraph=paragraph)
    if kind:
        rows = rows.filter(kind=kind)
    return page(rows, paging, decision_row)


@router.get("/citizens/{int:citizen_id}/grants", response=Page[GrantOut])
def list_grants(request, citizen_id: int, paging: Query[Paging], paragraph: str | None = None,
                active_on: datetime.date | None = GRANTS_ON):
    """The citizen's grants, newest start first (as the citizen's page)."""
    require(request, CASE_ROLES)
    citizen = citizen_or_404(request, citizen_id, summary="Bevillinger vist")
    rows = citizen.grants.select_related("offer_type").order_by("-start", "-pk")
    if paragraph:
        rows = rows.filter(paragraph=paragraph)
    if active_on:
        rows = rows.filter(in_force_on(active_on))
    return page(rows, paging, grant_row)


@router.get("/citizens/{int:citizen_id}/placements", response=Page[PlacementOut])
def list_placements(request, citizen_id: int, paging: Query[Paging], offer_id: int | None = None,
                    active_on: datetime.date | None = PLACEMENTS_ON):
    """The citizen's placements, newest start first (as the citizen's page); ``offer_id`` and
    ``active_on`` filter."""
    require(request, CASE_ROLES)
    citizen = citizen_or_404(request, citizen_id, summary="Placeringer vist")
    rows = citizen.placements.select_related("offer").order_by("-start", "-pk")
    if offer_id is not None:
        rows = rows.filter(offer_id=offer_id)
    if active_on:
        rows = rows.filter(in_force_on(active_on))
    return page(rows, paging, placement_row)


@router.get("/citizens/{int:citizen_id}/waiting-list", response=Page[GrantOut])
def list_waiting(request, citizen_id: int, paging: Query[Paging],
                 day: datetime.date | None = WAITING_ON):
    """The citizen's grants on the waiting list on ``day``: in force and not placed, with the offer
    each waits for (``preferred_offer_id``), as the waiting list counts them."""
    require(request, CASE_ROLES)
    citizen = citizen_or_404(request, citizen_id, summary="Venteliste vist")
    rows = (Grant.objects.waiting_on(day or datetime.date.today()).filter(citizen=citizen)
            .select_related("offer_type").order_by("start", "pk"))
    return page(rows, paging, grant_row)


@router.get("/citizens/{int:citizen_id}/measurements", response=Page[MeasurementOut],
            url_name="list_measurements")
def list_measurements(request, citizen_id: int, paging: Query[Paging], instrument: str | None = None,
                      measured_from: datetime.date | None = None, measured_to: datetime.date | None = None):
    """The citizen's measurements (WHO-5 ...), oldest first (as the goals page); ``instrument`` and
    the dates (both included) filter."""
    require(request, CASE_ROLES)
    citizen = citizen_or_404(request, citizen_id, summary="Mål og målinger vist")
    rows = citizen.measurements.order_by("measured_on", "pk")
    if instrument:
        rows = rows.filter(instrument=instrument)
    if measured_from:
        rows = rows.filter(measured_on__gte=measured_from)
    if measured_to:
        rows = rows.filter(measured_on__lte=measured_to)
    return page(rows, paging, measurement_row)


class PlanStepOut(ActionStepOut):
    goal_id: int


@router.get("/citizens/{int:citizen_id}/action-plan", response=Page[PlanStepOut])
def list_steps(request, citizen_id: int, paging: Query[Paging],
               done: bool | None = Query(None, description="true: done steps only; false: open steps only."),
               due_to: datetime.date | None = STEPS_DUE_TO):
    """The steps of the citizen's action plan, across the goals, earliest due first (as the goals page)."""
    require(request, CASE_ROLES)
    citizen = citizen_or_404(request, citizen_id, summary="Mål og målinger vist")
    rows = ActionStep.objects.filter(goal__citizen=citizen).order_by("due_on", "pk")
    if done is not None:
        rows = rows.filter(done_on__isnull=not done)
    if due_to:
        rows = rows.filter(due_on__lte=due_to)
    return page(rows, paging, lambda s: {**step_row(s), "goal_id": s.goal_id})
