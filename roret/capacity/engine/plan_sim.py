"""The 5-year plan by simulation, for stay lengths that are not exponential (e.g. Kaplan-Meier).

All replications advance together in steps of ``1/steps_per_month`` month. Each replication
holds the planned departure time of every own place (``inf`` when free) and, for every
citizen in a bought place, the departure time, the arrival time (for first-come-first-served
homecoming) and the time from which their bought-place time is not yet costed. Within a
step, departures up to the step's midpoint are processed, then citizens waiting move home
(policy ``"wait"``), then the step's arrivals (urgent ones first) take free places or go to
bought places. Bought place-time is costed per citizen from arrival to departure or
homecoming; a homecoming is dated to the departure that freed the place.

Current residents draw their remaining stay given the time already stayed
(:meth:`.stays.StayDistribution.sample_residual`); residents with a planned move stay until
it and count at the end of the month before it. Month events (conversions, moves home,
known pipeline arrivals) happen at the start of their month, as in the exact chain.
"""

from __future__ import annotations

import numpy as np

from ._checks import places_array, rng_or_error
from .plan_draws import PlanDraws, locate
from .progress import ProgressCallback, month_reporter
from .results import Band, PlanResult
from .scenarios import Timeline

__all__ = ["plan_simulate"]

# Planned moves happen just after the month boundary, so that they count at the month's end.
_AFTER = 1e-9


def _fill(slots, incoming, count):
    """Write the first ``count[r]`` values of ``incoming[r]`` into the free (inf) ``slots[r]``."""
    if incoming.shape[1] == 0:
        return slots
    free = ~np.isfinite(slots)
    rank = np.cumsum(free, axis=1) - 1
    take = free & (rank < count[:, None])
    vals = np.take_along_axis(incoming, np.clip(rank, 0, incoming.shape[1] - 1), axis=1)
    return np.where(take, vals, slots)


