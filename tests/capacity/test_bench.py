"""The benchmark runner's output, on a tiny run (Ciw and SimPy are an optional extra)."""

import pytest

from roret.capacity.bench import run_benchmark

KEYS = {"engine_seconds", "ciw_seconds", "simpy_seconds", "ratio_ciw", "ratio_simpy", "exact", "estimates"}


def test_engine_only_run_reports_an_estimate_beside_the_exact_value():
    out = run_benchmark(replications=50, warmup=4.0, tools=("engine",))
    assert out["exact"] == pytest.approx(0.0653695280476633, rel=1e-12)
    est = out["estimates"]["engine"]
    assert est["ci_low"] <= est["blocking"] <= est["ci_high"]
    assert out["engine_seconds"] > 0


def test_full_run_has_every_field_the_cli_prints():
    pytest.importorskip("ciw")
    pytest.importorskip("simpy")
    out = run_benchmark(replications=20, ciw_replications=4, simpy_replications=5, warmup=2.0, horizon=1.0)
    assert KEYS <= set(out)
    assert out["replications"] == {"engine": 20, "ciw": 4, "simpy": 5}
    # Fewer replications are scaled up to the engine's number, never compared raw.
    assert out["ciw_seconds"] == pytest.approx(out["measured_seconds"]["ciw"] * 20 / 4)
    assert out["ratio_simpy"] == pytest.approx(out["simpy_seconds"] / out["engine_seconds"])
    assert len(out["timings"]["ciw"]) == 1 and len(out["timings"]["simpy"]) == 1
    assert len(out["timings"]["engine"]) == 5  # the default engine_repeats
    for tool in ("engine", "ciw", "simpy"):
        est = out["estimates"][tool]
        assert 0 <= est["ci_low"] <= est["blocking"] <= est["ci_high"] <= 1


def test_the_engine_cannot_be_left_out():
    with pytest.raises(ValueError, match="engine must be part"):
        run_benchmark(tools=("ciw",))


def test_the_engine_is_timed_several_times_and_its_median_counts():
    """A run of tens of milliseconds is mostly noise once: the engine is timed ``engine_repeats``
    times, every timing reported, and the median is its time (Ciw and SimPy run once: checked in
    the full run above, with the optional extra)."""
    import statistics

    out = run_benchmark(replications=30, warmup=1.0, horizon=1.0, tools=("engine",), engine_repeats=3)
    assert len(out["timings"]["engine"]) == 3
    assert out["measured_seconds"]["engine"] == statistics.median(out["timings"]["engine"])
    assert out["engine_seconds"] == out["measured_seconds"]["engine"]
