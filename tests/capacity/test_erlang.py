"""Erlang's loss formula against exact values, invariants and bad input."""

import subprocess
import sys
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roret.capacity.engine import (
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


def mp_erlang_b(c: int, a: float) -> mpmath.mpf:
    """Reference value: Erlang's defining sum B = (A^c/c!) / sum_{k<=c} A^k/k!
    (Erlang 1917), summed term by term in mpmath at 60 significant digits. It shares no code
    or algorithm with the engine's recursion."""
    with mpmath.workdps(60):
        a = mpmath.mpf(a)
        term, total = mpmath.mpf(1), mpmath.mpf(1)
        for k in range(1, c + 1):
            term = term * a / k
            total += term
        return +(term / total)


# (places, load): small, the benchmark's unit, large units, deep tails and heavy overload.
EXACT_CASES = [
    (1, 0.5),
    (2, 1.0),
    (10, 5.0),
    (40, 36.0),
    (100, 80.5),
    (500, 100.0),  # B ~ 3e-178
    (1000, 950.0),
    (5000, 4000.0),
    (10_000, 8000.0),  # B ~ 1.2e-103
    (10_000, 9000.0),
    (10_000, 10_000.0),
    (10_000, 11_000.0),
    (3, 1e-5),
    (50, 1e4),  # overload: B close to 1 - c/A
]


@pytest.mark.parametrize(("c", "a"), EXACT_CASES)
def test_it_matches_high_precision_values_to_1e_12(c, a):
    ref = mp_erlang_b(c, a)
    got = erlang_b(c, a)
    assert abs(mpmath.mpf(float(got)) - ref) <= 1e-12 * ref


def test_it_matches_high_precision_values_when_vectorised():
    cs = np.array([c for c, _ in EXACT_CASES])
    loads = np.array([a for _, a in EXACT_CASES])
    got = erlang_b(cs, loads)
    ref = np.array([float(mp_erlang_b(c, a)) for c, a in EXACT_CASES])
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=0)


def test_small_cases_equal_exact_fractions():
    # B(1, A) = A / (1 + A); B(2, 1) = (1/2) / (1 + 1 + 1/2) = 1/5.
    assert erlang_b(1, 3.0) == pytest.approx(float(Fraction(3, 4)), rel=1e-15)
    assert erlang_b(2, 1.0) == pytest.approx(float(Fraction(1, 5)), rel=1e-15)


@pytest.mark.parametrize(("c", "a"), [(500, 100.0), (200, 0.3), (10_000, 1.0), (10_000, 5000.0)])
def test_log_form_is_exact_where_b_underflows(c, a):
    # B(200, 0.3) ~ 2.5e-480 and B(10000, 1) ~ 1e-35660 are far below the smallest double.
    ref = mpmath.log(mp_erlang_b(c, a))
    got = erlang_b_log(c, a)
    assert abs(got - float(ref)) <= 1e-12 * abs(float(ref))


@pytest.mark.parametrize(("c", "a"), [(240, 5.0), (170, 1.0), (400, 40.0)])
def test_values_down_to_1e_minus_300_keep_full_precision(c, a):
    # B(240, 5) ~ 9.4e-304 and B(170, 1) ~ 5.1e-308: still normal doubles, still exact.
    ref = mp_erlang_b(c, a)
    assert 1e-310 < ref < 1e-240
    assert abs(mpmath.mpf(float(erlang_b(c, a))) - ref) <= 1e-12 * ref


def test_it_broadcasts_places_against_loads():
    out = erlang_b(np.array([[1], [10], [40]]), np.array([0.5, 5.0, 36.0]))
    assert out.shape == (3, 3)
    assert out[2, 2] == pytest.approx(float(mp_erlang_b(40, 36.0)), rel=1e-13)
    assert out[0, 0] == pytest.approx(1 / 3, rel=1e-15)


def test_scalar_in_gives_scalar_out():
    assert np.ndim(erlang_b(40, 36.0)) == 0
    assert isinstance(float(erlang_b(40, 36.0)), float)


def test_zero_load_blocks_nobody():
    assert erlang_b(5, 0.0) == 0.0
    assert erlang_b_log(5, 0.0) == -np.inf


def test_table_equals_pointwise_values():
    table = erlang_b_table(60, 36.0)
    assert table[0] == 1.0
    np.testing.assert_allclose(table[1:], erlang_b(np.arange(1, 61), 36.0), rtol=1e-15)


