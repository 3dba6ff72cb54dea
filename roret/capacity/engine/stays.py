"""Length-of-stay distributions: parametric ones and the Kaplan-Meier estimate from history.

Every distribution samples by inversion of its survival function :math:`S(t) = P(T > t)`:

.. math::

    T = S^{-1}(U), \\qquad
    T - e \\mid T > e \\;=\\; S^{-1}\\big(U\\,S(e)\\big) - e, \\qquad U \\sim \\mathrm{U}(0, 1),

the second line giving the remaining stay of a citizen who has already stayed :math:`e`.
``sample_equilibrium`` draws the remaining stay of a citizen found in a unit in steady state,
whose density is :math:`S(x)/E[T]` (Takacs, L. 1969, "On Erlang's formula", Annals of
Mathematical Statistics 40(1), 71-78).
Times are in whatever unit the caller uses (years for sizing, months for the 5-year plan).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ._checks import finite_array, positive, rng_or_error

__all__ = [
    "DeterministicStay",
    "ExponentialStay",
    "KaplanMeier",
    "LognormalStay",
    "ParetoStay",
    "StayDistribution",
    "kaplan_meier",
]

_TINY = np.nextafter(0.0, 1.0)
_GUIDE = 4096  # slices of the guide table for Kaplan-Meier sampling (a power of two)


def _search(sorted_values: np.ndarray, x: np.ndarray, side: str) -> np.ndarray:
    """``np.searchsorted`` on a flat copy of ``x``: with NumPy 2.4 a 2-d ``x`` is several times
    slower than the same values in one dimension, and the plan searches every step."""
    return np.searchsorted(sorted_values, x.ravel(), side=side).reshape(x.shape)


def _uniform(rng: np.random.Generator, size) -> np.ndarray:
    """Uniforms on the open interval (0, 1)."""
    u = rng.random(size)
    return np.where(u == 0.0, _TINY, u)


class StayDistribution:
    """Base class: subclasses give ``mean``, ``survival(t)`` and ``isf(q)`` (inverse of S)."""

    mean: float

    def survival(self, t) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def isf(self, q) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        """Independent stay lengths."""
        return self.isf(_uniform(rng_or_error(rng), size))

    def sample_residual(self, rng: np.random.Generator, elapsed, size=None) -> np.ndarray:
        """Remaining stays of citizens who have stayed ``elapsed`` so far.

        ``size`` defaults to ``elapsed``'s shape; ``(R, n)`` with ``elapsed`` of length ``n``
        draws ``R`` independent replications for each citizen.
        """
        e = finite_array(elapsed, "elapsed")
        if np.any(e < 0):
            raise ValueError("elapsed stays must be >= 0")
        shape = e.shape if size is None else size
        e = np.broadcast_to(e, shape)
        u = _uniform(rng_or_error(rng), shape)
        return np.maximum(self.isf(u * self.survival(e)) - e, 0.0)

    def sample_equilibrium(self, rng: np.random.Generator, size) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class ExponentialStay(StayDistribution):
    """Exponential stays, :math:`S(t) = e^{-t/m}`: memoryless, so the 5-year plan is exact."""

    mean: float

    def __post_init__(self):
        positive(self.mean, "mean stay")

    def survival(self, t):
        return np.exp(-np.asarray(t, dtype=float) / self.mean)

    def isf(self, q):
        return -self.mean * np.log(q)

    def sample(self, rng, size):
        return rng_or_error(rng).exponential(self.mean, size)

    def sample_residual(self, rng, elapsed, size=None):
        e = finite_array(elapsed, "elapsed")
        return rng_or_error(rng).exponential(self.mean, e.shape if size is None else size)

    def sample_equilibrium(self, rng, size):
        return rng_or_error(rng).exponential(self.mean, size)


@dataclass(frozen=True)
class DeterministicStay(StayDistribution):
    """Every stay lasts exactly ``mean``."""

    mean: float

    def __post_init__(self):
        positive(self.mean, "mean stay")

    def survival(self, t):
        return np.where(np.asarray(t, dtype=float) < self.mean, 1.0, 0.0)

    def isf(self, q):
        return np.full(np.shape(q), self.mean)

    def sample_equilibrium(self, rng, size):
        return self.mean * rng_or_error(rng).random(size)


@dataclass(frozen=True)
class LognormalStay(StayDistribution):
    """Lognormal stays with the given mean and coefficient of variation ``cv``.

    .. math:: \\sigma^2 = \\log(1 + cv^2), \\quad \\mu = \\log m - \\sigma^2/2.

    The length-biased law is lognormal :math:`(\\mu + \\sigma^2, \\sigma)`; a uniform share of
    a length-biased stay is an equilibrium remaining stay.
    """

    mean: float
    cv: float

    def __post_init__(self):
        positive(self.mean, "mean stay")
        positive(self.cv, "cv")

    @property
    def _sigma(self) -> float:
        return math.sqrt(math.log1p(self.cv**2))

    @property
    def _mu(self) -> float:
        return math.log(self.mean) - 0.5 * self._sigma**2

    def survival(self, t):
        from scipy import special

        t = np.asarray(t, dtype=float)
        with np.errstate(divide="ignore"):
            z = (np.log(t) - self._mu) / self._sigma
        return special.ndtr(-z)

    def isf(self, q):
        from scipy import special

        return np.exp(self._mu - self._sigma * special.ndtri(np.asarray(q, dtype=float)))

    def sample_equilibrium(self, rng, size):
        rng = rng_or_error(rng)
        biased = np.exp(self._mu + self._sigma**2 + self._sigma * rng.standard_normal(size))
        return biased * rng.random(size)


@dataclass(frozen=True)
class ParetoStay(StayDistribution):
    """Heavy-tailed Pareto (Lomax) stays with the given mean and tail index ``shape`` > 1.

    .. math:: S(t) = (1 + t/\\theta)^{-\\alpha}, \\qquad \\theta = m(\\alpha - 1).

    The equilibrium remaining stay is Lomax with index :math:`\\alpha - 1` and the same scale.
    """

    mean: float
    shape: float

    def __post_init__(self):
        positive(self.mean, "mean stay")
        if not (math.isfinite(self.shape) and self.shape > 1):
            raise ValueError(f"Pareto shape must be > 1 for a finite mean, got {self.shape!r}")

    @property
    def _scale(self) -> float:
        return self.mean * (self.shape - 1.0)

    def survival(self, t):
        return (1.0 + np.asarray(t, dtype=float) / self._scale) ** (-self.shape)

    def isf(self, q):
        return self._scale * np.expm1(-np.log(q) / self.shape)

    def sample_equilibrium(self, rng, size):
        u = _uniform(rng_or_error(rng), size)
        return self._scale * np.expm1(-np.log(u) / (self.shape - 1.0))


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class KaplanMeier(StayDistribution):
    """Kaplan-Meier estimate of the stay distribution, with an exponential tail.

    ``times`` are the distinct completed-stay lengths, ascending; ``survival[i]`` is
    :math:`\\hat S` just after ``times[i]``. Beyond ``last_time`` (the longest stay observed,
    completed or ongoing) the estimate is continued as
    :math:`\\hat S(t) = \\hat S(t_{last})\\, e^{-h (t - t_{last})}` with hazard ``tail_rate``,
    and a citizen who has already stayed longer than every stay in the history draws an
    exponential remaining stay with that hazard.
    """

    times: np.ndarray
    survival_at: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    last_time: float
    tail_rate: float

    def survival(self, t):
        t = np.asarray(t, dtype=float)
        idx = _search(self.times, t, "right") - 1
        s = np.where(idx >= 0, self.survival_at[np.maximum(idx, 0)] if self.times.size else 1.0, 1.0)
        s_last = self.survival_at[-1] if self.times.size else 1.0
        beyond = t > self.last_time
        return np.where(beyond, s_last * np.exp(-self.tail_rate * np.maximum(t - self.last_time, 0.0)), s)

    @cached_property
    def _guide(self) -> tuple[np.ndarray, np.ndarray]:
        """Guide table for :meth:`isf` (Chen, H.-C. & Asau, Y. 1974, "On generating random
        variates from an empirical distribution", AIIE Transactions 6(2), 163-166): for each of
        ``_GUIDE`` equal slices of (0, 1), the answer at its upper end, where a search for any
        ``q`` in the slice may start; and the levels with a stop (-1) after the last."""
        top = np.arange(1, _GUIDE + 1) / _GUIDE
        start = np.searchsorted(-self.survival_at, -top, side="left")
        return start, np.append(self.survival_at, -1.0)

    def _first_at_or_below(self, q: np.ndarray) -> np.ndarray:
        """For each ``q`` in (0, 1), the first ``i`` with ``S_i <= q`` (``len(times)`` if none):
        ``np.searchsorted(-S, -q)``, started from the guide table. ``_GUIDE`` is a power of two,
        so ``q * _GUIDE`` and its slice are exact, and the slice's start is never past the answer;
        the walk forward crosses the few levels inside the slice."""
        start, levels = self._guide
        i = start[np.minimum(q * _GUIDE, _GUIDE - 1).astype(np.int64)]
        todo = np.flatnonzero(levels[i] > q)
        while todo.size:
            i[todo] += 1
            todo = todo[levels[i[todo]] > q[todo]]
        return i

    def isf(self, q):
        q = np.asarray(q, dtype=float)
        s_last = self.survival_at[-1] if self.times.size else 1.0
        flat = q.ravel()
        out = np.zeros(flat.shape)
        inner = flat < 1.0  # q >= 1: a stay of length 0
        qi = flat[inner]
        if self.times.size:
            i = self._first_at_or_below(qi)
            beyond = i >= self.times.size
            vals = self.times[np.minimum(i, self.times.size - 1)]
        else:
            beyond = np.ones(qi.shape, dtype=bool)
            vals = np.zeros(qi.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            vals[beyond] = self.last_time + np.log(s_last / qi[beyond]) / self.tail_rate
        out[inner] = vals
        return out.reshape(q.shape)

    def sample_residual(self, rng, elapsed, size=None):
        e = finite_array(elapsed, "elapsed")
        if np.any(e < 0):
            raise ValueError("elapsed stays must be >= 0")
        shape = e.shape if size is None else size
        e = np.broadcast_to(e, shape)
        rng = rng_or_error(rng)
        u = _uniform(rng, shape)
        s_e = self.survival(e)
        residual = np.maximum(self.isf(u * s_e) - e, 0.0)
        # Stayed longer than every stay on record (S(e) == 0): continue with the tail hazard.
        fallback = -np.log(u) / self.tail_rate
        return np.where(s_e > 0, residual, fallback)

    def sample_equilibrium(self, rng, size):
        # Length-biased draw of a whole stay, then a uniform share of it (tail by its mean).
        rng = rng_or_error(rng)
        mass = -np.diff(np.concatenate([[1.0], self.survival_at]))
        s_last = self.survival_at[-1] if self.times.size else 1.0
        weights = np.concatenate([self.times * mass, [s_last * (self.last_time + 1.0 / self.tail_rate)]])
        k = rng.choice(weights.size, size=size, p=weights / weights.sum())
        # Length-biased L + Exp(h): weight L + X mixes Exp(h) (weight L) and Gamma(2, 1/h) (weight 1/h).
        gamma_shape = np.where(rng.random(size) * (self.last_time * self.tail_rate + 1.0) < 1.0, 2.0, 1.0)
        tail_draw = self.last_time + rng.gamma(gamma_shape, 1.0 / self.tail_rate)
        whole = np.where(k < self.times.size, np.append(self.times, 0.0)[k], tail_draw)
        return whole * rng.random(size)

    def median_observed(self) -> float | None:
        """The first stay length ``t`` on record with :math:`\\hat S(t) \\le 1/2`, or None when
        the estimate stays above one half over the whole history (the median is not reached yet;
        unlike ``isf(0.5)``, no tail is assumed)."""
        reached = np.nonzero(self.survival_at <= 0.5)[0]
        return float(self.times[reached[0]]) if reached.size else None

    @property
    def mean(self) -> float:
        """:math:`\\int_0^\\infty \\hat S(t)\\,dt`, the tail included."""
        edges = np.concatenate([[0.0], self.times, [self.last_time]])
        levels = np.concatenate([[1.0], self.survival_at])
        area = float(np.sum(levels * np.diff(edges)))
        return area + float(levels[-1]) / self.tail_rate


def kaplan_meier(durations, observed, *, weights=None, entry=None, entry_weights=None,
                 tail_rate: float | None = None) -> KaplanMeier:
    """Kaplan-Meier estimate of the stay distribution from completed and ongoing stays, with
    delayed entry (left truncation) and counts as weights.

    .. math::

        \\hat S(t) = \\prod_{t_i \\le t} \\Big(1 - \\frac{d_i}{n_i}\\Big), \\qquad
        n_i = \\#\\{\\,j : e_j < t_i \\le x_j\\,\\}

    where :math:`d_i` stays ended at length :math:`t_i`, :math:`x_j` is stay :math:`j`'s length
    when it left observation (ended, or still ongoing: right-censored) and :math:`e_j` the length
    it had already reached when observation began (Kaplan, E. L. & Meier, P. 1958,
    "Nonparametric estimation from incomplete observations", JASA 53, 457-481; Klein, J. P. &
    Moeschberger, M. L. 2003, *Survival Analysis*, 2nd ed., §4.6 for the delayed-entry risk
    set). Ongoing stays count as at risk up to and including their current length, so a tie
    between a completed and an ongoing stay keeps the ongoing one at risk. An event time with
    nobody at risk (possible only with inconsistent counts) leaves :math:`\\hat S` unchanged.

    - ``durations``, ``observed``: each stay's length :math:`x_j` and whether it ended (True) or
      is still ongoing (False).
    - ``weights``: how many stays each entry stands for (whole numbers >= 0; default one each),
      so grouped counts (one row per distinct length) give the same estimate as the stays one by
      one.
    - ``entry``: the lengths :math:`e_j` at which stays entered observation (default: every stay
      observed from length 0, at risk from the start, an ended stay of length 0 included).
      With ``entry_weights`` the entries are counts of their own (one row per distinct entry
      length, as a database GROUP BY gives them): the risk set only needs
      :math:`\\#\\{e_j < t\\} - \\#\\{x_j < t\\}`, so the two groupings need not line up, only
      describe the same stays (equal totals).

    ``tail_rate`` (hazard per time unit beyond the longest stay) defaults to the exponential
    maximum-likelihood rate of the whole history: completed stays / total time observed
    (:math:`\\sum x_j - e_j`).
    """
    d = finite_array(durations, "durations").ravel()
    obs = np.asarray(observed, dtype=bool).ravel()
    if d.shape != obs.shape:
        raise ValueError("durations and observed must have the same length")
    if d.size == 0:
        raise ValueError("kaplan_meier needs at least one stay")
    if np.any(d < 0):
        raise ValueError("durations must be >= 0")
    w = np.ones(d.size, dtype=np.int64) if weights is None else _counts(weights, d.size, "weights")
    if entry is None:
        if entry_weights is not None:
            raise ValueError("entry_weights needs entry")
        e = ew = None
    else:
        e = finite_array(entry, "entry").ravel()
        if np.any(e < 0):
            raise ValueError("entry must be >= 0")
        ew = w if entry_weights is None else _counts(entry_weights, e.size, "entry_weights")
        if e.size != ew.size:
            raise ValueError("entry and its weights must have the same length")
        if entry_weights is None and np.any(e > d):
            raise ValueError("a stay cannot enter observation after it left (entry > duration)")
        if int(ew.sum()) != int(w.sum()):
            raise ValueError("entry_weights and weights must count the same stays")
    if tail_rate is None:
        if not w[obs].any():
            raise ValueError("no completed stays: give tail_rate explicitly")
        exposure = float(np.sum(w * d)) - (float(np.sum(ew * e)) if e is not None else 0.0)
        tail_rate = w[obs].sum() / max(exposure, np.finfo(float).tiny)
    tail_rate = positive(tail_rate, "tail_rate")

    times, inverse = np.unique(d[obs], return_inverse=True)
    events = np.bincount(inverse, weights=w[obs], minlength=times.size).astype(np.int64)
    left = _weight_below(d, w, times)            # stays that left before t: #{x_j < t}
    entered = int(w.sum()) if e is None else _weight_below(e, ew, times)   # #{e_j < t}
    at_risk = entered - left
    surv = np.cumprod(np.where(at_risk > 0, 1.0 - events / np.maximum(at_risk, 1), 1.0))
    return KaplanMeier(
        times=times,
        survival_at=surv,
        at_risk=np.asarray(at_risk, dtype=np.int64),
        events=events,
        last_time=float(d.max()),
        tail_rate=tail_rate,
    )


def _counts(value, size: int, name: str) -> np.ndarray:
    """Whole numbers >= 0, ``size`` of them."""
    arr = finite_array(value, name).ravel()
    if arr.size != size:
        raise ValueError(f"{name} must have one count per stay ({size}), got {arr.size}")
    if np.any(arr < 0) or np.any(arr != np.round(arr)):
        raise ValueError(f"{name} must be whole numbers >= 0")
    return arr.astype(np.int64)


def _weight_below(values: np.ndarray, weights: np.ndarray, times: np.ndarray) -> np.ndarray:
    """For each of ``times``: the total weight of ``values`` strictly below it."""
    order = np.argsort(values, kind="stable")
    cumulative = np.concatenate(([0], np.cumsum(weights[order])))
    return cumulative[np.searchsorted(values[order], times, side="left")]
