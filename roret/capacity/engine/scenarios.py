"""Inputs of the 5-year capacity plan and the scenarios that change them.

Time runs in whole months: month 0 is the first month of the plan and an event "from month
k" takes effect at the start of month k. Rates are per month, stays in months, tariffs in
kroner per place-month. The engine works in floats; the Django layer turns expected kroner
into ``Decimal`` at its boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import finite_array, places_array, probability
from .stays import StayDistribution

__all__ = [
    "Conversion",
    "DemandChange",
    "ElderlyCareMove",
    "PlaceChange",
    "PlanInput",
    "ReservedVacancy",
    "Scenario",
    "Timeline",
    "resolve",
]

POLICIES = ("external", "wait")


@dataclass(frozen=True)
class PlanInput:
    """Where one pool of interchangeable own places stands today, and what is expected.

    - ``places``: own places now (an int), or one number per month (an existing plan).
    - ``arrival_rate``: expected citizens per month granted a place (trend), scalar or per month.
    - ``stay``: stay-length distribution in months, e.g. :func:`.stays.kaplan_meier` of the
      history or :class:`.stays.ExponentialStay`.
    - ``resident_elapsed``: months each citizen now in an own place has stayed so far.
    - ``external_elapsed``: months each citizen now in a bought place (for lack of an own
      place) has stayed so far.
    - ``own_cost``: kroner per own place per month, paid whether used or not (scalar or per month).
    - ``external_cost``: kroner per bought place per month while occupied (scalar or per month).
    - ``pipeline_months``: month at which each known future citizen (e.g. a young person
      turning 18) needs a place; ``pipeline_probability`` the chance that each will.
    - ``urgent_share``: share of arrivals that are urgent and may use reserved places
      (strategic vacancy); the others are admitted only while more than the reserve is free.
    - ``policy``: ``"external"``: a citizen who finds no free own place stays in a bought place
      for the whole stay (the loss model); ``"wait"``: they wait in a bought place and move
      home, first come first served, when an own place frees.
    """

    places: object
    arrival_rate: object
    stay: StayDistribution
    resident_elapsed: object = ()
    external_elapsed: object = ()
    own_cost: object = 0.0
    external_cost: object = 0.0
    pipeline_months: object = ()
    pipeline_probability: object = None
    urgent_share: float = 0.0
    policy: str = "external"
    horizon_months: int = 60


@dataclass(frozen=True)
class PlaceChange:
    """From ``month`` on, ``delta`` more (or fewer) own places, e.g. a new build of 10 homes."""

    month: int
    delta: int
    label: str = ""


@dataclass(frozen=True)
class ReservedVacancy:
    """From ``month`` on, hold ``places`` own places back for urgent arrivals (strategic vacancy)."""

    month: int
    places: int


@dataclass(frozen=True)
class DemandChange:
    """Multiply the arrival rate by ``factor`` from ``month`` until (not including) ``until``."""

    month: int
    factor: float
    until: int | None = None


@dataclass(frozen=True)
class ElderlyCareMove:
    """Current resident number ``resident`` (index into ``resident_elapsed``) moves out at ``month``.

    The resident is assumed to stay until the move.
    """

    resident: int
    month: int


@dataclass(frozen=True)
class Conversion:
    """At ``month``, turn ``places`` bought places into own ones: the own places grow by that
    number and as many citizens now in bought places move home."""

    month: int
    places: int


@dataclass(frozen=True)
class Scenario:
    """A named set of changes to the plan's inputs, compared side by side with others."""

    name: str = "baseline"
    place_changes: tuple[PlaceChange, ...] = field(default_factory=tuple)
    reserved_vacancy: tuple[ReservedVacancy, ...] = field(default_factory=tuple)
    demand_changes: tuple[DemandChange, ...] = field(default_factory=tuple)
    elderly_care_moves: tuple[ElderlyCareMove, ...] = field(default_factory=tuple)
    conversions: tuple[Conversion, ...] = field(default_factory=tuple)


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class Timeline:
    """A plan input with a scenario applied, as one value per month (length ``horizon``)."""

    horizon: int
    places: np.ndarray  # own places in month m
    reserved: np.ndarray  # of which held back for urgent arrivals
    arrival_rate: np.ndarray  # citizens per month
    own_cost: np.ndarray  # kroner per own place-month
    external_cost: np.ndarray  # kroner per bought place-month
    move_home: np.ndarray  # citizens moved from bought to own places at the start of month m
    resident_elapsed: np.ndarray
    resident_leaves: np.ndarray  # month a resident moves out by plan (inf: not planned)
    external_elapsed: np.ndarray
    pipeline_months: np.ndarray
    pipeline_probability: np.ndarray
    urgent_share: float
    policy: str
    stay: StayDistribution


