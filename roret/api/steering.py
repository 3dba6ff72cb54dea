"""Steering reads: the KPI report's figures for a half-year with its breakdowns, the capacity plan
runs and their results, and the development plans with tracks, initiatives and their traffic
lights. Aggregates only (no citizen is named), for the roles that see them on the pages, computed
by the pages' own code: the KPI report's build (roret/reports/services.py, with the committee's
suppression of cells of 1-4 citizens and a centre leader's own centre), the capacity runs as
stored (roret/capacity/runs.py) and the plan table (roret/plans/table.py)."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from roret.api.access import require
from roret.api.pagination import Page, Paging, page
from roret.capacity import runs as capacity_runs
from roret.capacity.groups import GROUPS
from roret.capacity.models import PlanRun
from roret.capacity.services import require_group_scope
from roret.core.permissions import AGGREGATE_ROLES, PLAN_READERS, NotInScope, suppresses
from roret.plans.models import Light, Plan
from roret.plans.table import plan_table
from roret.reports import kpi_report
from roret.reports.services import parse_half_value, report_context

router = Router(tags=["steering"])
HALF = r"^\d{4}-H[12]$"


# --- KPIs ------------------------------------------------------------------------------------------

class ColumnOut(Schema):
    key: str
    label: str
    kind: str = Field(description="text, int, money (kr.), pct or days.")


class CellOut(Schema):
    value: str | int | None = Field(description="The figure (money, shares and means as decimal text); "
                                                 "null when suppressed or not defined.")
    suppressed: bool = Field(description="Hidden from the committee: a count of 1-4 citizens, or one that "
                                         "would give such a count away (docs/suppression.md).")


class TableOut(Schema):
    key: str = Field(description="key_figures, trend, breakdown:<dimension>, duration, self_sufficiency "
                                 "or contributions.")
    title: str
    note: str
    columns: list[ColumnOut]
    rows: list[list[CellOut]]
    total: list[CellOut] | None


class KpiOut(Schema):
    half: str = Field(description="The half-year the figures are for (e.g. 2025-H1).")
    period: str
    start: datetime.date
    end: datetime.date
    suppressed: bool = Field(description="The committee's figures: small cells hidden.")
    centre_only: bool = Field(description="A centre leader's figures: their own centre's only.")
    tables: list[TableOut]


def _value(cell):
    if cell.suppressed or cell.value is None:
        return None
    if isinstance(cell.value, bool):
        return int(cell.value)
    if isinstance(cell.value, int):
        return cell.value
    if isinstance(cell.value, Decimal | float):
        return str(cell.value)
    return str(cell.value)


def _cells(cells) -> list[dict]:
    return [{"value": _value(c), "suppressed": c.suppressed} for c in cells]


def table_out(key: str, table) -> dict:
    return {"key": key, "title": str(table.title), "note": str(table.note or ""),
            "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in table.columns],
            "rows": [_cells(r) for r in table.rows], "total": _cells(table.total) if table.total else None}


@router.get("/kpis", response=KpiOut)
def get_kpis(request, half: str | None = Query(None, pattern=HALF,
                                               description="The half-year, e.g. 2025-H1; default the latest "
                                                           "completed one.")):
    """The KPI report of a half-year as the /reports/kpi/ page shows it: key figures, trend,
    breakdowns by legal basis, account function, own or external, centre and target group, length
    of stay, self-sufficiency, each own offer's contribution, and quality of life per instrument
    (``quality_of_life:<instrument>``: self-reported and staff-reported measurements apart).

    The committee gets completed half-years only, with the cells of 1-4 citizens (and those that
    would give one away) null and marked ``suppressed``; a centre leader their own centre's figures."""
    require(request, AGGREGATE_ROLES)
    period, used = parse_half_value(half or "", completed_only=suppresses(request.user))
    if half and used != half:
        raise ValidationError({"half": _("There are no figures for the half-year %(half)s (yet).") % {"half": half}})
    context = report_context(request.user, period, used)
    keys = ["key_figures", "trend", *(f"breakdown:{d}" for d in kpi_report.REPORT_DIMENSIONS), "duration",
            "self_sufficiency", "contributions"]
    tables = kpi_report.report_tables(context)
    # The fixed tables by their place; the quality-of-life tables (one per instrument measured) by their own key.
    named = [*zip(keys, tables[:len(keys)], strict=True), *((t.key, t) for t in tables[len(keys):])]
    return {"half": used, "period": str(period.label), "start": period.start, "end": period.end,
            "suppressed": context["suppress"], "centre_only": context["centre_only"],
            "tables": [table_out(k, t) for k, t in named]}


