"""The 5-year plan computed exactly, for exponential stays, as a continuous-time Markov chain.

With exponential stays the state of a pool of places is the pair :math:`(n, e)`: citizens
in own places whose stay may end at any time, and citizens in bought places (policy
``"external"``) or waiting in bought places (policy ``"wait"``). Residents with a planned
move to elderly care are known to stay until the move and are carried deterministically.
Within month :math:`m` the rates are constant; with :math:`\\lambda_o = (1-u)\\lambda_m`
ordinary and :math:`\\lambda_u = u\\lambda_m` urgent arrivals, :math:`\\mu = 1/E[S]`, places
:math:`c`, reserve :math:`r` and :math:`s` planned movers present:

.. math::

    (n, e) \\to \\begin{cases}
      (n+1, e) & \\text{rate } \\lambda_o [n + s < c - r] + \\lambda_u [n + s < c] \\\\
      (n, e+1) & \\text{rate } \\lambda_o [n + s \\ge c - r] + \\lambda_u [n + s \\ge c] \\\\
      (n-1, e) & \\text{rate } n\\mu \\quad(\\text{wait: } (n, e-1) \\text{ if } e > 0,\\ n - 1 + s < c - r) \\\\
      (n, e-1) & \\text{rate } e\\mu
    \\end{cases}

and the distribution moves through the month by uniformisation (Jensen, A. 1953, "Markoff
chains as an aid in the study of Markoff processes", Skandinavisk Aktuarietidsskrift 36,
87-91):

.. math::

    p(1) = \\sum_{k \\ge 0} \\frac{e^{-\\Lambda}\\Lambda^k}{k!}\\, p P^k, \\qquad
    \\int_0^1 p(t)\\,dt = \\sum_{k \\ge 0} \\frac{P(N_\\Lambda > k)}{\\Lambda}\\, p P^k, \\qquad
    P = I + Q/\\Lambda.

Events at month starts (conversions, moves home, known pipeline arrivals) are exact
deterministic or two-point mixture maps of the distribution. ``e`` is truncated at a cap
that grows until the probability of reaching it stays below 1e-10 (at most up to the
level that an infinite-place system fed by every arrival exceeds with probability 1e-12).
"""

from __future__ import annotations

import numpy as np

from .erlang import erlang_b
from .progress import ProgressCallback, month_reporter
from .results import Band, PlanResult, discrete_quantiles
from .scenarios import Timeline
from .stays import ExponentialStay

__all__ = ["plan_exact"]


class _Chain:
    """State indexing and the month's maps for the (n, e) chain."""

    def __init__(self, n_max: int, e_max: int):
        self.n_max, self.e_max = n_max, e_max
        n, e = np.meshgrid(np.arange(n_max + 1), np.arange(e_max + 1), indexing="ij")
        self.n, self.e = n.ravel(), e.ravel()
        self.n_float, self.e_float = self.n.astype(float), self.e.astype(float)  # fast dot products
        self.size = self.n.size

    def index(self, n, e):
        return n * (self.e_max + 1) + np.minimum(e, self.e_max)

    def remap(self, p: np.ndarray, n_new, e_new) -> np.ndarray:
        return np.bincount(self.index(n_new, e_new), weights=p, minlength=self.size)

    def move_home(self, p, k, room):
        """Move up to ``k`` (an int or ``None`` for as many as fit) from bought to own places."""
        free = np.maximum(room - self.n, 0)
        j = np.minimum(self.e, free) if k is None else np.minimum(np.minimum(self.e, free), k)
        return self.remap(p, self.n + j, self.e - j)

    def arrive(self, p, room):
        """One ordinary arrival: own place if ``n < room``, else bought (or waiting)."""
        admit = self.n < room
        return self.remap(p, self.n + admit, self.e + ~admit)

    def generator(self, lam_o, lam_u, mu, room_o, room_u, wait):
        """Off-diagonal rates (transposed, CSR) and total outflow per state."""
        n, e = self.n, self.e
        src, dst, rate = [], [], []

        def add(mask, n_to, e_to, r):
            r = np.broadcast_to(r, n.shape)[mask]
            keep = r > 0
            to = self.index(n_to[mask][keep], e_to[mask][keep])
            frm = np.nonzero(mask)[0][keep]
            moved = to != frm  # arrivals clamped at e_max stay put
            src.append(frm[moved])
            dst.append(to[moved])
            rate.append(r[keep][moved])

        up_o, up_u = n < room_o, n < room_u
        add(up_o, n + 1, e, lam_o)
        add(~up_o, n, e + 1, lam_o)
        add(up_u, n + 1, e, lam_u)
        add(~up_u, n, e + 1, lam_u)
        leave = n > 0
        if wait:
            refill = leave & (e > 0) & (n - 1 < room_o)
            add(refill, n, e - 1, n * mu)
            add(leave & ~refill, n - 1, e, n * mu)
        else:
            add(leave, n - 1, e, n * mu)
        add(e > 0, n, e - 1, e * mu)
        from scipy import sparse  # SciPy loads on first use (the simulated plan needs none of it)

        src, dst, rate = np.concatenate(src), np.concatenate(dst), np.concatenate(rate)
        qt = sparse.csr_matrix((rate, (dst, src)), shape=(self.size, self.size))
        out = np.bincount(src, weights=rate, minlength=self.size)
        return qt, out


