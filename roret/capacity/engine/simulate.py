"""Simulation of the stationary loss model, vectorised across replications.

Theory (:mod:`.erlang`) answers the stationary questions exactly; this simulation exists to
check that theory against a model with no assumption beyond "arrivals are Poisson" and to
give the benchmark its subject. All replications advance in lock-step: step ``j`` handles
the ``j``-th arrival of every replication at once, against an ``(R, c)`` array holding the
time each place becomes free.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import non_negative, places_array, positive, probability, rng_or_error
from .erlang import occupancy_distribution
from .stays import StayDistribution

__all__ = ["LossEstimate", "ratio_estimate", "simulate_loss"]


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class LossEstimate:
    """Blocking and occupancy estimated from independent replications of a loss model."""

    blocking: float  # blocked / arrived over all replications (ratio estimator)
    ci_low: float
    ci_high: float
    replications: int
    arrivals: np.ndarray  # per replication, arrivals inside the measured window
    blocked: np.ndarray  # per replication, of which found every place taken
    mean_occupancy: float  # time-average number of occupied places in the window
    occupancy_ci: tuple[float, float]
    accepted_rate: float  # admitted citizens per time unit in the window
    mean_accepted_stay: float  # sample mean stay of the citizens admitted in the window
    horizon: float
    warmup: float


def ratio_estimate(blocked, arrivals, confidence: float = 0.95) -> tuple[float, float, float]:
    """Ratio estimator of the blocking probability with a delta-method confidence interval.

    .. math::

        \\hat B = \\frac{\\sum_r b_r}{\\sum_r n_r}, \\qquad
        \\widehat{\\mathrm{se}} = \\frac{1}{\\bar n}
            \\sqrt{\\frac{\\sum_r (b_r - \\hat B n_r)^2}{R (R - 1)}},

    with a Student-t quantile on :math:`R - 1` degrees of freedom, clipped to [0, 1].
    Replications are independent, so this is consistent even though the number of arrivals
    per replication varies (the mean of per-replication ratios would be biased).
    """
    from scipy import stats

    b = np.asarray(blocked, dtype=float)
    n = np.asarray(arrivals, dtype=float)
    r = b.size
    if r < 2 or n.sum() == 0:
        raise ValueError("need at least two replications with arrivals for a confidence interval")
    p = b.sum() / n.sum()
    se = np.sqrt(np.sum((b - p * n) ** 2) / (r * (r - 1))) / n.mean()
    half = stats.t.ppf(0.5 + confidence / 2, r - 1) * se
    return float(p), float(max(p - half, 0.0)), float(min(p + half, 1.0))


def _run(c, lam, stay, horizon, warmup, reps, rng, start):
    """One batch: returns per-replication arrivals, blocked, occupied area, admitted, stay sum.

    ``free_at`` holds, per place and replication, the time the place becomes free, with the
    place's number written into the lowest mantissa bits (a change of at most ``2**bits`` units
    in the last place, about 1e-14 relative): the column minimum then names the earliest-free
    place as well, so a step is one ``minimum.reduce`` over contiguous rows instead of an
    ``argmin`` per replication. Every tagged value is distinct, and a decision could differ from
    untagged times only for an arrival within that relative distance of a departure.
    """
    t_end = warmup + horizon
    n = rng.poisson(lam * t_end, reps)
    nmax = int(n.max()) if reps else 0
    # Arrays are (arrival number, replication): step j reads one contiguous row.
    # Given their number, Poisson arrival times are sorted uniforms; missing ones sort last.
    valid = np.arange(nmax)[:, None] < n[None, :]
    t = rng.random((nmax, reps))
    np.copyto(t, 2.0, where=~valid)
    t.sort(axis=0)
    t *= t_end
    np.copyto(t, -np.inf, where=~valid)  # -inf: never admitted
    s = stay.sample(rng, (nmax, reps))
    if start == "stationary":
        k = rng.choice(c + 1, size=reps, p=occupancy_distribution(c, lam * stay.mean))
        initial = np.where(np.arange(c) < k[:, None], stay.sample_equilibrium(rng, (reps, c)), 0.0)
    else:
        initial = np.zeros((reps, c))
    bits = max(int(c - 1).bit_length(), 1)
    tag = np.int64((1 << bits) - 1)
    ends = t + s
    untagged = ends.view(np.int64) & ~tag
    # Places free from the start hold -1 (before any arrival), occupied ones their end.
    free_at = np.ascontiguousarray(np.where(initial > 0, initial, -1.0).T)  # (place, replication)
    np.bitwise_or(free_at.view(np.int64) & ~tag, np.arange(c, dtype=np.int64)[:, None], out=free_at.view(np.int64))
    flat = free_at.ravel()
    cols = np.arange(reps)
    admitted = np.empty((nmax, reps), dtype=bool)
    # Buffers for the step: the earliest free time (then what its place holds next), its place,
    # the newcomer's tagged end and the place's flat index.
    earliest, place, end, index = np.empty(reps), *(np.empty(reps, dtype=np.int64) for _ in range(3))
    for j in range(nmax):
        np.minimum.reduce(free_at, axis=0, out=earliest)
        np.bitwise_and(earliest.view(np.int64), tag, out=place)
        ok = np.less_equal(earliest, t[j], out=admitted[j])
        np.bitwise_or(untagged[j], place, out=end)
        np.copyto(earliest, end.view(np.float64), where=ok)
        np.multiply(place, reps, out=index)
        index += cols
        flat[index] = earliest
    # Missing arrivals are at -inf, so before the window; rows before every window are skipped.
    first = int(np.count_nonzero(t < warmup, axis=0).min()) - int(np.count_nonzero(~valid, axis=0).max())
    first = max(first, 0)
    tw, aw = t[first:], admitted[first:]
    window = (tw >= warmup) & (tw < t_end)
    arrivals = window.sum(axis=0)
    window &= aw
    n_admitted = window.sum(axis=0)
    stay_sum = (s[first:] * window).sum(axis=0)
    np.minimum(ends, t_end, out=ends)
    ends -= np.maximum(t, warmup)  # time in the window (negative: none)
    np.maximum(ends, 0.0, out=ends)
    ends *= admitted
    area = ends.sum(axis=0)
    area += np.clip(np.minimum(initial, t_end) - warmup, 0.0, None).sum(axis=1)
    return arrivals, arrivals - n_admitted, area, n_admitted, stay_sum


def simulate_loss(
    places: int,
    arrival_rate: float,
    stay: StayDistribution,
    *,
    horizon: float,
    rng: np.random.Generator,
    warmup: float = 0.0,
    replications: int = 1000,
    start: str = "empty",
    confidence: float = 0.95,
    batch: int = 2000,
) -> LossEstimate:
    """Simulate an M/G/c/c unit: Poisson arrivals, stays from ``stay``, no waiting room.

    Each replication starts empty (``start="empty"``) or in steady state
    (``start="stationary"``: a truncated-Poisson number of residents with equilibrium
    remaining stays, Takacs 1969), runs ``warmup`` time units unobserved and is then observed
    for ``horizon``. By PASTA the share of blocked arrivals estimates

    .. math:: B(c, \\lambda E[S]),

    for any stay distribution (Sevastyanov 1957). The result also carries the time-average
    occupancy :math:`L`, the admitted-arrival rate :math:`\\lambda_a` and the mean admitted
    stay, for Little's law :math:`L = \\lambda_a E[S]`.

    Replications are processed ``batch`` at a time to bound memory.
    """
    c = int(places_array(places))
    lam = positive(arrival_rate, "arrival_rate")
    horizon = positive(horizon, "horizon")
    warmup = non_negative(warmup, "warmup")
    reps = int(places_array(replications, "replications", minimum=2))
    probability(confidence, "confidence", open_low=True)
    if start not in ("empty", "stationary"):
        raise ValueError(f"start must be 'empty' or 'stationary', got {start!r}")
    rng = rng_or_error(rng)
    parts = []
    done = 0
    while done < reps:
        size = min(batch, reps - done)
        parts.append(_run(c, lam, stay, horizon, warmup, size, rng, start))
        done += size
    arrivals, blocked, area, n_admitted, stay_sum = (np.concatenate(x) for x in zip(*parts, strict=True))
    from scipy import stats

    p, lo, hi = ratio_estimate(blocked, arrivals, confidence)
    occ = area / horizon
    half = stats.t.ppf(0.5 + confidence / 2, reps - 1) * occ.std(ddof=1) / np.sqrt(reps)
    return LossEstimate(
        blocking=p,
        ci_low=lo,
        ci_high=hi,
        replications=reps,
        arrivals=arrivals,
        blocked=blocked,
        mean_occupancy=float(occ.mean()),
        occupancy_ci=(float(occ.mean() - half), float(occ.mean() + half)),
        accepted_rate=float(n_admitted.sum() / (reps * horizon)),
        mean_accepted_stay=float(stay_sum.sum() / max(n_admitted.sum(), 1)),
        horizon=horizon,
        warmup=warmup,
    )