# --- capacity runs ---------------------------------------------------------------------------------

class RunOut(Schema):
    id: int
    group: str
    group_name: str
    day: datetime.date = Field(description="The plan's first day.")
    horizon_months: int
    seed: int
    replications: int
    scenarios: list[str]
    created: datetime.datetime
    ready: bool = Field(description="The run has finished and its results are stored.")


class YearOut(Schema):
    year: int = Field(description="Plan year 1, 2, ...")
    places: int | float
    occupancy: float = Field(description="Occupied own places at the year's end (median).")
    occupancy_band: list[float] = Field(description="10th and 90th percentile.")
    vacancy: float
    external: float = Field(description="Citizens in bought places at the year's end (median).")
    external_band: list[float]
    new_external: float
    cost: Decimal = Field(description="The year's expected cost (kr.).")


class ScenarioResultOut(Schema):
    name: str
    total_cost: Decimal | None
    cost_difference: Decimal | None = Field(description="Against the first scenario (the baseline).")
    mean_occupancy: float | None
    mean_vacancy: float | None
    new_external: float | None
    bought_place_months: float | None
    years: list[YearOut]


class RunDetailOut(RunOut):
    results: list[ScenarioResultOut] | None = Field(description="Per scenario; null until the run is ready.")


def _groups_in_scope(user) -> list[str]:
    keys = []
    for group in GROUPS:
        try:
            require_group_scope(user, group)
        except NotInScope:
            continue
        keys.append(group.key)
    return keys


def run_row(run: PlanRun) -> dict:
    return {"id": run.pk, "group": run.group, "group_name": str(run.get_group_display()), "day": run.day,
            "horizon_months": run.horizon_months, "seed": run.seed, "replications": run.replications,
            "scenarios": [str(s.get("name", "")) for s in run.scenarios or []], "created": run.created,
            "ready": run.is_ready}


@router.get("/capacity/runs", response=Page[RunOut])
def list_capacity_runs(request, paging: Query[Paging], group: str | None = None, ready: bool | None = None):
    """The capacity plan runs, newest first (as the capacity pages: a centre leader sees the groups
    their centre runs places in); ``group`` (e.g. sel108) and ``ready`` filter."""
    require(request, AGGREGATE_ROLES)
    rows = PlanRun.objects.filter(group__in=_groups_in_scope(request.user)).order_by("-created", "-pk")
    if group:
        rows = rows.filter(group=group)
    if ready is not None:
        rows = rows.filter(results__isnull=not ready)
    return page(rows, paging, run_row)


@router.get("/capacity/runs/{int:run_id}", response=RunDetailOut)
def get_capacity_run(request, run_id: int):
    """One run with each scenario's totals and its figures per plan year (as the run's page)."""
    require(request, AGGREGATE_ROLES)
    run = PlanRun.objects.filter(pk=run_id).first()
    try:
        if run is None:
            raise NotInScope("no such run")
        require_group_scope(request.user, run.group_obj)
    except NotInScope as exc:
        raise HttpError(404, _("The capacity plan run does not exist.")) from exc
    results = None
    if run.is_ready:
        results = [{"name": str(sc.get("name", "")), "total_cost": sc.get("total_cost"),
                    "cost_difference": sc.get("cost_difference"), "mean_occupancy": sc.get("mean_occupancy"),
                    "mean_vacancy": sc.get("mean_vacancy"), "new_external": sc.get("new_external"),
                    "bought_place_months": sc.get("bought_place_months"),
                    "years": [{**y, "occupancy_band": list(y["occupancy_band"]),
                               "external_band": list(y["external_band"])} for y in capacity_runs.yearly(sc)]}
                   for sc in run.results.get("scenarios", [])]
    return {**run_row(run), "results": results}


# --- development plans -----------------------------------------------------------------------------

