"""Running the 5-year plan for a group and its scenarios, storing the result, drawing it.

One run = one group, the baseline and any saved scenarios, on the inputs the case record
gives today (roret.capacity.services.build_inputs). It runs as a background job
(roret.capacity.jobs) or directly from the command line; both call :func:`execute`.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from roret.capacity import engine
from roret.capacity.groups import CapacityGroup
from roret.capacity.models import HORIZON, EventKind, PlanRun, Scenario
from roret.capacity.services import PlanInputs, build_inputs, kroner, month_labels, require_group_scope
from roret.core import audit, permissions
from roret.core.jobs import start_job
from roret.reports.toolkit import charts

BASELINE = gettext_lazy("Baseline")
COST_FIELDS = ("total_cost", "cost_difference")
LEVELS = ("occupancy", "vacancy", "external", "waiting")

Progress = Callable[[float, str], None]


def snapshot(scenario: Scenario) -> dict:
    """A scenario as plain data, stored with a run so later edits do not change old results."""
    return {
        "id": scenario.pk,
        "name": scenario.name,
        "reserved_places": scenario.reserved_places,
        "reserved_from": scenario.reserved_from,
        "demand_factor": str(scenario.demand_factor),
        "demand_from": scenario.demand_from,
        "events": [
            {"kind": e.kind, "month": e.month, "places": e.places, "label": e.label}
            for e in scenario.events.all()
        ],
    }


def to_engine(snap: dict, residents: int) -> engine.Scenario:
    """The engine's Scenario for a stored snapshot. Elderly-care moves take the oldest residents
    first (index 0 is the oldest; see services.build_inputs), each event the next ones."""
    place_changes, moves, conversions = [], [], []
    next_resident = 0
    for ev in sorted(snap["events"], key=lambda e: e["month"]):
        if ev["kind"] == EventKind.PLACE_CHANGE:
            place_changes.append(engine.PlaceChange(ev["month"], ev["places"], ev["label"]))
        elif ev["kind"] == EventKind.ELDERLY_CARE:
            if next_resident + ev["places"] > residents:
                raise ValueError(_("Scenario “%(name)s”: %(n)d residents move to elderly care, but the group has "
                                   "only %(r)d residents now.") % {"name": snap["name"], "n": next_resident + ev["places"],
                                                                    "r": residents})
            moves += [engine.ElderlyCareMove(i, ev["month"]) for i in range(next_resident, next_resident + ev["places"])]
            next_resident += ev["places"]
        elif ev["kind"] == EventKind.CONVERSION:
            conversions.append(engine.Conversion(ev["month"], ev["places"]))
        else:
            raise ValueError(f"unknown scenario event kind {ev['kind']!r}")
    factor = Decimal(snap["demand_factor"])
    return engine.Scenario(
        snap["name"],
        place_changes=tuple(place_changes),
        reserved_vacancy=(engine.ReservedVacancy(snap["reserved_from"], snap["reserved_places"]),)
        if snap["reserved_places"] else (),
        demand_changes=(engine.DemandChange(snap["demand_from"], float(factor)),) if factor != 1 else (),
        elderly_care_moves=tuple(moves),
        conversions=tuple(conversions),
    )


def baseline_snapshot() -> dict:
    return {"id": None, "name": str(BASELINE), "reserved_places": 0, "reserved_from": 0,
            "demand_factor": "1.00", "demand_from": 0, "events": []}


def create_run(group: CapacityGroup, *, user, scenarios=(), seed: int | None = None, replications: int = 1000,
               day: datetime.date | None = None, horizon: int = HORIZON, channel: str = "web") -> PlanRun:
    """Store a plan run for ``group`` (baseline + ``scenarios``), not yet computed, audited.

    The page starts it as a background job (:func:`start_run`); the command line computes it at
    once (:func:`execute`). ``user`` None is the command line run by the operator (actor "system")."""
    if user is not None:
        permissions.require_role(user, permissions.PLANNERS, "only the economist runs the capacity plan")
    scenarios = list(scenarios)
    for s in scenarios:
        if s.group != group.key:
            raise ValueError(_("Scenario “%(name)s” belongs to another group.") % {"name": s.name})
    if not 2 <= replications <= 20_000:
        raise ValueError(_("Replications must be between 2 and 20,000."))
    if not 12 <= horizon <= 120:
        raise ValueError(_("The plan covers 1 to 10 years."))
    with transaction.atomic():
        run = PlanRun.objects.create(
            group=group.key, day=day or datetime.date.today(), horizon_months=horizon,
            seed=seed if seed is not None else random.SystemRandom().randrange(2**31),
            replications=replications, scenario_ids=[s.pk for s in scenarios],
            scenarios=[baseline_snapshot()] + [snapshot(s) for s in scenarios], created_by=user, channel=channel,
        )
        audit.record(user, "create", obj=run, channel=channel,
                     summary=f"Kapacitetsplan for {group.key} startet (#{run.pk}, {len(scenarios) + 1} scenarier)")
    return run


@transaction.atomic
def start_run(group: CapacityGroup, *, user, scenarios=(), seed: int | None = None,
              replications: int = 1000, day: datetime.date | None = None) -> PlanRun:
    """Store a plan run for ``group`` and start its background job."""
    run = create_run(group, user=user, scenarios=scenarios, seed=seed, replications=replications, day=day)
    run.job = start_job("capacity.plan", user=user, params={"run": run.pk})
    run.save(update_fields=["job"])
    return run


def start_pdf(run: PlanRun, *, user, language: str | None = None):
    """Start the background job that renders ``run`` as a PDF (``capacity.pdf``), audited as an
    export. Only for the roles that see the plan, a centre leader only for a group the centre runs
    places in (as the pages: capacity.views); a run still computing has nothing to render yet."""
    require_group_scope(user, run.group_obj)
    if not run.is_ready:
        raise ValueError(_("Plan run #%(pk)d is still being computed: there is nothing to print yet.") % {"pk": run.pk})
    with transaction.atomic():
        job = start_job("capacity.pdf", user=user, params={"run": run.pk, "language": language})
        audit.record(user, "export", summary=f"Kapacitetsplan for {run.group} (#{run.pk}) som PDF", obj=run)
    return job


def pdf_job_for(run: PlanRun, user):
    """The newest PDF job ``user`` started for ``run`` (the page shows its progress or its file)."""
    from roret.core.jobs import Job

    return Job.objects.filter(kind="capacity.pdf", created_by=user, params__run=run.pk).first()


def execute(run: PlanRun, progress: Progress | None = None) -> dict:
    """Compute and store ``run``'s results; ``progress(percent, message)`` is told as it goes."""
    progress = progress or (lambda p, m: None)
    t0 = time.perf_counter()
    progress(5, _("Reading places, stays and tariffs"))
    horizon = run.horizon_months
    inputs = build_inputs(run.group_obj, run.day, horizon=horizon)
    n, index = len(run.scenarios), {snap["name"]: i for i, snap in enumerate(run.scenarios)}
    told = [None]
    # Translated once: a lookup per percent cost a millisecond each under Django's thread-local
    # translation state, a tenth of a small group's run.
    message = _("Scenario %(i)d of %(n)d: %(name)s, month %(m)d of %(h)d")

    def months_done(done: int, total: int, name: str) -> None:
        # The engine reports every month; write the job row only when the whole percent moves.
        percent = int(10 + 85 * done / total)
        if percent != told[0]:
            told[0] = percent
            i = index[name]
            progress(percent, message % {"i": i + 1, "n": n, "name": name, "m": done - i * horizon, "h": horizon})

    results = compute(inputs, run.scenarios, seed=run.seed, replications=run.replications, progress=months_done)
    run.inputs = inputs.summary()
    run.results = results
    run.seconds = time.perf_counter() - t0
    run.save(update_fields=["inputs", "results", "seconds"])
    progress(100, _("Done"))
    return results


