"""Stay-length distributions and the Kaplan-Meier estimate."""

import numpy as np
import pytest

from roret.capacity.engine import (
    DeterministicStay,
    ExponentialStay,
    LognormalStay,
    ParetoStay,
    kaplan_meier,
)


def test_kaplan_meier_matches_a_hand_computed_example():
    # Stays (months), * = still ongoing (censored): 1, 2, 2*, 3, 4*, 5.
    # t=1: 6 at risk, 1 ends -> S = 5/6
    # t=2: 5 at risk (the ongoing 2* counts), 1 ends -> S = 5/6 * 4/5 = 2/3
    # t=3: 3 at risk, 1 ends -> S = 2/3 * 2/3 = 4/9
    # t=5: 1 at risk, 1 ends -> S = 0
    km = kaplan_meier([1, 2, 2, 3, 4, 5], [True, True, False, True, False, True])
    np.testing.assert_array_equal(km.times, [1, 2, 3, 5])
    np.testing.assert_array_equal(km.at_risk, [6, 5, 3, 1])
    np.testing.assert_array_equal(km.events, [1, 1, 1, 1])
    np.testing.assert_allclose(km.survival_at, [5 / 6, 2 / 3, 4 / 9, 0.0])
    np.testing.assert_allclose(km.survival([0.5, 1, 2.5, 4.9, 5, 9]), [1, 5 / 6, 2 / 3, 4 / 9, 0, 0])
    # Mean = area under the steps: 1 + 5/6 + 2/3 + 2 * 4/9.
    assert km.mean == pytest.approx(1 + 5 / 6 + 2 / 3 + 8 / 9)


def test_kaplan_meier_counts_as_weights_give_the_stays_one_by_one():
    one_by_one = kaplan_meier([1, 2, 2, 3, 4, 5], [True, True, False, True, False, True])
    grouped = kaplan_meier([1, 2, 2, 3, 4, 5], [True, True, False, True, False, True], weights=[1, 1, 1, 1, 1, 1])
    counted = kaplan_meier([1, 2, 2, 3, 4, 5, 9], [True, True, False, True, False, True, True],
                           weights=[1, 1, 1, 1, 1, 1, 0])
    for km in (grouped, counted):
        np.testing.assert_array_equal(km.times[km.events > 0], one_by_one.times)
        np.testing.assert_array_equal(km.survival_at[km.events > 0], one_by_one.survival_at)
    twice = kaplan_meier([1, 2, 3], [True, True, False], weights=[2, 2, 2])
    np.testing.assert_array_equal(twice.at_risk, [6, 4])
    np.testing.assert_allclose(twice.survival_at, [2 / 3, 1 / 3])


def test_kaplan_meier_with_delayed_entry_by_hand():
    # Stays (length at entry -> length at exit), * = ongoing:  0->10, 0->20, 0->214*, 365->425.
    # t=10: at risk 3 (the stay that enters at 365 is not yet observed) -> S = 2/3
    # t=20: 2 at risk -> S = 1/3 (the median)
    # t=425: only the late entrant is at risk (214* left before) -> S = 0
    km = kaplan_meier([10, 20, 214, 425], [True, True, False, True], entry=[0, 0, 0, 365])
    np.testing.assert_array_equal(km.at_risk, [3, 2, 1])
    np.testing.assert_allclose(km.survival_at, [2 / 3, 1 / 3, 0.0])
    assert km.median_observed() == 20
    # The same stays as counts: by entry length and by (exit length, ended), grouped apart.
    grouped = kaplan_meier([10, 20, 214, 425], [True, True, False, True], weights=[1, 1, 1, 1],
                           entry=[0, 365], entry_weights=[3, 1])
    np.testing.assert_array_equal(grouped.survival_at, km.survival_at)
    # Without the delayed entry the late stay would wrongly be at risk from length 0.
    assert kaplan_meier([10, 20, 214, 425], [True, True, False, True]).at_risk[0] == 4
    # The tail's default rate divides the completed stays by the time actually observed.
    assert km.tail_rate == pytest.approx(3 / (10 + 20 + 214 + 60))


def test_kaplan_meier_median_is_none_until_reached():
    assert kaplan_meier([5, 9, 9], [True, False, False]).median_observed() is None
    assert kaplan_meier([5, 9], [True, True]).median_observed() == 5


def test_kaplan_meier_without_censoring_is_the_empirical_survival():
    rng = np.random.default_rng(7)
    d = np.round(rng.exponential(10.0, 500), 1)
    km = kaplan_meier(d, np.ones(d.size, bool))
    for t in (1.0, 5.0, 10.0, 30.0):
        assert km.survival(t) == pytest.approx(np.mean(d > t))
    assert km.mean == pytest.approx(d.mean())


def test_kaplan_meier_tail_continues_an_open_ended_history():
    # The longest stay is still ongoing: the estimate continues with an exponential tail.
    km = kaplan_meier([2, 4, 10], [True, True, False], tail_rate=0.5)
    assert km.survival(10.0) == pytest.approx(1 / 3)
    assert km.survival(12.0) == pytest.approx(np.exp(-1.0) / 3)
    assert km.mean == pytest.approx(2 + 4 / 3 + 6 / 3 + (1 / 3) / 0.5)


