"""Every random number of a simulated 5-year plan, drawn before the month loop.

The simulation (:mod:`.plan_sim`) then only decides who gets an own place, step by step;
the draws are a handful of calls on whole arrays instead of a few calls per step. Arrivals
are a Poisson process with the plan's piecewise-constant rate, made from one unit-rate
process per replication by the time change

.. math::

    \\Lambda(t) = \\int_0^t \\lambda(s)\\,ds, \\qquad
    T_k = \\Lambda^{-1}(\\Gamma_k), \\qquad \\Gamma_k = E_1 + \\dots + E_k,\\quad E_i \\sim \\mathrm{Exp}(1)

(Cinlar, E. 1975, *Introduction to Stochastic Processes*, §4.7). With the rate constant on
each step, ``Lambda`` is piecewise linear and its inverse exact. The arrival times come out
sorted, so no sort is needed, and a scenario that changes demand moves the same points
(common random numbers).
"""

from __future__ import annotations

import numpy as np

from .scenarios import Timeline

__all__ = ["PlanDraws", "locate"]


def locate(grid: np.ndarray, x: np.ndarray, side: str = "left") -> np.ndarray:
    """``np.searchsorted(grid, x, side)`` for a sorted ``grid`` of times spread over its range
    (steps, months), by a guide table: equal slices of the range, each with the answer at its
    lower end, and a short walk forward. The start is taken two slices back, so rounding in
    the slice number never starts past the answer. Several times faster than a binary search
    for the hundreds of thousands of stays a plan books."""
    grid = np.asarray(grid, dtype=float)
    x = np.asarray(x, dtype=float)
    n = grid.size
    if n == 0 or grid[-1] <= grid[0]:
        return np.searchsorted(grid, x, side=side)
    slices = 4 * n
    scale = slices / (grid[-1] - grid[0])
    table = np.searchsorted(grid, grid[0] + np.arange(slices + 1) / scale, side=side)
    b = np.clip((x - grid[0]) * scale, 0, slices).astype(np.int64)
    i = np.where(b >= 2, table[np.maximum(b - 2, 0)], 0)
    stop = np.append(grid, np.nan)  # compares false: the walk ends after the last
    flat, xs = i.reshape(-1), x.reshape(-1)
    before = np.less if side == "left" else np.less_equal  # grid[i] still before x: step on
    todo = np.flatnonzero(before(stop[flat], xs))
    while todo.size:
        flat[todo] += 1
        todo = todo[before(stop[flat[todo]], xs[todo])]
    return i


def _unit_points(rng: np.random.Generator, reps: int, total: float) -> np.ndarray:
    """Points of a unit-rate Poisson process on ``[0, total)`` per replication, ``inf``-padded."""
    width = int(np.ceil(total + 8.0 * np.sqrt(total) + 16.0))
    gamma = np.cumsum(rng.standard_exponential((reps, width)), axis=1)
    while gamma[:, -1].min() < total:  # rare: some replication needs more points
        more = np.cumsum(rng.standard_exponential((reps, width)), axis=1) + gamma[:, -1:]
        gamma = np.hstack([gamma, more])
    n = (gamma < total).sum(axis=1)
    gamma = gamma[:, : int(n.max())]
    return np.where(np.arange(gamma.shape[1]) < n[:, None], gamma, np.inf)


class _Stream:
    """One class of arrivals (urgent or ordinary): times, departures and the step of each."""

    def __init__(self, rng, reps, rate_per_step, dt, stay):
        steps = rate_per_step.size
        knots = np.concatenate([[0.0], np.cumsum(rate_per_step * dt)])  # Lambda at each step's start
        gamma = _unit_points(rng, reps, float(knots[-1]))
        valid = np.isfinite(gamma)
        # The step whose stretch of Lambda holds the point: knots[k] <= gamma < knots[k + 1].
        step = locate(knots, gamma, side="right") - 1
        step = np.where(valid, np.minimum(step, steps - 1), steps)
        k = np.minimum(step, steps - 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            at = k * dt + (gamma - knots[k]) / rate_per_step[k]
        self.at = np.where(valid, at, np.inf)
        stays = np.full(gamma.shape, np.inf)
        stays[valid] = stay.sample(rng, int(valid.sum()))
        self.dep = self.at + stays
        self.step = step  # steps (the horizon's number) after the last arrival
        keys = (step + 1) + (np.arange(reps) * (steps + 2))[:, None]
        counts = np.bincount(keys.ravel(), minlength=reps * (steps + 2)).reshape(reps, steps + 2)
        self.first = np.cumsum(counts, axis=1)  # first[r, s]: arrivals of r before step s

    def window(self, s, *arrays):
        """Step ``s``'s arrivals: how many per replication, a mask and ``arrays`` cut to them
        (one row per replication, in arrival order, ``inf``-padded)."""
        lo, hi = self.first[:, s], self.first[:, s + 1]
        n = hi - lo
        width = int(n.max()) if n.size else 0
        valid = np.arange(width) < n[:, None]
        idx = np.minimum(lo[:, None] + np.arange(width), max(self.at.shape[1] - 1, 0))
        def cut(a):  # padding: inf for times, the last moment for bookings (never read)
            fill = np.inf if a.dtype.kind == "f" else 0
            if a.shape[1] == 0:
                return np.full(valid.shape, fill, dtype=a.dtype)
            return np.where(valid, np.take_along_axis(a, idx, axis=1), fill)

        return n, valid, [cut(a) for a in arrays]


class PlanDraws:
    """The random numbers of one simulated plan, in a fixed order from one generator:
    remaining stays of residents, then of citizens in bought places, then the pipeline's
    coin flips and stays, then the urgent arrivals and the ordinary ones."""

    def __init__(self, tl: Timeline, rng: np.random.Generator, reps: int, steps: int):
        n_res, n_ext = tl.resident_elapsed.size, tl.external_elapsed.size
        self.resident_dep = tl.stay.sample_residual(rng, tl.resident_elapsed, (reps, n_res)) if n_res \
            else np.empty((reps, 0))
        self.external_dep = tl.stay.sample_residual(rng, tl.external_elapsed, (reps, n_ext)) if n_ext \
            else np.empty((reps, 0))
        p = tl.pipeline_months.size
        comes = rng.random((reps, p)) < tl.pipeline_probability
        stays = tl.stay.sample(rng, (reps, p)) if p else np.empty((reps, 0))
        self.pipeline_dep = np.where(comes, tl.pipeline_months + stays, np.inf)
        dt = 1.0 / steps
        rate = np.repeat(tl.arrival_rate, steps)  # per month, one value per step
        u = tl.urgent_share
        self.streams = [
            (_Stream(rng, reps, rate * share, dt, tl.stay) if share > 0 else None, urgent)
            for share, urgent in ((u, True), (1 - u, False))
        ]
