"""Benchmark: one Erlang loss model simulated by roret's engine, by Ciw and by SimPy, in one run.

The model: 40 own places, offered load 36 Erlang (18 citizens a year staying an exponential
2 years on average), replications that start empty, run a 20-year warm-up (10 mean stays)
and are observed for 5 years. Every tool counts arrivals and blocked arrivals in the
observed window of each replication, and the same ratio estimator
(:func:`roret.capacity.engine.ratio_estimate`) turns the counts into a blocking estimate
with a 95 % confidence interval, to be set beside Erlang's exact value.

Ciw and SimPy are a benchmark-only extra (``pip install roret[bench]``) and are imported
here, not at module level. Each tool is first run once, untimed, on one replication (imports
and caches); then its full run is timed with ``time.perf_counter``, model construction and
counting included: Ciw's and SimPy's once (seconds), the engine's ``engine_repeats`` times
(tens of milliseconds, where one timing is mostly noise), its median counting; every timing is
in ``timings``. If Ciw or SimPy are given fewer replications than the engine (to save
time), their seconds are scaled to the engine's number of replications and both the measured
and the scaled times are reported, so the ratios compare equal amounts of simulated work.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import time

import numpy as np

from roret.capacity.engine import ExponentialStay, erlang_b, ratio_estimate, simulate_loss

__all__ = ["run_benchmark"]


def _ciw_counts(reps, seed, c, lam, mean_stay, warmup, horizon):
    import ciw

    arrivals, blocked = np.zeros(reps, dtype=np.int64), np.zeros(reps, dtype=np.int64)
    end = warmup + horizon
    for r in range(reps):
        ciw.seed(seed + r)
        network = ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(lam)],
            service_distributions=[ciw.dists.Exponential(1.0 / mean_stay)],
            number_of_servers=[c],
            queue_capacities=[0],  # no waiting room: a loss system
        )
        sim = ciw.Simulation(network)
        sim.simulate_until_max_time(end)
        for rec in sim.get_all_records(include_incomplete=True):
            if warmup <= rec.arrival_date < end:
                arrivals[r] += 1
                blocked[r] += rec.record_type == "rejection"
    return arrivals, blocked


def _simpy_counts(reps, seed, c, lam, mean_stay, warmup, horizon):
    import simpy

    arrivals, blocked = np.zeros(reps, dtype=np.int64), np.zeros(reps, dtype=np.int64)
    for r in range(reps):
        rnd = random.Random(seed + r)
        env = simpy.Environment()
        places = simpy.Resource(env, capacity=c)

        def stay(duration, places=places, env=env):
            with places.request() as request:
                yield request
                yield env.timeout(duration)

        def arrive(r=r, rnd=rnd, places=places, env=env):
            while True:
                yield env.timeout(rnd.expovariate(lam))
                observed = env.now >= warmup
                arrivals[r] += observed
                if places.count < c:
                    env.process(stay(rnd.expovariate(1.0 / mean_stay)))
                else:
                    blocked[r] += observed

        env.process(arrive())
        env.run(until=warmup + horizon)
    return arrivals, blocked


def _engine_counts(reps, seed, c, lam, mean_stay, warmup, horizon):
    est = simulate_loss(
        c,
        lam,
        ExponentialStay(mean_stay),
        horizon=horizon,
        warmup=warmup,
        replications=reps,
        rng=np.random.default_rng(seed),
    )
    return est.arrivals, est.blocked


_TOOLS = {"engine": _engine_counts, "ciw": _ciw_counts, "simpy": _simpy_counts}


def _versions() -> dict:
    out = {"python": sys.version.split()[0], "numpy": np.__version__}
    for name in ("scipy", "ciw", "simpy"):
        try:
            out[name] = __import__(name).__version__
        except (ImportError, AttributeError):
            out[name] = None
    return out


def run_benchmark(
    *,
    places: int = 40,
    load: float = 36.0,
    mean_stay: float = 2.0,
    horizon: float = 5.0,
    warmup: float = 20.0,
    replications: int = 1000,
    ciw_replications: int | None = None,
    simpy_replications: int | None = None,
    seed: int = 20250501,
    tools: tuple[str, ...] = ("engine", "ciw", "simpy"),
    engine_repeats: int = 5,
) -> dict:
    """Simulate the same loss model with each tool and return timings, ratios and estimates.

    Times are in years. ``*_seconds`` are wall-clock seconds for ``replications``
    replications (scaled from ``measured_seconds`` where a tool ran fewer);
    ``ratio_ciw = ciw_seconds / engine_seconds`` and likewise for SimPy.
    """
    if "engine" not in tools:
        raise ValueError("the engine must be part of the benchmark; ratios are relative to it")
    unknown = set(tools) - set(_TOOLS)
    if unknown:
        raise ValueError(f"unknown tools {sorted(unknown)}; choose from {sorted(_TOOLS)}")
    lam = load / mean_stay
    exact = float(erlang_b(places, load))
    reps = {
        "engine": replications,
        "ciw": ciw_replications or replications,
        "simpy": simpy_replications or replications,
    }
    model = (places, lam, mean_stay, warmup, horizon)

    measured, seconds, estimates, timings = {}, {}, {}, {}
    for tool in tools:
        run = _TOOLS[tool]
        run(2, seed + 10_000_000, *model)  # untimed warm-up: imports, caches
        # The engine's run is tens of milliseconds, so one timing is mostly noise (the first touch
        # of its 40 MB of arrays, another process's time slice): it is timed ``engine_repeats``
        # times on the same seed and the median counts, every timing reported. Ciw's and SimPy's
        # runs take seconds and are timed once, as before.
        times = []
        for _repeat in range(engine_repeats if tool == "engine" else 1):
            start = time.perf_counter()
            arrivals, blocked = run(reps[tool], seed, *model)
            times.append(time.perf_counter() - start)
        timings[tool] = times
        measured[tool] = statistics.median(times)
        seconds[tool] = measured[tool] * replications / reps[tool]
        p, lo, hi = ratio_estimate(blocked, arrivals)
        estimates[tool] = {
            "blocking": p,
            "ci_low": lo,
            "ci_high": hi,
            "contains_exact": bool(lo <= exact <= hi),
            "arrivals": int(arrivals.sum()),
        }

    result = {
        "model": {
            "places": places,
            "load": load,
            "arrival_rate_per_year": lam,
            "mean_stay_years": mean_stay,
            "stay_distribution": "exponential",
            "warmup_years": warmup,
            "horizon_years": horizon,
            "start": "empty",
        },
        "exact": exact,
        "replications": {tool: reps[tool] for tool in tools},
        "measured_seconds": measured,
        "timings": timings,
        "estimates": estimates,
        "agree": all(e["contains_exact"] for e in estimates.values()),
        "seed": seed,
        "environment": {**_versions(), "platform": platform.platform(), "cpus": os.cpu_count()},
    }
    for tool in tools:
        result[f"{tool}_seconds"] = seconds[tool]
        if tool != "engine":
            result[f"ratio_{tool}"] = seconds[tool] / seconds["engine"]
    return result
