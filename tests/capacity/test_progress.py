"""Progress within a scenario: the engine tells a plain callable the months computed, and the
result is bit-identical for a seed however often (or whether) progress is reported."""

import dataclasses

import numpy as np
import pytest

from roret.capacity.engine import (
    Conversion,
    ExponentialStay,
    PlaceChange,
    PlanInput,
    ReservedVacancy,
    Scenario,
    compare_scenarios,
    kaplan_meier,
    plan_capacity,
)
from roret.capacity.engine.results import Band

HORIZON = 36
SCENARIO = Scenario("build and hold back", place_changes=(PlaceChange(12, 3, "3 homes"),),
                    reserved_vacancy=(ReservedVacancy(6, 1),), conversions=(Conversion(18, 2),))


def simulated_input(policy="external"):
    rng = np.random.default_rng(11)
    durations = rng.lognormal(np.log(20), 0.8, 80)
    stay = kaplan_meier(durations, rng.random(80) < 0.8)  # not exponential: simulated
    return PlanInput(places=12, arrival_rate=0.7, stay=stay, resident_elapsed=np.linspace(1, 40, 11),
                     external_elapsed=np.array([2.0, 9.0, 30.0]), own_cost=55_000.0, external_cost=90_000.0,
                     pipeline_months=np.array([0.0, 5.0]), pipeline_probability=np.array([1.0, 0.6]),
                     horizon_months=HORIZON, policy=policy)


def arrays(result):
    """Every number of a PlanResult, flattened to arrays (Bands field by field)."""
    out = {}
    for f in dataclasses.fields(result):
        value = getattr(result, f.name)
        if isinstance(value, Band):
            for part in ("mean", "p10", "p50", "p90"):
                out[f"{f.name}.{part}"] = np.asarray(getattr(value, part))
        elif isinstance(value, np.ndarray | float | int | tuple):
            out[f.name] = np.asarray(value)
    return out


def assert_bit_identical(a, b):
    x, y = arrays(a), arrays(b)
    assert x.keys() == y.keys()
    for key in x:
        assert np.array_equal(x[key], y[key]), key  # exact equality, not allclose


@pytest.mark.parametrize("policy", ["external", "wait"])
def test_a_seeded_simulation_is_bit_identical_whatever_the_progress_chunking(policy):
    plan = simulated_input(policy)
    silent = plan_capacity(plan, SCENARIO, rng=np.random.default_rng(2026), replications=200)
    assert silent.method == "simulation"
    for every in (1, 5, 7, HORIZON, 1000):
        told = []
        loud = plan_capacity(plan, SCENARIO, rng=np.random.default_rng(2026), replications=200,
                             progress=lambda done, total, told=told: told.append((done, total)),
                             progress_every=every)
        assert_bit_identical(silent, loud)
        expected = sorted({m for m in range(every, HORIZON + 1, every)} | {HORIZON})
        assert told == [(m, HORIZON) for m in expected], every


def test_progress_moves_within_a_scenario_month_by_month():
    told = []
    plan_capacity(simulated_input(), rng=np.random.default_rng(1), replications=50,
                  progress=lambda done, total: told.append(done))
    assert told == list(range(1, HORIZON + 1))


def test_the_exact_chain_reports_months_too_and_never_goes_back():
    plan = dataclasses.replace(simulated_input(), stay=ExponentialStay(20.0))
    silent = plan_capacity(plan, SCENARIO)
    told = []
    loud = plan_capacity(plan, SCENARIO, progress=lambda done, total: told.append((done, total)))
    assert loud.method == "exact"
    assert_bit_identical(silent, loud)
    assert [d for d, _t in told] == list(range(1, HORIZON + 1)) and {t for _d, t in told} == {HORIZON}


def test_compare_scenarios_counts_months_over_all_scenarios_with_the_same_results():
    plan = simulated_input()
    scenarios = [Scenario("baseline"), SCENARIO]
    silent = compare_scenarios(plan, scenarios, rng=np.random.default_rng(9), replications=100)
    told = []
    loud = compare_scenarios(plan, scenarios, rng=np.random.default_rng(9), replications=100,
                             progress=lambda done, total: told.append((done, total)), progress_every=12)
    for a, b in zip(silent.results, loud.results, strict=True):
        assert_bit_identical(a, b)
    assert np.array_equal(silent.total_cost, loud.total_cost)
    assert told == [(12, 72), (24, 72), (36, 72), (48, 72), (60, 72), (72, 72)]


def test_bad_progress_arguments_are_refused_with_a_clear_message():
    plan = simulated_input()
    with pytest.raises(ValueError, match="progress_every"):
        plan_capacity(plan, rng=np.random.default_rng(1), replications=10, progress=print, progress_every=0)
    with pytest.raises(TypeError, match="progress must be callable"):
        plan_capacity(plan, rng=np.random.default_rng(1), replications=10, progress="50 %")
