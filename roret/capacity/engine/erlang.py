"""Erlang's loss model M/G/c/c: blocking, occupancy and the load a unit can carry.

A unit with ``c`` own places receives citizens at rate :math:`\\lambda` who stay a mean time
:math:`s`; the offered load is :math:`A = \\lambda s` (Erlang, "place-years per year").
A citizen who finds every own place taken is placed elsewhere (a bought place), so the unit
is a loss system. By Sevastyanov's insensitivity theorem (1957) the stationary results below
hold for any stay-length distribution with that mean, not only the exponential one.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import finite_array, load_array, places_array, positive

__all__ = [
    "carried_load",
    "erlang_b",
    "erlang_b_log",
    "erlang_b_table",
    "erlang_transient",
    "external_per_year",
    "load_at_occupancy",
    "max_load",
    "occupancy",
    "occupancy_distribution",
]

_LOG2 = math.log(2.0)
# Below this many values a plain Python loop beats NumPy's per-call overhead.
_PYTHON_LOOP_LIMIT = 4


def _recursion_python(c: int, a: float) -> tuple[float, int]:
    """B(c, a) as mantissa and binary exponent (B = m * 2**e), one value at a time."""
    m, e = 1.0, 0
    for k in range(1, c + 1):
        b = math.ldexp(m, e)  # underflows harmlessly to 0 when B is far below 1e-308
        m, ex = math.frexp(m * (a / (k + a * b)))
        e += ex
    return m, e


def _recursion(c: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mantissa/exponent form of B for flat arrays ``c`` (int) and ``a`` (float).

    The recursion runs once up to ``max(c)`` for all values together; values are sorted by
    ``c`` so that at step ``k`` only the prefix still needing steps is touched.
    """
    n = c.size
    if n <= _PYTHON_LOOP_LIMIT:
        pairs = [_recursion_python(int(ci), float(ai)) for ci, ai in zip(c, a, strict=True)]
        return (np.array([p[0] for p in pairs], dtype=float), np.array([p[1] for p in pairs], dtype=np.int64))
    order = np.argsort(-c, kind="stable")
    cs, as_ = c[order], a[order]
    m = np.ones(n)
    e = np.zeros(n, dtype=np.int64)
    kmax = int(cs[0]) if n else 0
    active = np.searchsorted(-cs, -np.arange(1, kmax + 1), side="right")
    for k in range(1, kmax + 1):
        j = active[k - 1]
        mm, aa = m[:j], as_[:j]
        b = np.ldexp(mm, e[:j])
        frac, ex = np.frexp(mm * (aa / (k + aa * b)))
        m[:j] = frac
        e[:j] += ex
    m_out, e_out = np.empty_like(m), np.empty_like(e)
    m_out[order], e_out[order] = m, e
    return m_out, e_out


def _broadcast(places, load) -> tuple[np.ndarray, np.ndarray]:
    c = places_array(places)
    a = load_array(load)
    return np.broadcast_arrays(c, a)


def erlang_b(places, load):
    """Blocking probability of the Erlang loss model (Erlang's B formula).

    .. math::

        B(c, A) = \\frac{A^c / c!}{\\sum_{k=0}^{c} A^k / k!},
        \\qquad B(0) = 1,\\quad B(k) = \\frac{A\\,B(k-1)}{k + A\\,B(k-1)}.

    Evaluated with the stable forward recursion (Jagerman, D. L. 1974, "Some properties of
    the Erlang loss function", Bell System Technical Journal 53(3), 525-551). Each step
    contracts the relative error (its derivative is :math:`1 - B(k) < 1`), so the result is
    good to about 1e-13 relative even for ``c = 10_000``. ``B`` is carried as mantissa and
    binary exponent, so values down to the smallest double (and below, see
    :func:`erlang_b_log`) never underflow mid-recursion.

    ``places`` (whole numbers >= 1) and ``load`` (>= 0, Erlang) broadcast against each other;
    a scalar in gives a NumPy scalar out. By PASTA, ``B`` is the share of arriving citizens
    who find no free own place; by insensitivity it holds for any stay distribution.
    """
    c, a = _broadcast(places, load)
    m, e = _recursion(c.ravel(), a.ravel())
    return np.ldexp(m, e).reshape(c.shape)[()]