class _Pool:
    """Own places and bought places of ``R`` replications, as arrays of times."""

    def __init__(self, own, ext_dep, ext_key, track_freed):
        self.track_freed = track_freed  # homecomings are dated only under policy "wait"
        self.own = own  # departure time per own place, inf when free
        self.ext_dep = ext_dep  # departure time per bought place, inf when none
        self.ext_key = ext_key  # arrival time (homecoming order)
        self.ext_since = np.where(np.isfinite(ext_dep), 0.0, np.inf)  # costed up to this time
        self.area = np.zeros(own.shape[0])  # bought place-time costed in the current month
        self.freed = np.full((own.shape[0], 0), np.inf)  # own departures since the last homecoming

    def occupied(self):
        return np.isfinite(self.own).sum(axis=1)

    def external(self):
        return np.isfinite(self.ext_dep).sum(axis=1)

    def depart(self, t):
        gone = self.own <= t
        if self.track_freed:
            width = int(gone.sum(axis=1).max())
            self.freed = np.sort(np.where(gone, self.own, np.inf), axis=1)[:, :width]
        self.own[gone] = np.inf
        gone = self.ext_dep <= t
        if gone.any():
            with np.errstate(invalid="ignore"):
                self.area += np.where(gone, np.maximum(self.ext_dep - self.ext_since, 0.0), 0.0).sum(axis=1)
        for arr in (self.ext_dep, self.ext_key, self.ext_since):
            arr[gone] = np.inf

    def close_month(self, t):
        """Cost the bought place-time up to ``t`` and return the month's total."""
        present = np.isfinite(self.ext_dep)
        with np.errstate(invalid="ignore"):
            self.area += np.where(present, t - self.ext_since, 0.0).sum(axis=1)
        self.ext_since[present] = t
        area, self.area = self.area, np.zeros_like(self.area)
        return area

    def _grow_external(self, needed):
        have = self.ext_dep.shape[1]
        if needed > have:
            pad = np.full((self.ext_dep.shape[0], max(needed - have, have, 8)), np.inf)
            self.ext_dep, self.ext_key, self.ext_since = (
                np.hstack([a, pad]) for a in (self.ext_dep, self.ext_key, self.ext_since)
            )

    def admit(self, dep, key, room):
        """Arrivals (in arrival order, ``inf``-padded) take up to ``room`` own places; the rest go
        to bought places. Returns how many went to bought places, per replication."""
        n_in = np.isfinite(dep).sum(axis=1)
        over = np.zeros_like(n_in)
        rows = np.nonzero(n_in)[0]  # only replications with arrivals this step
        if rows.size == 0:
            return over
        dep, key, n_in = dep[rows], key[rows], n_in[rows]
        k = np.minimum(n_in, np.maximum(room[rows], 0))
        self.own[rows] = _fill(self.own[rows], dep, k)
        over[rows] = n_in - k
        if over.any():
            rest = (np.arange(dep.shape[1]) >= k[:, None]) & np.isfinite(dep)
            order = np.argsort(~rest, axis=1, kind="stable")  # the overflow first, in arrival order
            kept = np.take_along_axis(rest, order, 1)
            rest_dep = np.where(kept, np.take_along_axis(dep, order, 1), np.inf)
            rest_key = np.where(kept, np.take_along_axis(key, order, 1), np.inf)
            self._grow_external(int((self.external() + over).max()))
            o = over[rows]
            self.ext_since[rows] = _fill(self.ext_since[rows], rest_key, o)
            self.ext_key[rows] = _fill(self.ext_key[rows], rest_key, o)
            self.ext_dep[rows] = _fill(self.ext_dep[rows], rest_dep, o)
        return over

    def move_home(self, room, now, limit=None):
        """Move the longest-waiting citizens from bought places into free own places.

        Each homecoming is dated to the own departure that made room for it (the places
        freed since the last call, in order, after any excess over ``room``), else to ``now``.
        """
        k = np.minimum(self.external(), np.maximum(room, 0))
        if limit is not None:
            k = np.minimum(k, limit)
        rows = np.nonzero(k)[0]  # only replications where someone comes home
        freed, self.freed = self.freed, np.full((self.own.shape[0], 0), np.inf)
        if rows.size == 0:
            return
        k, room = k[rows], np.maximum(room[rows], 0)
        ext_dep, ext_key, ext_since = self.ext_dep[rows], self.ext_key[rows], self.ext_since[rows]
        order = np.argsort(ext_key, axis=1, kind="stable")
        chosen_sorted = np.arange(order.shape[1]) < k[:, None]
        chosen = np.zeros_like(chosen_sorted)
        np.put_along_axis(chosen, order, chosen_sorted, axis=1)
        # Homecoming times, in the order of the chosen citizens.
        freed = freed[rows]
        n_freed = np.isfinite(freed).sum(axis=1)
        idx = np.maximum(n_freed - room, 0)[:, None] + np.arange(order.shape[1])[None, :]
        when = np.full(order.shape, float(now))
        if freed.shape[1]:
            dated = np.take_along_axis(freed, np.clip(idx, 0, freed.shape[1] - 1), axis=1)
            when = np.where(idx < n_freed[:, None], dated, when)
        since = np.take_along_axis(ext_since, order, 1)
        self.area[rows] += np.where(chosen_sorted, np.maximum(when - since, 0.0), 0.0).sum(axis=1)
        moving = np.where(chosen_sorted, np.take_along_axis(ext_dep, order, 1), np.inf)
        self.own[rows] = _fill(self.own[rows], moving, k)
        for arr, sub in ((self.ext_dep, ext_dep), (self.ext_key, ext_key), (self.ext_since, ext_since)):
            sub[chosen] = np.inf
            arr[rows] = sub

    def compact(self):
        """Drop empty bought-place columns so per-step work follows the actual number."""
        order = np.argsort(~np.isfinite(self.ext_dep), axis=1, kind="stable")
        width = max(int(self.external().max()), 8)
        self.ext_dep, self.ext_key, self.ext_since = (
            np.take_along_axis(a, order, 1)[:, :width] for a in (self.ext_dep, self.ext_key, self.ext_since)
        )


def _band(x):
    q = np.quantile(x, (0.1, 0.5, 0.9), axis=0, method="inverted_cdf")
    return Band(mean=x.mean(axis=0), p10=q[0], p50=q[1], p90=q[2])