class PlanOut(Schema):
    id: int
    title: str
    first_year: int
    last_year: int
    status: str = Field(description="draft or adopted.")
    adopted_by: str
    adopted_on: datetime.date | None
    unit: str
    initiatives: int


class LightOut(Schema):
    half: str
    colour: str = Field(description="green, yellow or red, as last set for the half-year.")
    set_at: datetime.datetime


class InitiativeOut(Schema):
    id: int
    title: str
    description: str
    target: str
    target_value: Decimal | None
    target_note: str
    responsible_centre: str | None
    light: LightOut | None = Field(description="The latest traffic light set; null if none yet.")


class TrackOut(Schema):
    id: int | None = Field(description="null: the plan's initiatives under no track.")
    number: str
    name: str
    initiatives: list[InitiativeOut]


class YearTotalOut(Schema):
    year: int
    investments: Decimal
    effects: Decimal
    net: Decimal


class PlanDetailOut(PlanOut):
    description: str
    tracks: list[TrackOut]
    years: list[YearTotalOut] = Field(description="The plan table's totals per year, in the plan's unit.")


def plan_row(plan: Plan) -> dict:
    return {"id": plan.pk, "title": plan.title, "first_year": plan.first_year, "last_year": plan.last_year,
            "status": plan.status, "adopted_by": plan.adopted_by, "adopted_on": plan.adopted_on, "unit": plan.unit,
            "initiatives": getattr(plan, "n_initiatives", None) or plan.initiatives.count()}


@router.get("/plans", response=Page[PlanOut])
def list_plans(request, paging: Query[Paging], status: str | None = None, year: int | None = Query(
        None, ge=1900, le=2200, description="Only plans that run in this year.")):
    """The development plans, newest first (as the plans page); ``status`` and ``year`` filter."""
    require(request, PLAN_READERS)
    rows = Plan.objects.annotate(n_initiatives=Count("initiatives")).order_by("-first_year", "title")
    if status:
        rows = rows.filter(status=status)
    if year is not None:
        rows = rows.filter(first_year__lte=year, last_year__gte=year)
    return page(rows, paging, plan_row)


@router.get("/plans/{int:plan_id}", response=PlanDetailOut)
def get_plan(request, plan_id: int):
    """One plan with its tracks and initiatives, each with its latest traffic light, and the plan
    table's investments, effects and net per year (as the plan's page)."""
    require(request, PLAN_READERS)
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise HttpError(404, _("The plan does not exist."))
    latest: dict[int, Light] = {}
    lights = Light.objects.filter(initiative__plan=plan)
    if suppresses(request.user):
        # The committee reads completed half-years only, as on the plan's pages (effect_views._reading_day).
        from roret.plans.effect_views import _reading_day
        from roret.plans.lights import half_of

        lights = lights.filter(half__lte=half_of(_reading_day(request.user)))
    for light in lights.order_by("half", "set_at", "pk"):
        latest[light.initiative_id] = light

    def initiative(i) -> dict:
        light = latest.get(i.pk)
        return {"id": i.pk, "title": i.title, "description": i.description, "target": i.target,
                "target_value": i.target_value, "target_note": i.target_note,
                "responsible_centre": i.responsible_centre.name if i.responsible_centre_id else None,
                "light": None if light is None else {"half": light.half, "colour": light.colour,
                                                     "set_at": light.set_at}}

    initiatives = list(plan.initiatives.select_related("responsible_centre").order_by("position", "pk"))
    tracks = [{"id": t.pk, "number": t.number, "name": t.name,
               "initiatives": [initiative(i) for i in initiatives if i.track_id == t.pk]}
              for t in plan.tracks.order_by("position", "number")]
    loose = [initiative(i) for i in initiatives if i.track_id is None]
    if loose:
        tracks.append({"id": None, "number": "", "name": "", "initiatives": loose})
    table = plan_table(plan)
    years = [{"year": y, "investments": inv, "effects": eff, "net": net} for y, inv, eff, net in
             zip(table.years, table.investment_totals, table.effect_totals, table.totals, strict=True)]
    return {**plan_row(plan), "initiatives": len(initiatives), "description": plan.description, "tracks": tracks,
            "years": years}