def erlang_b_log(places, load):
    """Natural logarithm of :func:`erlang_b`, finite even where ``B`` underflows (e.g. 1e-5000).

    .. math:: \\log B(c, A) = \\log m + e \\log 2, \\qquad B = m\\,2^{e},

    with the mantissa ``m`` and exponent ``e`` of Jagerman's recursion. Returns ``-inf``
    for ``load == 0``.
    """
    c, a = _broadcast(places, load)
    m, e = _recursion(c.ravel(), a.ravel())
    with np.errstate(divide="ignore"):
        out = np.log(m) + e * _LOG2
    return out.reshape(c.shape)[()]


def erlang_b_table(max_places: int, load) -> np.ndarray:
    """``B(c, A)`` for every ``c = 0 .. max_places`` in one pass of the recursion.

    Returns an array of shape ``load.shape + (max_places + 1,)``; column 0 is ``B(0) = 1``.
    Used by sizing, where the whole cost curve is wanted at once.
    """
    cmax = int(places_array(max_places, "max_places", minimum=0))
    a = load_array(load)
    flat = a.ravel()
    out = np.empty((flat.size, cmax + 1))
    m = np.ones(flat.size)
    e = np.zeros(flat.size, dtype=np.int64)
    out[:, 0] = 1.0
    for k in range(1, cmax + 1):
        b = np.ldexp(m, e)
        m, ex = np.frexp(m * (flat / (k + flat * b)))
        e += ex
        out[:, k] = np.ldexp(m, e)
    return out.reshape(a.shape + (cmax + 1,))


def carried_load(places, load):
    """Expected number of occupied places, :math:`A\\,(1 - B(c, A))` (Little's law)."""
    c, a = _broadcast(places, load)
    return (a * (1.0 - erlang_b(c, a)))[()]


def occupancy(places, load):
    """Expected share of own places in use.

    .. math:: \\rho = \\frac{A\\,(1 - B(c, A))}{c}
    """
    c, a = _broadcast(places, load)
    return (a * (1.0 - erlang_b(c, a)) / c)[()]


def external_per_year(places, arrival_rate, mean_stay):
    """Expected citizens per time unit who must be placed externally, :math:`\\lambda B(c, \\lambda s)`.

    ``arrival_rate`` is citizens per time unit (e.g. per year) and ``mean_stay`` is in the
    same time unit; the external place-years bought per year are then
    :math:`\\lambda B s = A B`.
    """
    lam = load_array(arrival_rate, "arrival_rate")
    s = positive(mean_stay, "mean_stay")
    return (lam * erlang_b(places, lam * s))[()]


def occupancy_distribution(places: int, load: float) -> np.ndarray:
    """Stationary distribution of the number of occupied places (a truncated Poisson law).

    .. math:: p_n = \\frac{A^n / n!}{\\sum_{k=0}^{c} A^k / k!}, \\qquad n = 0, \\dots, c.

    Returns an array of length ``places + 1``; ``p[-1]`` equals :func:`erlang_b`.
    """
    c = int(places_array(places))
    a = float(load_array(load))
    n = np.arange(c + 1)
    from scipy import special  # SciPy loads on first use: the plan's command line needs none of it

    logw = special.xlogy(n, a) - special.gammaln(n + 1)
    p = np.exp(logw - special.logsumexp(logw))
    return p / p.sum()


def max_load(places, blocking):
    """Largest offered load that ``places`` places carry with blocking at most ``blocking``.

    Solves :math:`B(c, A) = b` for :math:`A` with Brent's method on :math:`\\log B`, which is
    increasing in :math:`A`. The root is bracketed by
    :math:`A_{lo} = \\tfrac12 (b\\,c!)^{1/c}` (there :math:`B \\le A^c/c! < b`) and
    :math:`A_{hi} = c/(1-b)` (the carried load :math:`A(1-B)` is below :math:`c`, so
    :math:`B(A_{hi}) > b`). ``places`` and ``blocking`` broadcast.
    """
    c = places_array(places)
    b = finite_array(blocking, "blocking")
    if np.any((b <= 0) | (b >= 1)):
        raise ValueError(f"blocking must lie strictly between 0 and 1, got {blocking!r}")
    from scipy import optimize

    c, b = np.broadcast_arrays(c, b)
    out = np.empty(c.shape)
    for idx in np.ndindex(c.shape):
        ci, bi = int(c[idx]), float(b[idx])
        lo = 0.5 * math.exp((math.log(bi) + math.lgamma(ci + 1)) / ci)
        hi = ci / (1.0 - bi)
        target = math.log(bi)
        out[idx] = optimize.brentq(
            lambda x, ci=ci, target=target: float(erlang_b_log(ci, x)) - target,
            lo,
            hi,
            xtol=1e-13 * ci,
            rtol=4 * np.finfo(float).eps,
        )
    return out[()]