def _thresholds(h: int, steps: int) -> np.ndarray:
    """The times at which the stepped simulation frees own places, in order: just after each
    month starts, at the middle of each step and at each month's end (see :func:`plan_simulate`)."""
    dt = 1.0 / steps
    out = []
    for m in range(h):
        out.append(m + 2 * _AFTER)
        out.extend(m + j * dt + 0.5 * dt for j in range(steps))
        out.append(m + 1.0)
    return np.array(out)


class _Loss:
    """Own places as a head count per replication, for the loss policy without homecomings.

    When nobody moves from a bought place to an own one, an own place only needs to be known
    as taken or free: an admitted citizen's departure is booked, when they arrive, against the
    first moment the stepped simulation frees places at or after it (``due``), and the head
    count drops there. Citizens in bought places stay there until they leave, so they are only
    recorded (arrival, departure, replication, month) and counted per month at the end.
    """

    def __init__(self, theta, reps):
        self.theta = theta
        self.due = np.zeros((theta.size + 1, reps), dtype=np.int64)  # places freed at each moment
        self.occupied = np.zeros(reps, dtype=np.int64)
        self.step = 0  # the next moment at which places are freed
        self.external = []  # (start, end, replication, month) of every stay in a bought place

    def book(self, dep, rows, when=None):
        """Citizens take own places now and leave them at ``dep``: at the first moment at or
        after ``dep`` that is still to come (a short stay ends at the next one), or at the
        moments ``when`` if they are known already."""
        if when is None:
            when = np.maximum(np.searchsorted(self.theta, dep), self.step)
        np.add.at(self.due, (when, rows), 1)
        self.occupied += np.bincount(rows, minlength=self.occupied.size)

    def depart(self):
        self.occupied -= self.due[self.step]
        self.step += 1

    def admit(self, dep, key, room, month, *, n=None, valid=None, when=None):
        """As :meth:`_Pool.admit`: the first ``room`` arrivals (in order, ``inf``-padded) take own
        places, the others bought ones; returns how many went to bought places, per replication."""
        if valid is None:
            valid = np.isfinite(dep)
            n = valid.sum(axis=1)
        k = np.minimum(n, np.maximum(room, 0))
        own = np.arange(dep.shape[1]) < k[:, None]
        rows, cols = np.nonzero(own)
        if rows.size:
            self.book(dep[rows, cols], rows, None if when is None else when[rows, cols])
        rows, cols = np.nonzero(valid & ~own)
        if rows.size:
            self.external.append((key[rows, cols], dep[rows, cols], rows, np.full(rows.size, month)))
        return n - k

    def admit_step(self, seg, n, room, month):
        """:meth:`admit` for one step of a stream, from its arrivals sorted by step
        (:func:`_by_step`): ``n`` per replication, of which the first ``room`` get own places."""
        rows, rank, slot, at, dep = seg
        k = np.minimum(n, np.maximum(room, 0))
        own = rank < k[rows]
        np.add.at(self.due.reshape(-1), slot[own], 1)
        self.occupied += k
        over = n - k
        if rows.size > k.sum():
            out = ~own
            self.external.append((at[out], dep[out], rows[out], np.full(int(out.sum()), month)))
        return over

    def bought(self, h):
        """Citizens in bought places at each month's end and their place-months in each month,
        ``(reps, h)`` each. A stay from ``a`` to ``d`` that began in month ``f`` is there at the
        end of month ``m`` when ``f <= m`` and ``d > m + 1``; it costs its overlap with each
        month ``[m, m + 1)``: ``f + 1 - a`` in its first, 1 in each full one, ``d - l`` in the
        month ``l`` its departure falls in (``d - a`` when that is the first)."""
        reps = self.occupied.size
        if not self.external:
            return np.zeros((reps, h)), np.zeros((reps, h))
        a, d, r, first = (np.concatenate(x) for x in zip(*self.external, strict=True))
        gone = np.ceil(d).astype(np.int64) - 1  # the first month at whose end the stay is over
        last = np.maximum(gone, first)
        width = h + 2

        def per_month(months, weights):
            idx = r * width + np.clip(months, 0, h + 1)
            return np.bincount(idx, weights, minlength=reps * width).reshape(reps, width)

        stays = (gone > first).astype(float)
        present = np.cumsum(per_month(first, stays) - per_month(gone, stays), axis=1)
        same = last == first
        spans = (~same).astype(float)
        area = per_month(first, np.where(same, np.maximum(d - a, 0.0), first + 1.0 - a))
        area += per_month(last, np.where(same, 0.0, d - last))
        area += np.cumsum(per_month(first + 1, spans) - per_month(last, spans), axis=1)
        return present[:, :h], area[:, :h]


