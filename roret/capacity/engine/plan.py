"""The 5-year capacity plan: one entry point, scenario comparison and a fast approximation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._checks import places_array, rng_or_error
from .erlang import erlang_b
from .plan_sim import plan_simulate
from .progress import ProgressCallback
from .results import PlanResult
from .scenarios import PlanInput, Scenario, resolve
from .stays import ExponentialStay, StayDistribution
from .transient import plan_exact

__all__ = [
    "LoadApproximation",
    "ScenarioComparison",
    "approximate_plan",
    "compare_scenarios",
    "modified_offered_load",
    "plan_capacity",
]

METHODS = ("auto", "exact", "simulation")


def plan_capacity(
    plan: PlanInput,
    scenario: Scenario | None = None,
    *,
    method: str = "auto",
    rng: np.random.Generator | None = None,
    replications: int = 1000,
    steps_per_month: int = 4,
    progress: ProgressCallback | None = None,
    progress_every: int = 1,
) -> PlanResult:
    """Month-by-month occupancy, vacancy, bought places, waiting and cost for one scenario.

    ``method="auto"`` computes exactly (Markov chain, :func:`.transient.plan_exact`) when the
    stays are exponential and simulates (:func:`.plan_sim.plan_simulate`, needs ``rng``)
    otherwise; ``"exact"`` or ``"simulation"`` force one. ``progress(done, total)``, a plain
    callable, is told the months computed every ``progress_every`` months; it changes nothing
    in the result.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    scenario = scenario or Scenario()
    tl = resolve(plan, scenario)
    if method == "exact" or (method == "auto" and isinstance(tl.stay, ExponentialStay)):
        return plan_exact(tl, scenario.name, progress=progress, progress_every=progress_every)
    return plan_simulate(
        tl,
        rng=rng_or_error(rng),
        replications=replications,
        steps_per_month=steps_per_month,
        scenario_name=scenario.name,
        progress=progress,
        progress_every=progress_every,
    )


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class ScenarioComparison:
    """Scenarios side by side; every array has one value per scenario, baseline first."""

    names: tuple[str, ...]
    results: tuple[PlanResult, ...]
    total_cost: np.ndarray  # expected kroner over the horizon
    cost_difference: np.ndarray  # total_cost minus the first scenario's
    new_external: np.ndarray  # expected citizens placed externally over the horizon
    bought_place_months: np.ndarray  # expected month-end bought places, summed over months
    mean_vacancy: np.ndarray  # expected empty own places, averaged over month ends
    mean_occupancy: np.ndarray  # expected occupied own places, averaged over month ends

    def rows(self) -> list[dict]:
        """One plain dict per scenario."""
        fields = (
            "total_cost",
            "cost_difference",
            "new_external",
            "bought_place_months",
            "mean_vacancy",
            "mean_occupancy",
        )
        return [
            {"scenario": name, **{f: float(getattr(self, f)[i]) for f in fields}}
            for i, name in enumerate(self.names)
        ]


def compare_scenarios(
    plan: PlanInput,
    scenarios: Sequence[Scenario],
    *,
    method: str = "auto",
    rng: np.random.Generator | None = None,
    replications: int = 1000,
    steps_per_month: int = 4,
    progress: ProgressCallback | None = None,
    progress_every: int = 1,
) -> ScenarioComparison:
    """Run every scenario on the same plan input and tabulate cost, external placements and vacancy.

    When simulating, every scenario gets a generator seeded alike from ``rng`` (common random
    numbers), so differences between scenarios are not drowned in simulation noise.
    ``progress(done, total)`` counts months over all scenarios (``total`` = scenarios × horizon).
    """
    if not scenarios:
        raise ValueError("compare_scenarios needs at least one scenario")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must be unique, got {names}")
    seed = None if rng is None else int(rng_or_error(rng).integers(2**63))
    horizon = int(places_array(plan.horizon_months, "horizon_months"))
    total = horizon * len(scenarios)

    def part(i):  # scenario i's months, offset by the scenarios before it
        return None if progress is None else (lambda done, _n: progress(i * horizon + done, total))

    results = tuple(
        plan_capacity(
            plan,
            s,
            method=method,
            rng=None if seed is None else np.random.default_rng(seed),
            replications=replications,
            steps_per_month=steps_per_month,
            progress=part(i),
            progress_every=progress_every,
        )
        for i, s in enumerate(scenarios)
    )
    total = np.array([r.total_cost for r in results])
    return ScenarioComparison(
        names=tuple(names),
        results=results,
        total_cost=total,
        cost_difference=total - total[0],
        new_external=np.array([r.new_external.sum() for r in results]),
        bought_place_months=np.array([r.external.mean.sum() for r in results]),
        mean_vacancy=np.array([r.vacancy.mean.mean() for r in results]),
        mean_occupancy=np.array([r.occupancy.mean.mean() for r in results]),
    )