def _month(p, qt, out, tol=1e-13):
    """Uniformisation over one month: distribution at the end and its integral over the month."""
    from scipy import stats

    lam = float(out.max()) * 1.02
    if lam <= 0:
        return p.copy(), p.copy()
    k_max = int(stats.poisson.ppf(1 - tol, lam)) + 10
    k = np.arange(k_max + 1)
    w_end = stats.poisson.pmf(k, lam)
    w_int = stats.poisson.sf(k, lam) / lam
    v = p.copy()
    end, integral = w_end[0] * v, w_int[0] * v
    for i in range(1, k_max + 1):
        v = v + (qt @ v - out * v) / lam
        end += w_end[i] * v
        integral += w_int[i] * v
    return end, integral


def _band(pmfs, values, mean):
    q = discrete_quantiles(pmfs, values)
    return Band(mean=mean, p10=q[:, 0], p50=q[:, 1], p90=q[:, 2])


def plan_exact(tl: Timeline, scenario_name: str = "baseline", *, progress: ProgressCallback | None = None,
               progress_every: int = 1) -> PlanResult:
    """Month-by-month distributions of the plan, exact for exponential stays.

    Expected values are exact; the P10/P50/P90 bands of occupancy, vacancy, external and
    waiting are exact quantiles of the month-end distribution; the cost band is the month's
    own-place cost plus the month-end bought places times the external tariff.
    ``progress(done, total)`` is told the months solved every ``progress_every`` months (a
    second pass with a larger cap on bought places reports only beyond where the first got).
    """
    from scipy import stats

    if not isinstance(tl.stay, ExponentialStay):
        raise ValueError("the exact plan needs exponential stays (ExponentialStay); simulate otherwise")
    # Bought places: an infinite-place system fed by every arrival bounds them; that bound is
    # safe but large, so start from the stationary overflow and grow while mass reaches the cap.
    peak = float(tl.arrival_rate.max()) * tl.stay.mean
    fixed = tl.external_elapsed.size + tl.pipeline_months.size + 1
    safe = int(fixed + stats.poisson.ppf(1 - 1e-12, peak))
    smallest = max(int((tl.places - tl.reserved).min()), 1)
    overflow = 2.0 * peak * max(float(erlang_b(smallest, peak)), 0.02)
    guess = int(fixed + 20 + 2 * stats.poisson.ppf(1 - 1e-12, overflow))  # overflow comes in bursts
    e_max = min(guess, safe)
    tick = month_reporter(progress, tl.horizon, progress_every)
    while True:
        result = _solve(tl, scenario_name, e_max, tick)
        if result.diagnostics["truncation_edge_mass"] < 1e-10 or e_max >= safe:
            return result
        e_max = min(int(1.5 * e_max), safe)