@settings(max_examples=150, deadline=None)
@given(c=st.integers(1, 400), a=st.floats(1e-3, 800.0))
def test_b_lies_in_unit_interval_and_falls_with_places(c, a):
    b0, b1 = erlang_b(c, a), erlang_b(c + 1, a)
    assert 0.0 <= b1 <= b0 <= 1.0
    assert b1 < b0 or b0 == 0.0


@settings(max_examples=150, deadline=None)
@given(c=st.integers(1, 400), a=st.floats(1e-3, 800.0), factor=st.floats(1.001, 3.0))
def test_b_rises_with_load(c, a, factor):
    assert erlang_b(c, a) <= erlang_b(c, a * factor)


@settings(max_examples=100, deadline=None)
@given(c=st.integers(1, 300), a=st.floats(0.1, 400.0))
def test_b_is_convex_in_places(c, a):
    # Messerli 1972: the first difference in c shrinks, which makes sizing costs convex.
    b = erlang_b(np.array([c, c + 1, c + 2]), a)
    assert b[0] - b[1] >= (b[1] - b[2]) * (1 - 1e-9)


@settings(max_examples=100, deadline=None)
@given(c=st.integers(1, 200), a=st.floats(0.0, 300.0))
def test_occupancy_distribution_is_a_truncated_poisson_law(c, a):
    p = occupancy_distribution(c, a)
    assert p.shape == (c + 1,)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    assert p[-1] == pytest.approx(erlang_b(c, a), rel=1e-9, abs=1e-300)
    assert p @ np.arange(c + 1) == pytest.approx(carried_load(c, a), rel=1e-9, abs=1e-12)


def test_derived_quantities():
    b = erlang_b(40, 36.0)
    assert carried_load(40, 36.0) == pytest.approx(36 * (1 - b))
    assert occupancy(40, 36.0) == pytest.approx(36 * (1 - b) / 40)
    # 18 citizens a year staying 2 years: lambda * B externally placed per year.
    assert external_per_year(40, 18.0, 2.0) == pytest.approx(18 * b)


@pytest.mark.parametrize("target", [1e-6, 0.01, 0.05, 0.3])
@pytest.mark.parametrize("c", [1, 5, 40, 400])
def test_max_load_inverts_b(c, target):
    a = max_load(c, target)
    assert erlang_b(c, a) == pytest.approx(target, rel=1e-10)


def test_load_at_occupancy_inverts_occupancy():
    a = load_at_occupancy([5, 40, 200], 0.85)
    np.testing.assert_allclose(occupancy([5, 40, 200], a), 0.85, rtol=1e-11)


def test_transient_from_empty_reaches_the_stationary_law():
    p = erlang_transient(10, 8.0, mean_stay=1.0, initial=0, times=[0.0, 0.5, 40.0])
    assert p[0, 0] == 1.0
    assert 0.0 < p[1, 0] < 1.0
    np.testing.assert_allclose(p[2], occupancy_distribution(10, 8.0), atol=1e-10)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang_b(5, -1.0), "load must be >= 0"),
        (lambda: erlang_b(0, 5.0), "places must be >= 1"),
        (lambda: erlang_b(-3, 5.0), "places must be >= 1"),
        (lambda: erlang_b(2.5, 1.0), "whole numbers"),
        (lambda: erlang_b(5, float("nan")), "finite"),
        (lambda: erlang_b(float("nan"), 1.0), "finite"),
        (lambda: erlang_b(5, np.inf), "finite"),
        (lambda: erlang_b(5, "many"), "numeric"),
        (lambda: max_load(5, 0.0), "strictly between 0 and 1"),
        (lambda: max_load(5, 1.0), "strictly between 0 and 1"),
        (lambda: occupancy_distribution(0, 1.0), "places must be >= 1"),
        (lambda: external_per_year(5, 1.0, 0.0), "mean_stay must be > 0"),
        (lambda: load_at_occupancy(5, 1.0), "strictly between 0 and 1"),
        (lambda: erlang_transient(3, 1.0, 1.0, 4, [1.0]), "exceeds places"),
    ],
)
def test_bad_input_raises_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_engine_imports_nothing_from_django():
    code = (
        "import sys, roret.capacity.engine; print(sorted(m for m in sys.modules if m.startswith('django')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