def _by_step(stream, theta, steps: int, reps: int):
    """A stream's arrivals sorted by step (then replication, then time): for each step a slice
    of rows, rank within the replication's step, booking slot in ``due`` (flat), arrival and
    departure. A place is freed at the first moment at or after the departure that comes after
    the arrival step's middle (the moments are numbered ``steps + 2`` a month)."""
    total = stream.first.shape[1] - 2
    width = stream.step.shape[1]
    step = stream.step.ravel()
    keep = np.flatnonzero(step < total)
    key = step[keep].astype(np.int16 if total < np.iinfo(np.int16).max else np.int64)
    order = keep[np.argsort(key, kind="stable")]  # radix sort for 16-bit keys
    step = step[order]
    rows = order // width
    rank = order % width - stream.first[rows, step]
    dep = stream.dep.ravel()[order]
    when = np.maximum(locate(theta, dep), step + 2 * (step // steps) + 2)
    bounds = np.searchsorted(step, np.arange(total + 1))
    return bounds, (rows, rank, when * reps + rows, stream.at.ravel()[order], dep)


def _plan_loss(tl: Timeline, draws: PlanDraws, reps: int, steps: int, tick):
    """:func:`plan_simulate` for the loss policy without homecomings: the same draws, the same
    moments as :func:`_plan_pool`, a head count instead of a place per citizen."""
    h = tl.horizon
    theta = _thresholds(h, steps)
    pool = _Loss(theta, reps)
    rows = np.arange(reps)
    n_res = tl.resident_elapsed.size
    if n_res:
        pool.book(_resident_departures(tl, draws).ravel(), np.repeat(rows, n_res))
    n_ext = tl.external_elapsed.size
    if n_ext:
        dep = draws.external_dep.ravel()
        pool.external.append((np.zeros(dep.size), dep, np.repeat(rows, n_ext), np.zeros(dep.size, dtype=np.int64)))
    sorted_streams = [(_by_step(stream, theta, steps, reps), stream, urgent)
                      for stream, urgent in draws.streams if stream is not None]
    occ, new_ext = np.zeros((reps, h)), np.zeros((reps, h))
    for m in range(h):
        places, reserved = int(tl.places[m]), int(tl.reserved[m])
        pool.depart()
        for i in np.flatnonzero(tl.pipeline_months == m):
            dep = draws.pipeline_dep[:, i : i + 1]
            new_ext[:, m] += pool.admit(dep, np.full_like(dep, float(m)), places - reserved - pool.occupied, m)
        for j in range(steps):
            pool.depart()
            s = m * steps + j
            for (bounds, parts), stream, urgent in sorted_streams:
                seg = tuple(p[bounds[s] : bounds[s + 1]] for p in parts)
                n = stream.first[:, s + 1] - stream.first[:, s]
                new_ext[:, m] += pool.admit_step(seg, n, places - (0 if urgent else reserved) - pool.occupied, m)
        pool.depart()
        occ[:, m] = pool.occupied
        tick(m + 1)
    ext, ext_area = pool.bought(h)
    return occ, ext, new_ext, ext_area


def _resident_departures(tl: Timeline, draws: PlanDraws) -> np.ndarray:
    """Residents leave when their remaining stay ends; one with a planned move stays until it and
    counts at the end of the month before."""
    return np.where(np.isfinite(tl.resident_leaves), tl.resident_leaves + _AFTER, draws.resident_dep)


def plan_simulate(
    tl: Timeline,
    *,
    rng: np.random.Generator,
    replications: int = 1000,
    steps_per_month: int = 4,
    scenario_name: str = "baseline",
    progress: ProgressCallback | None = None,
    progress_every: int = 1,
) -> PlanResult:
    """Month-by-month plan from ``replications`` simulated futures; bands are their quantiles.

    ``progress(done, total)`` is told the simulated months every ``progress_every`` months.
    """
    rng = rng_or_error(rng)
    tick = month_reporter(progress, tl.horizon, progress_every)
    reps = int(places_array(replications, "replications", minimum=2))
    steps = int(places_array(steps_per_month, "steps_per_month"))
    draws = PlanDraws(tl, rng, reps, steps)
    simulate = _plan_loss if tl.policy == "external" and not tl.move_home.any() else _plan_pool
    occ, ext, new_ext, ext_area = simulate(tl, draws, reps, steps, tick)
    return _result(tl, scenario_name, occ, ext, new_ext, ext_area, reps, steps)


def _plan_pool(tl: Timeline, draws: PlanDraws, reps: int, steps: int, tick):
    """The plan with a departure time per own and bought place (:class:`_Pool`): any policy,
    homecomings included."""
    h, dt, wait = tl.horizon, 1.0 / steps, tl.policy == "wait"
    n_res = tl.resident_elapsed.size
    own = np.full((reps, max(int(tl.places.max()), n_res, 1)), np.inf)
    if n_res:
        own[:, :n_res] = _resident_departures(tl, draws)
    n_ext = tl.external_elapsed.size
    ext_dep = np.full((reps, max(n_ext, 8)), np.inf)
    ext_key = np.full_like(ext_dep, np.inf)
    if n_ext:
        ext_dep[:, :n_ext] = draws.external_dep
        ext_key[:, :n_ext] = -tl.external_elapsed  # longest in a bought place comes home first
    pool = _Pool(own, ext_dep, ext_key, track_freed=wait)

    occ, ext, new_ext, ext_area = (np.zeros((reps, h)) for _ in range(4))
    for m in range(h):
        places, reserved = int(tl.places[m]), int(tl.reserved[m])
        pool.depart(m + 2 * _AFTER)
        if tl.move_home[m]:
            pool.move_home(places - pool.occupied(), m, limit=int(tl.move_home[m]))
        if wait:
            pool.move_home(places - reserved - pool.occupied(), m)
        for i in np.flatnonzero(tl.pipeline_months == m):
            dep = draws.pipeline_dep[:, i : i + 1]
            new_ext[:, m] += pool.admit(dep, np.full_like(dep, float(m)), places - reserved - pool.occupied())
        for j in range(steps):
            t0 = m + j * dt
            pool.depart(t0 + 0.5 * dt)
            if wait:
                pool.move_home(places - reserved - pool.occupied(), t0 + 0.5 * dt)
            for stream, urgent in draws.streams:
                if stream is not None:
                    _n, _valid, (dep, at) = stream.window(m * steps + j, stream.dep, stream.at)
                    new_ext[:, m] += pool.admit(dep, at, places - (0 if urgent else reserved) - pool.occupied())
        pool.depart(m + 1.0)
        if wait:
            pool.move_home(places - reserved - pool.occupied(), m + 1.0)
        ext_area[:, m] = pool.close_month(m + 1.0)
        pool.compact()
        occ[:, m] = pool.occupied()
        ext[:, m] = pool.external()
        tick(m + 1)
    return occ, ext, new_ext, ext_area


def _result(tl, scenario_name, occ, ext, new_ext, ext_area, reps, steps) -> PlanResult:
    """The plan's bands from the simulated month ends, ``(reps, h)`` each."""
    wait = tl.policy == "wait"
    cost = tl.places * tl.own_cost + ext_area * tl.external_cost
    total = cost.sum(axis=1)
    tq = np.quantile(total, (0.1, 0.5, 0.9), method="inverted_cdf")
    external = _band(ext)
    return PlanResult(
        scenario=scenario_name,
        method="simulation",
        places=tl.places.copy(),
        reserved=tl.reserved.copy(),
        occupancy=_band(occ),
        vacancy=_band(np.maximum(tl.places - occ, 0)),
        external=external,
        waiting=external if wait else _band(np.zeros_like(ext)),
        new_external=new_ext.mean(axis=0),
        cost=_band(cost),
        total_cost=float(total.mean()),
        total_cost_band=(float(tq[0]), float(tq[1]), float(tq[2])),
        replications=reps,
        diagnostics={"steps_per_month": steps},
    )