def _solve(tl: Timeline, scenario_name: str, e_max: int, tick=lambda done: None) -> PlanResult:
    h = tl.horizon
    mu = 1.0 / tl.stay.mean
    wait = tl.policy == "wait"
    planned = tl.resident_leaves[np.isfinite(tl.resident_leaves)]
    movers = np.array([(planned > m).sum() for m in range(h)], dtype=np.int64)
    n0 = int(np.sum(~np.isfinite(tl.resident_leaves)))
    e0 = tl.external_elapsed.size
    room_u = tl.places - movers  # places the Markov part may fill, by month
    room_o = tl.places - tl.reserved - movers
    n_max = max(n0, int(room_u.max()), 0)
    chain = _Chain(n_max, e_max)

    p = np.zeros(chain.size)
    p[chain.index(n0, e0)] = 1.0
    occ_pmf = np.zeros((h, n_max + 1 + int(movers.max(initial=0))))
    ext_pmf = np.zeros((h, e_max + 1))
    occ_mean, ext_mean, ext_int, new_ext = (np.zeros(h) for _ in range(4))
    edge_mass = 0.0
    generators = {}
    for m in range(h):
        if tl.move_home[m]:
            p = chain.move_home(p, int(tl.move_home[m]), room_u[m])
        if wait:
            p = chain.move_home(p, None, room_o[m])
        for q in tl.pipeline_probability[tl.pipeline_months == m]:
            new_ext[m] += q * p[chain.n >= room_o[m]].sum()
            p = (1 - q) * p + q * chain.arrive(p, room_o[m])
        lam = tl.arrival_rate[m]
        key = (float(lam), int(room_o[m]), int(room_u[m]))
        if key not in generators:  # months with the same rates share one generator
            generators[key] = chain.generator(
                lam * (1 - tl.urgent_share), lam * tl.urgent_share, mu, room_o[m], room_u[m], wait
            )
        qt, out = generators[key]
        p_end, p_int = _month(p, qt, out)
        blocked_rate = lam * (1 - tl.urgent_share) * (chain.n >= room_o[m]) + lam * tl.urgent_share * (
            chain.n >= room_u[m]
        )
        new_ext[m] += float(p_int @ blocked_rate.astype(float))
        ext_int[m] = float(p_int @ chain.e_float)
        p = np.clip(p_end, 0.0, None)
        p /= p.sum()
        occ_pmf[m] = np.bincount(chain.n + movers[m], weights=p, minlength=occ_pmf.shape[1])
        ext_pmf[m] = np.bincount(chain.e, weights=p, minlength=e_max + 1)
        occ_mean[m] = float(p @ chain.n_float) + movers[m]
        ext_mean[m] = float(p @ chain.e_float)
        edge_mass = max(edge_mass, float(ext_pmf[m, -1]))
        tick(m + 1)

    occ_values = np.arange(occ_pmf.shape[1])
    vac_values = np.maximum(tl.places[:, None] - occ_values[None, :], 0)
    vac_q = np.empty((h, 3))
    for m in range(h):  # vacancy is a decreasing function of occupancy: sort per month
        order = np.argsort(vac_values[m], kind="stable")
        vac_q[m] = discrete_quantiles(occ_pmf[m][order], vac_values[m][order])[0]
    vac_mean = (occ_pmf * vac_values).sum(axis=1)
    occupancy = _band(occ_pmf, occ_values, occ_mean)
    external = _band(ext_pmf, np.arange(e_max + 1), ext_mean)
    zeros = np.zeros(h)
    waiting = external if wait else Band(zeros, zeros, zeros, zeros)
    own = tl.places * tl.own_cost
    cost_mean = own + ext_int * tl.external_cost
    cost = Band(
        mean=cost_mean,
        p10=own + external.p10 * tl.external_cost,
        p50=own + external.p50 * tl.external_cost,
        p90=own + external.p90 * tl.external_cost,
    )
    return PlanResult(
        scenario=scenario_name,
        method="exact",
        places=tl.places.copy(),
        reserved=tl.reserved.copy(),
        occupancy=occupancy,
        vacancy=Band(vac_mean, vac_q[:, 0], vac_q[:, 1], vac_q[:, 2]),
        external=external,
        waiting=waiting,
        new_external=new_ext,
        cost=cost,
        total_cost=float(cost_mean.sum()),
        total_cost_band=None,
        replications=None,
        diagnostics={"states": chain.size, "truncation_edge_mass": edge_mass, "external_cap": e_max},
    )