def erlang_transient(places: int, load: float, mean_stay: float, initial, times) -> np.ndarray:
    """Distribution of occupied places at given times, from a known start (exponential stays).

    The occupancy of an M/M/c/c unit is a birth-death chain on :math:`0..c` with generator
    :math:`Q_{n,n+1} = \\lambda` (:math:`n<c`), :math:`Q_{n,n-1} = n\\mu`, and

    .. math:: p(t) = p(0)\\, e^{Q t}

    (matrix exponential, ``scipy.linalg.expm``). As :math:`t \\to \\infty`, :math:`p(t)`
    tends to :func:`occupancy_distribution`. ``initial`` is a number of occupied places or
    a distribution over ``0..places``; ``times`` are in the unit of ``mean_stay``.
    Returns an array of shape ``(len(times), places + 1)``.
    """
    c = int(places_array(places))
    a = float(load_array(load))
    s = positive(mean_stay, "mean_stay")
    t = finite_array(times, "times").ravel()
    if np.any(t < 0):
        raise ValueError(f"times must be >= 0, got {times!r}")
    p0 = np.asarray(initial, dtype=float)
    if p0.ndim == 0:
        n0 = int(places_array(initial, "initial", minimum=0))
        if n0 > c:
            raise ValueError(f"initial occupancy {n0} exceeds places {c}")
        p0 = np.zeros(c + 1)
        p0[n0] = 1.0
    elif p0.shape != (c + 1,) or np.any(p0 < 0) or not math.isclose(p0.sum(), 1.0, rel_tol=1e-9):
        raise ValueError("initial must be an occupancy or a probability vector of length places + 1")
    q = np.zeros((c + 1, c + 1))
    n = np.arange(c + 1)
    q[n[:-1], n[:-1] + 1] = a / s
    q[n[1:], n[1:] - 1] = n[1:] / s
    q[n, n] = -q.sum(axis=1)
    from scipy import linalg

    out = np.vstack([p0 @ linalg.expm(q * ti) for ti in t])
    return np.clip(out, 0.0, 1.0)


def load_at_occupancy(places, target_occupancy):
    """Offered load at which ``places`` places are occupied a share ``target_occupancy`` of the time.

    Solves :math:`A\\,(1 - B(c, A)) / c = \\rho` for :math:`A`; the carried load is increasing
    in :math:`A` and tends to :math:`c`, so every :math:`\\rho \\in (0, 1)` has one root,
    bracketed by :math:`A = \\rho c` (carried load below :math:`\\rho c`) and a doubling
    search. Used for the "85 % occupancy" comparison of small and large units
    (de Bruin, A. M., Bekker, R., van Zanten, L. & Koole, G. M. 2010, "Dimensioning hospital
    wards using the Erlang loss model", Annals of Operations Research 178, 23-43).
    """
    c = places_array(places)
    rho = finite_array(target_occupancy, "target_occupancy")
    if np.any((rho <= 0) | (rho >= 1)):
        raise ValueError(f"target_occupancy must lie strictly between 0 and 1, got {target_occupancy!r}")
    from scipy import optimize

    c, rho = np.broadcast_arrays(c, rho)
    out = np.empty(c.shape)
    for idx in np.ndindex(c.shape):
        ci, ri = int(c[idx]), float(rho[idx])

        def gap(a, ci=ci, ri=ri):
            return a * (1.0 - float(erlang_b(ci, a))) / ci - ri

        lo, hi = ri * ci, 2.0 * ci
        while gap(hi) < 0:
            hi *= 2.0
        out[idx] = optimize.brentq(gap, lo, hi, xtol=1e-13 * ci, rtol=4 * np.finfo(float).eps)
    return out[()]
