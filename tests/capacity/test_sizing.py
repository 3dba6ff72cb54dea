"""Sizing: the cost-optimal number of own places, with and without a service level."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roret.capacity import engine


def brute_force_cost(load, own, external, c_max):
    c = np.arange(1, c_max + 1)
    cost = np.concatenate([[load * external], c * own + load * engine.erlang_b(c, load) * external])
    return cost


def test_load_36_with_external_places_twice_as_dear():
    # `size --load 36 --own-cost 1 --external-cost 2`
    s = engine.size_places(36, 1, 2)
    cost = brute_force_cost(36, 1, 2, 200)
    assert s.places == int(np.argmin(cost)) == 38
    assert s.blocking == pytest.approx(engine.erlang_b(38, 36))
    assert s.occupancy == pytest.approx(36 * (1 - s.blocking) / 38)
    assert s.expected_cost == pytest.approx(cost.min())
    assert s.expected_cost == pytest.approx(s.own_cost + s.external_cost)
    assert s.external_place_years == pytest.approx(36 * s.blocking)
    assert s.binding == "cost"
    assert s.cost_curve[38] == pytest.approx(s.expected_cost)


def test_service_level_adds_places_when_it_binds():
    s = engine.size_places(36, 1, 2, max_blocking=0.01, arrival_rate=18)
    assert s.binding == "service_level"
    assert s.blocking <= 0.01 < engine.erlang_b(s.places - 1, 36)
    assert s.externally_placed_per_year == pytest.approx(18 * s.blocking)


def test_service_level_that_the_optimum_already_meets_changes_nothing():
    assert engine.size_places(36, 1, 2, max_blocking=0.5).places == engine.size_places(36, 1, 2).places


def test_when_buying_is_not_dearer_no_own_places_pay():
    s = engine.size_places(10, own_cost=2, external_cost=2)
    assert s.places == 0 and s.blocking == 1.0 and s.occupancy == 0.0


def test_very_dear_external_places_push_blocking_far_down():
    s = engine.size_places(36, 1, 1e9)
    assert s.blocking < 1e-8
    assert s.places == int(np.argmin(brute_force_cost(36, 1, 1e9, 200)))


@settings(max_examples=60, deadline=None)
@given(load=st.floats(0.0, 150.0), ratio=st.floats(1.01, 20.0))
def test_optimum_equals_brute_force(load, ratio):
    s = engine.size_places(load, 1.0, ratio)
    cost = brute_force_cost(load, 1.0, ratio, int(load + 12 * np.sqrt(load) + 40))
    assert s.expected_cost == pytest.approx(cost.min(), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"load": -1, "own_cost": 1, "external_cost": 2}, "load must be >= 0"),
        ({"load": float("nan"), "own_cost": 1, "external_cost": 2}, "finite"),
        ({"load": 36, "own_cost": 0, "external_cost": 2}, "own_cost must be > 0"),
        ({"load": 36, "own_cost": 1, "external_cost": -2}, "external_cost must be >= 0"),
        ({"load": 36, "own_cost": 1, "external_cost": 2, "max_blocking": 0}, "max_blocking"),
        ({"load": 36, "own_cost": 1, "external_cost": 2, "max_blocking": 1.5}, "max_blocking"),
    ],
)
def test_bad_input_raises_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        engine.size_places(**kwargs)