def test_residual_stays_are_conditional_on_time_already_stayed():
    rng = np.random.default_rng(11)
    km = kaplan_meier([1, 2, 2, 3, 4, 5], [True, True, False, True, False, True])
    r = km.sample_residual(rng, [2.5, 4.5], (20000, 2))
    total = r + np.array([2.5, 4.5])
    # Having stayed 2.5, the stay ends at 3 or 5: P(T = 3 | T > 2.5) = (2/3 - 4/9) / (2/3) = 1/3.
    # Having stayed 4.5, only the stay ending at 5 remains.
    assert set(np.unique(total[:, 0])) <= {3.0, 5.0}
    assert np.mean(total[:, 0] == 3.0) == pytest.approx(1 / 3, abs=0.02)
    assert np.all(total[:, 1] == 5.0)


def test_residual_beyond_all_history_uses_the_tail_rate():
    rng = np.random.default_rng(3)
    km = kaplan_meier([1.0, 2.0], [True, True], tail_rate=0.25)
    r = km.sample_residual(rng, [50.0], (40000, 1))
    assert r.mean() == pytest.approx(4.0, rel=0.03)


@pytest.mark.parametrize(
    "stay",
    [ExponentialStay(3.0), DeterministicStay(3.0), LognormalStay(3.0, 1.5), ParetoStay(3.0, 3.5)],
    ids=lambda s: type(s).__name__,
)
def test_samples_have_the_stated_mean_and_equilibrium_law(stay):
    rng = np.random.default_rng(5)
    x = stay.sample(rng, 400_000)
    assert x.mean() == pytest.approx(stay.mean, rel=0.02)
    # Equilibrium remaining stay has mean E[S^2] / (2 E[S]).
    eq = stay.sample_equilibrium(rng, 400_000)
    assert eq.mean() == pytest.approx(np.mean(x**2) / (2 * x.mean()), rel=0.05)


def test_exponential_residuals_are_memoryless():
    rng = np.random.default_rng(2)
    r = ExponentialStay(5.0).sample_residual(rng, [0.0, 100.0], (50000, 2))
    assert r.mean(axis=0) == pytest.approx([5.0, 5.0], rel=0.03)


def test_kaplan_meier_equilibrium_sampler_has_the_right_mean():
    rng = np.random.default_rng(9)
    d = rng.exponential(4.0, 3000)
    obs = rng.random(3000) < 0.8
    km = kaplan_meier(d, obs)
    x = km.sample(rng, 300_000)
    eq = km.sample_equilibrium(rng, 300_000)
    assert eq.mean() == pytest.approx(np.mean(x**2) / (2 * x.mean()), rel=0.05)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ExponentialStay(0.0), "mean stay must be > 0"),
        (lambda: LognormalStay(2.0, -1.0), "cv must be > 0"),
        (lambda: ParetoStay(2.0, 1.0), "shape must be > 1"),
        (lambda: kaplan_meier([1, -2], [True, True]), "durations must be >= 0"),
        (lambda: kaplan_meier([1, 2], [True]), "same length"),
        (lambda: kaplan_meier([], []), "at least one"),
        (lambda: kaplan_meier([1, 2], [False, False]), "give tail_rate"),
        (lambda: kaplan_meier([1, np.nan], [True, True]), "finite"),
        (lambda: kaplan_meier([1, 2], [True, True], weights=[1, 0.5]), "whole numbers"),
        (lambda: kaplan_meier([1, 2], [True, True], weights=[1]), "one count per stay"),
        (lambda: kaplan_meier([1, 2], [True, True], entry=[0, 3]), "entry > duration"),
        (lambda: kaplan_meier([1, 2], [True, True], entry=[0], entry_weights=[3]), "same stays"),
        (lambda: kaplan_meier([1, 2], [True, True], entry_weights=[1, 1]), "needs entry"),
        (lambda: ExponentialStay(1.0).sample(None, 3), "numpy.random.Generator"),
    ],
)
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_kaplan_meier_sampling_by_guide_table_is_the_binary_search():
    # KaplanMeier.isf starts from a guide table; it must give exactly what searchsorted gives.
    rng = np.random.default_rng(2)
    for _ in range(20):
        n = int(rng.integers(1, 800))
        durations = np.round(rng.exponential(20, n), int(rng.integers(0, 3)))
        observed = rng.random(n) < 0.7
        observed[0] = True
        km = kaplan_meier(durations, observed)
        q = np.concatenate([rng.random(20_000), km.survival_at, np.nextafter(km.survival_at, 1), [1.0, 1.5]])
        q = q[q > 0]
        i = np.searchsorted(-km.survival_at, -q, side="left")
        with np.errstate(divide="ignore"):
            tail = km.last_time + np.log(km.survival_at[-1] / q) / km.tail_rate
        expected = np.where(q >= 1.0, 0.0, np.where(i < km.times.size, km.times[np.minimum(i, km.times.size - 1)], tail))
        np.testing.assert_array_equal(km.isf(q), expected)