def compute(inputs: PlanInputs, snapshots: list[dict], *, seed: int, replications: int,
            progress: Callable[[int, int, str], None] | None = None) -> dict:
    """Every scenario through engine.compare_scenarios with common random numbers, as plain data.

    Each scenario is compared on its own with a generator seeded alike, which gives exactly
    the common random numbers compare_scenarios gives a list. ``progress(done, total, name)``
    counts plan months over all scenarios, told by the engine as it computes (month by month
    within a scenario); it does not change the result.
    """
    plan = inputs.plan()
    residents = int(inputs.resident_elapsed.size)
    out, base_total = [], None
    labels = month_labels(inputs.day, inputs.horizon)
    total = len(snapshots) * inputs.horizon
    for i, snap in enumerate(snapshots):
        scenario = to_engine(snap, residents)
        told = None if progress is None else (
            lambda done, _n, i=i, name=snap["name"]: progress(i * inputs.horizon + done, total, name))
        if told:
            told(0, inputs.horizon)
        cmp = engine.compare_scenarios(plan, [scenario], rng=np.random.default_rng(seed),
                                       replications=replications, progress=told)
        result, row = cmp.results[0], cmp.rows()[0]
        base_total = row["total_cost"] if base_total is None else base_total
        out.append({
            "name": snap["name"],
            "id": snap["id"],
            "method": result.method,
            "total_cost": str(kroner(row["total_cost"])),
            "cost_difference": str(kroner(row["total_cost"]) - kroner(base_total)),  # the shown totals differ by it
            "total_cost_band": [str(kroner(x)) for x in result.total_cost_band] if result.total_cost_band else None,
            "new_external": round(row["new_external"], 2),
            "bought_place_months": round(row["bought_place_months"], 1),
            "mean_vacancy": round(row["mean_vacancy"], 2),
            "mean_occupancy": round(row["mean_occupancy"], 2),
            "months": [_month_row(r, label) for r, label in zip(result.rows(), labels, strict=True)],
        })
    return {"labels": labels, "scenarios": out}


