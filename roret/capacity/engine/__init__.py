"""roret's capacity engine: pure NumPy/SciPy, no Django. Arrays and dataclasses in and out.

- :mod:`.erlang`: Erlang's loss model (blocking, occupancy, carried load, inverse, transient).
- :mod:`.sizing`: the cost-optimal number of own places, with an optional service level.
- :mod:`.stays`: stay-length distributions and the Kaplan-Meier estimate from history.
- :mod:`.simulate`: the stationary loss model simulated, vectorised across replications.
- :mod:`.scenarios`, :mod:`.transient`, :mod:`.plan_sim`, :mod:`.plan`: the 5-year plan,
  exact for exponential stays, simulated otherwise, and scenarios side by side.

Randomness always comes from a ``numpy.random.Generator`` passed in. Formulas and references
are in each function's docstring and in docs/capacity.md.
"""

from .erlang import (
    carried_load,
    erlang_b,
    erlang_b_log,
    erlang_b_table,
    erlang_transient,
    external_per_year,
    load_at_occupancy,
    max_load,
    occupancy,
    occupancy_distribution,
)
from .plan import (
    LoadApproximation,
    ScenarioComparison,
    approximate_plan,
    compare_scenarios,
    modified_offered_load,
    plan_capacity,
)
from .plan_sim import plan_simulate
from .results import Band, PlanResult
from .scenarios import (
    Conversion,
    DemandChange,
    ElderlyCareMove,
    PlaceChange,
    PlanInput,
    ReservedVacancy,
    Scenario,
    Timeline,
    resolve,
)
from .simulate import LossEstimate, ratio_estimate, simulate_loss
from .sizing import Sizing, size_places
from .stays import (
    DeterministicStay,
    ExponentialStay,
    KaplanMeier,
    LognormalStay,
    ParetoStay,
    StayDistribution,
    kaplan_meier,
)
from .transient import plan_exact

__all__ = [
    "Band",
    "Conversion",
    "DemandChange",
    "DeterministicStay",
    "ElderlyCareMove",
    "ExponentialStay",
    "KaplanMeier",
    "LoadApproximation",
    "LognormalStay",
    "LossEstimate",
    "ParetoStay",
    "PlaceChange",
    "PlanInput",
    "PlanResult",
    "ReservedVacancy",
    "Scenario",
    "ScenarioComparison",
    "Sizing",
    "StayDistribution",
    "Timeline",
    "approximate_plan",
    "carried_load",
    "compare_scenarios",
    "erlang_b",
    "erlang_b_log",
    "erlang_b_table",
    "erlang_transient",
    "external_per_year",
    "kaplan_meier",
    "load_at_occupancy",
    "max_load",
    "modified_offered_load",
    "occupancy",
    "occupancy_distribution",
    "plan_capacity",
    "plan_exact",
    "plan_simulate",
    "ratio_estimate",
    "resolve",
    "simulate_loss",
    "size_places",
]