def modified_offered_load(
    arrival_rate,
    stay: StayDistribution,
    *,
    resident_elapsed=(),
    resident_leaves=None,
    pipeline_months=(),
    pipeline_probability=None,
    steps_per_month: int = 8,
    horizon_months: int | None = None,
) -> np.ndarray:
    """Offered load :math:`m(t)` at the end of each month: the mean occupancy with unlimited places.

    .. math::

        m(t) = \\sum_i \\frac{S(e_i + t)}{S(e_i)} + \\int_0^t \\lambda(u)\\, S(t-u)\\,du,
        \\qquad\\text{for exponential stays}\\quad m'(t) = \\lambda(t) - m(t)/E[S].

    Feeding :math:`m(t)` into Erlang's formula, :math:`B(c(t), m(t))`, is the modified
    offered-load approximation (Jagerman 1975; Massey, W. A. & Whitt, W. 1994, "An analysis of
    the modified offered-load approximation for the nonstationary Erlang loss model", Annals of
    Applied Probability 4(4), 1145-1160; Jennings, O. B., Mandelbaum, A., Massey, W. A. &
    Whitt, W. 1996, "Server staffing to meet time-varying demand", Management Science 42(10),
    1383-1394). Exponential stays use the exact solution of the ODE on each month; other
    distributions the midpoint rule on ``steps_per_month`` points per month. Residents with a
    planned leaving month (``resident_leaves``, ``inf`` for none) count until they leave.
    """
    rate = np.asarray(arrival_rate, dtype=float)
    if rate.ndim == 0:
        if horizon_months is None:
            raise ValueError("give horizon_months when arrival_rate is a single number")
        rate = np.full(int(places_array(horizon_months, "horizon_months")), float(rate))
    rate = rate.ravel()
    h = rate.size
    months = np.arange(1, h + 1, dtype=float)
    e = np.asarray(resident_elapsed, dtype=float).ravel()
    leaves = np.full(e.size, np.inf) if resident_leaves is None else np.asarray(resident_leaves, dtype=float)
    planned = np.isfinite(leaves)
    s_e = stay.survival(e[~planned])
    keep = s_e > 0
    residents = (stay.survival(e[~planned][keep][None, :] + months[:, None]) / s_e[keep][None, :]).sum(
        axis=1
    ) + (~keep).sum() * np.exp(-months / stay.mean)
    residents += (leaves[planned][None, :] > months[:, None] - 1).sum(axis=1) if planned.any() else 0.0
    if isinstance(stay, ExponentialStay):
        decay = np.exp(-1.0 / stay.mean)
        fresh = np.zeros(h)
        m = 0.0
        for k in range(h):
            m = rate[k] * stay.mean + (m - rate[k] * stay.mean) * decay
            fresh[k] = m
    else:
        n = int(places_array(steps_per_month, "steps_per_month"))
        u = (np.arange(h * n) + 0.5) / n  # midpoints of the sub-steps
        lam_u = rate[(u // 1).astype(int)]
        age = months[:, None] - u[None, :]
        fresh = np.where(age > 0, lam_u[None, :] * stay.survival(np.maximum(age, 0.0)), 0.0).sum(axis=1) / n
    pm = np.asarray(pipeline_months, dtype=float).ravel()
    pq = np.ones(pm.size) if pipeline_probability is None else np.asarray(pipeline_probability, dtype=float)
    known = (
        (months[:, None] >= pm[None, :]) * pq[None, :] * stay.survival(np.maximum(months[:, None] - pm, 0))
    ).sum(axis=1)
    return residents + fresh + known


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class LoadApproximation:
    """The modified offered-load approximation of the plan, one value per month end."""

    load: np.ndarray  # m(t), Erlang
    blocking: np.ndarray  # B(places, m(t)): chance that a citizen finds no own place
    occupancy: np.ndarray  # m(t) (1 - B)
    new_external: np.ndarray  # arrival rate * B, citizens per month


def approximate_plan(
    plan: PlanInput, scenario: Scenario | None = None, *, steps_per_month: int = 8
) -> LoadApproximation:
    """Instant approximation of the loss-model plan by the modified offered load.

    It is good when demand changes slowly compared with the mean stay and the unit is not
    far above capacity for long; it ignores reserved vacancy, conversions and the ``"wait"``
    policy (use :func:`plan_capacity` for those). See docs/capacity.md.
    """
    tl = resolve(plan, scenario)
    m = modified_offered_load(
        tl.arrival_rate,
        tl.stay,
        resident_elapsed=tl.resident_elapsed,
        resident_leaves=tl.resident_leaves,
        pipeline_months=tl.pipeline_months,
        pipeline_probability=tl.pipeline_probability,
        steps_per_month=steps_per_month,
    )
    b = np.ones(tl.horizon)
    own = tl.places > 0
    if own.any():
        b[own] = erlang_b(tl.places[own], m[own])
    return LoadApproximation(load=m, blocking=b, occupancy=m * (1 - b), new_external=tl.arrival_rate * b)