def _month_row(r: dict, label: str) -> dict:
    row = {"month": r["month"], "label": label, "places": r["places"], "reserved": r["reserved"],
           "new_external": round(r["new_external"], 3)}
    for name in LEVELS:
        for part in ("mean", "p10", "p50", "p90"):
            row[f"{name}_{part}"] = round(r[f"{name}_{part}"], 3)
    for part in ("mean", "p10", "p50", "p90"):
        row[f"cost_{part}"] = str(kroner(r[f"cost_{part}"]))
    return row


# ------------------------------------------------------------------------------------------ output


def yearly(scenario: dict) -> list[dict]:
    """Per plan year: month-end levels at the year's end and the year's expected cost (Decimal)."""
    months = scenario["months"]
    out = []
    for y in range(len(months) // 12):
        last = months[12 * y + 11]
        out.append({
            "year": y + 1,
            "places": last["places"],
            "occupancy": last["occupancy_p50"], "occupancy_band": (last["occupancy_p10"], last["occupancy_p90"]),
            "vacancy": last["vacancy_mean"],
            "external": last["external_p50"], "external_band": (last["external_p10"], last["external_p90"]),
            "new_external": round(sum(m["new_external"] for m in months[12 * y:12 * y + 12]), 2),
            "cost": sum((Decimal(m["cost_mean"]) for m in months[12 * y:12 * y + 12]), Decimal(0)),
        })
    return out


CHARTS = (
    ("occupancy", gettext_lazy("Occupied own places")),
    ("vacancy", gettext_lazy("Vacant own places")),
    ("external", gettext_lazy("Citizens in bought places")),
    ("cost", gettext_lazy("Cost per month (1,000 kr.)")),
)


def chart_svgs(results: dict, *, width: int = 640, height: int = 280) -> list[dict]:
    """One fan chart per quantity: the median (P50) of each scenario with its P10-P90 band."""
    labels = results["labels"]
    out = []
    for key, title in CHARTS:
        series, bands = [], []
        for i, sc in enumerate(results["scenarios"]):
            color = charts.PALETTE[i % len(charts.PALETTE)]
            scale = (lambda v: float(v) / 1000) if key == "cost" else float
            months = sc["months"]
            series.append(charts.Series(f"{sc['name']} P50", [scale(m[f"{key}_p50"]) for m in months], color=color))
            bands.append(charts.Band(f"{sc['name']} P10–P90", lower=[scale(m[f"{key}_p10"]) for m in months],
                                     upper=[scale(m[f"{key}_p90"]) for m in months], color=color))
        if key == "occupancy" and results["scenarios"]:
            series.append(charts.Series(str(_("Own places (baseline)")),
                                        [m["places"] for m in results["scenarios"][0]["months"]],
                                        color=charts.PALETTE[6], dashed=True))
        out.append({"key": key, "title": str(title), "svg": charts.line_chart(
            series, x_labels=labels, bands=bands, title=str(title), width=width, height=height,
            y_label=str(_("1,000 kr.")) if key == "cost" else str(_("citizens")),
            description=str(_("Median and P10–P90 band per scenario, month by month.")),
        )})
    return out