def _per_month(value, horizon: int, name: str) -> np.ndarray:
    arr = finite_array(value, name)
    if arr.ndim == 0:
        return np.full(horizon, float(arr))
    if arr.shape != (horizon,):
        raise ValueError(f"{name} must be a scalar or have one value per month ({horizon}), got {arr.shape}")
    return arr.astype(float)


def _whole(value, name: str) -> int:
    x = float(finite_array(value, name))
    if x != round(x):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(x)


def _month(value, horizon: int, name: str) -> int:
    m = int(places_array(value, name, minimum=0))
    if m >= horizon:
        raise ValueError(f"{name} must be a month in 0..{horizon - 1}, got {value!r}")
    return m


def resolve(plan: PlanInput, scenario: Scenario | None = None) -> Timeline:
    """Apply ``scenario`` to ``plan`` and check every input; bad input raises ValueError."""
    scenario = scenario or Scenario()
    h = int(places_array(plan.horizon_months, "horizon_months"))
    if not isinstance(plan.stay, StayDistribution):
        raise ValueError("stay must be a StayDistribution (e.g. kaplan_meier(...) or ExponentialStay(mean))")
    if plan.policy not in POLICIES:
        raise ValueError(f"policy must be one of {POLICIES}, got {plan.policy!r}")
    places = _per_month(plan.places, h, "places")
    if np.any(places < 0) or np.any(places != np.round(places)):
        raise ValueError(f"places must be whole numbers >= 0, got {plan.places!r}")
    rate = _per_month(plan.arrival_rate, h, "arrival_rate")
    own_cost = _per_month(plan.own_cost, h, "own_cost")
    external_cost = _per_month(plan.external_cost, h, "external_cost")
    for name, arr in (("arrival_rate", rate), ("own_cost", own_cost), ("external_cost", external_cost)):
        if np.any(arr < 0):
            raise ValueError(f"{name} must be >= 0")
    residents = finite_array(plan.resident_elapsed, "resident_elapsed").ravel()
    externals = finite_array(plan.external_elapsed, "external_elapsed").ravel()
    if np.any(residents < 0) or np.any(externals < 0):
        raise ValueError("elapsed stays must be >= 0")
    pipeline = finite_array(plan.pipeline_months, "pipeline_months").ravel()
    if np.any(pipeline < 0) or np.any(pipeline >= h) or np.any(pipeline != np.round(pipeline)):
        raise ValueError(f"pipeline_months must be whole months in 0..{h - 1}")
    if plan.pipeline_probability is None:
        pipeline_p = np.ones(pipeline.size)
    else:
        pipeline_p = finite_array(plan.pipeline_probability, "pipeline_probability").ravel()
        if pipeline_p.shape != pipeline.shape or np.any((pipeline_p < 0) | (pipeline_p > 1)):
            raise ValueError("pipeline_probability must give one probability in [0, 1] per pipeline month")
    urgent = probability(plan.urgent_share, "urgent_share")

    places = places.astype(np.int64)
    reserved = np.zeros(h, dtype=np.int64)
    move_home = np.zeros(h, dtype=np.int64)
    leaves = np.full(residents.size, np.inf)
    for ch in scenario.place_changes:
        places[_month(ch.month, h, "place change month") :] += _whole(ch.delta, "place change")
    for res in sorted(scenario.reserved_vacancy, key=lambda r: r.month):
        reserved[_month(res.month, h, "reserved vacancy month") :] = int(
            places_array(res.places, "reserved places", minimum=0)
        )
    for dc in scenario.demand_changes:
        start = _month(dc.month, h, "demand change month")
        end = h if dc.until is None else int(places_array(dc.until, "demand change until", minimum=start))
        factor = float(finite_array(dc.factor, "demand factor"))
        if factor < 0:
            raise ValueError(f"demand factor must be >= 0, got {dc.factor!r}")
        rate[start:end] *= factor
    for mv in scenario.elderly_care_moves:
        i = int(places_array(mv.resident, "resident", minimum=0))
        if i >= residents.size:
            raise ValueError(f"elderly-care move names resident {i}, but there are {residents.size}")
        leaves[i] = min(leaves[i], _month(mv.month, h, "elderly-care move month"))
    for cv in scenario.conversions:
        m = _month(cv.month, h, "conversion month")
        k = int(places_array(cv.places, "converted places", minimum=1))
        places[m:] += k
        move_home[m] += k
    if np.any(places < 0):
        raise ValueError("a scenario takes the number of own places below zero")
    if np.any(reserved > places):
        raise ValueError("reserved vacancy exceeds the number of own places")
    return Timeline(
        horizon=h,
        places=places,
        reserved=reserved,
        arrival_rate=rate,
        own_cost=own_cost,
        external_cost=external_cost,
        move_home=move_home,
        resident_elapsed=residents,
        resident_leaves=leaves,
        external_elapsed=externals,
        pipeline_months=pipeline.astype(np.int64),
        pipeline_probability=pipeline_p,
        urgent_share=urgent,
        policy=plan.policy,
        stay=plan.stay,
    )
