"""The simulated loss model against Erlang's formula, Little's law and seeded regressions.

Confidence intervals here are 99 % and seeds are fixed: the checks are deterministic, and a
change of random stream (new NumPy) fails one of them only rarely rather than one time in 20.
"""

import numpy as np
import pytest

from roret.capacity.engine import (
    DeterministicStay,
    ExponentialStay,
    LognormalStay,
    ParetoStay,
    carried_load,
    erlang_b,
    ratio_estimate,
    simulate_loss,
)

LIGHT = [ExponentialStay(2.0), DeterministicStay(2.0), LognormalStay(2.0, 0.5)]
HEAVY = [LognormalStay(2.0, 2.0), ParetoStay(2.0, 2.5)]


def run(stay, *, places=40, load=36.0, start="empty", seed=1, reps=1000, warmup=20.0):
    return simulate_loss(
        places,
        load / stay.mean,
        stay,
        horizon=5.0,
        warmup=warmup if start == "empty" else 0.0,
        replications=reps,
        rng=np.random.default_rng(seed),
        start=start,
        confidence=0.99,
    )


@pytest.mark.parametrize("stay", LIGHT, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize(("places", "load"), [(40, 36.0), (10, 7.0)])
def test_blocking_ci_contains_erlang_b_after_warm_up(stay, places, load):
    est = run(stay, places=places, load=load)
    assert est.ci_low <= erlang_b(places, load) <= est.ci_high


@pytest.mark.parametrize("stay", LIGHT + HEAVY, ids=lambda s: f"{type(s).__name__}")
def test_blocking_ci_contains_erlang_b_from_steady_state(stay):
    # Insensitivity (Sevastyanov 1957): the stay distribution does not matter, only its mean.
    # Heavy tails converge slowly from an empty start, so these start in steady state.
    est = run(stay, start="stationary", seed=4)
    assert est.ci_low <= erlang_b(40, 36.0) <= est.ci_high


@pytest.mark.parametrize("stay", LIGHT + HEAVY, ids=lambda s: type(s).__name__)
def test_littles_law_holds(stay):
    est = run(stay, start="stationary", seed=8)
    # L = lambda_admitted * E[S] with the true mean stay. The two sides differ by sampling
    # noise of about 0.4 % here (sd over seeds); 2 % would be a counting error, not noise.
    assert est.mean_occupancy == pytest.approx(est.accepted_rate * stay.mean, rel=0.02)


@pytest.mark.parametrize("stay", LIGHT + HEAVY, ids=lambda s: type(s).__name__)
def test_mean_occupancy_matches_the_carried_load(stay):
    est = simulate_loss(
        40,
        36.0 / stay.mean,
        stay,
        horizon=5.0,
        replications=1000,
        rng=np.random.default_rng(21),
        start="stationary",
        confidence=0.9999,
    )
    lo, hi = est.occupancy_ci
    assert lo <= carried_load(40, 36.0) <= hi
    assert (hi - lo) / 2 < 0.02 * carried_load(40, 36.0)  # and the interval is not vacuous


def test_littles_law_with_the_sample_mean_stay():
    est = run(ExponentialStay(2.0), seed=12)
    assert est.mean_occupancy == pytest.approx(est.accepted_rate * est.mean_accepted_stay, rel=0.01)


def test_same_seed_same_numbers_exactly():
    a = run(ExponentialStay(2.0), reps=200, seed=5)
    b = run(ExponentialStay(2.0), reps=200, seed=5)
    np.testing.assert_array_equal(a.arrivals, b.arrivals)
    np.testing.assert_array_equal(a.blocked, b.blocked)
    assert a.blocking == b.blocking and a.mean_occupancy == b.mean_occupancy


def test_seeded_regression():
    # Recorded with NumPy 2.4 (PCG64); a change means the simulation (or NumPy's stream) changed.
    est = simulate_loss(
        10, 8.0, ExponentialStay(1.0), horizon=10, warmup=5, replications=50, rng=np.random.default_rng(2024)
    )
    assert est.arrivals.sum() == 3906
    assert est.blocked.sum() == 448
    assert est.blocking == 0.11469534050179211
    assert est.mean_occupancy == pytest.approx(6.873678657382994, rel=1e-12)
    assert est.arrivals[:5].tolist() == [76, 66, 59, 86, 83]
    assert est.blocked[:5].tolist() == [7, 1, 0, 8, 9]


def test_batches_do_not_change_the_estimate_materially():
    a = simulate_loss(
        10, 8.0, ExponentialStay(1.0), horizon=20, warmup=10, replications=400, rng=np.random.default_rng(1)
    )
    b = simulate_loss(
        10,
        8.0,
        ExponentialStay(1.0),
        horizon=20,
        warmup=10,
        replications=400,
        rng=np.random.default_rng(1),
        batch=50,
    )
    assert a.replications == b.replications == 400
    assert abs(a.blocking - b.blocking) < 3 * (a.ci_high - a.ci_low)


def test_ratio_estimator_by_hand():
    p, lo, hi = ratio_estimate([1, 3, 2, 2], [10, 10, 10, 10])
    # p = 8/40; residuals b - p n = (-1, 1, 0, 0); se = sqrt(2 / (4 * 3)) / 10; t(0.975, 3) = 3.182446305.
    assert p == pytest.approx(0.2)
    assert hi - p == pytest.approx(3.182446305284263 * np.sqrt(2 / 12) / 10, rel=1e-9)
    assert lo == pytest.approx(2 * p - hi)


def test_ratio_estimator_interval_stays_within_zero_and_one():
    p, lo, hi = ratio_estimate([0, 1], [10, 10])
    assert lo == 0.0 < p < hi <= 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"places": 0}, "places must be >= 1"),
        ({"places": -4}, "places must be >= 1"),
        ({"arrival_rate": -1.0}, "arrival_rate must be > 0"),
        ({"arrival_rate": float("nan")}, "finite"),
        ({"horizon": 0.0}, "horizon must be > 0"),
        ({"warmup": -1.0}, "warmup must be >= 0"),
        ({"replications": 1}, "replications must be >= 2"),
        ({"rng": 42}, "numpy.random.Generator"),
        ({"start": "full"}, "start must be"),
    ],
)
def test_bad_input_raises_value_error(kwargs, message):
    args = {
        "places": 5,
        "arrival_rate": 1.0,
        "stay": ExponentialStay(1.0),
        "horizon": 1.0,
        "replications": 10,
        "rng": np.random.default_rng(0),
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        simulate_loss(**args)
