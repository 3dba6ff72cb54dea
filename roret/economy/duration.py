"""Duration KPIs: length of stay of completed and ongoing placements, and a Kaplan–Meier median.

Ongoing stays are right-censored at the period's end, and stays that began before the period
enter the risk set late (left truncation), so the survival-based median neither ignores the long
ongoing stays (as the plain average of completed stays does) nor over-weights them (as the
average of everyone observed would):

.. math::

    \\hat S(t) = \\prod_{t_i \\le t} \\left(1 - \\frac{d_i}{n_i}\\right), \\qquad
    n_i = \\#\\{e < t_i \\le x\\}

with ``e = max(0, A − start)`` the length already reached when the period opens, ``x`` the
length at exit (end, or the period's end when censored) and ``d_i`` the stays ending at length
``t_i`` (Kaplan & Meier 1958; Klein & Moeschberger, *Survival Analysis*, §4.6 for the
delayed-entry risk set). The median is the first ``t`` with ``Ŝ(t) ≤ 0.5``.

The database counts stays by entry length and by exit length (GROUP BY), so the estimator runs
over distinct lengths, never over placement rows. The estimator is the one the capacity plan
uses for its stay distribution (:func:`roret.capacity.engine.stays.kaplan_meier`), given the
counts as weights and the entry lengths for the delayed entry.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from roret.capacity.engine.stays import kaplan_meier
from roret.core.periods import Period
from roret.economy.segments import DIMENSIONS
from roret.economy.sql import PeriodTable


@dataclass
class Duration:
    completed: int = 0                 # stays that ended in the period
    completed_mean_days: float | None = None
    ongoing: int = 0                   # stays still running at the period's end
    ongoing_mean_days: float | None = None   # their length so far
    km_median_days: int | None = None  # Kaplan–Meier median length of stay (None: not yet reached)

    def as_dict(self) -> dict:
        return {"completed": self.completed, "completed_mean_days": self.completed_mean_days,
                "ongoing": self.ongoing, "ongoing_mean_days": self.ongoing_mean_days,
                "km_median_days": self.km_median_days}


def km_median(entries: dict[int, int], exits: dict[tuple[int, bool], int]) -> int | None:
    """The Kaplan–Meier median from counts by entry length and by (exit length, ended)."""
    import numpy as np

    entry = np.fromiter(entries, dtype=np.int64, count=len(entries))
    entry_n = np.fromiter(entries.values(), dtype=np.int64, count=len(entries))
    x = np.asarray([(t, ended, n) for (t, ended), n in exits.items()], dtype=np.int64).reshape(-1, 3)
    return median_stay(entry, entry_n, x[:, 0], x[:, 1].astype(bool), x[:, 2])


def median_stay(entry, entry_n, exit_, ended, exit_n) -> int | None:
    """The Kaplan–Meier median length of stay (days) from NumPy arrays of counts: ``entry_n``
    stays entered at length ``entry``, ``exit_n`` left at length ``exit_`` (``ended`` or still
    ongoing). The one estimator, :func:`roret.capacity.engine.stays.kaplan_meier`, with delayed
    entry and the counts as weights; None when no stay ended or the median is not reached."""
    if not exit_n[ended].sum():
        return None
    estimate = kaplan_meier(exit_, ended, weights=exit_n, entry=entry, entry_weights=entry_n)
    median = estimate.median_observed()
    return None if median is None else int(median)


def _from_counts(entries_rows, exit_rows, dimension: str | None) -> dict:
    """Durations per key from the database's counts (rows grouped by key; any order)."""
    import numpy as np

    def split(rows, width):
        by_key: dict = defaultdict(list)
        for row in rows:
            by_key[_key(dimension, row[0])].append(row[1:])
        return {k: np.asarray(v, dtype=np.int64).reshape(-1, width) for k, v in by_key.items()}

    entries, exits = split(entries_rows, 2), split(exit_rows, 3)
    out: dict = {}
    for key, x in exits.items():
        length, ended, n = x[:, 0], x[:, 1].astype(bool), x[:, 2]
        completed, ongoing = int(n[ended].sum()), int(n[~ended].sum())
        if not completed and not ongoing:
            continue
        e = entries.get(key, np.zeros((0, 2), dtype=np.int64))
        out[key] = Duration(
            completed=completed, ongoing=ongoing,
            completed_mean_days=round(int((length * n)[ended].sum()) / completed, 1) if completed else None,
            ongoing_mean_days=round(int((length * n)[~ended].sum()) / ongoing, 1) if ongoing else None,
            km_median_days=median_stay(e[:, 0], e[:, 1], length, ended, n))
    return out


def _key(dimension, key):
    return bool(key) if dimension == "own_external" and key is not None else key


def durations(period: Period, dimension: str | None = None, where: Q | None = None, *,
              table: PeriodTable | None = None) -> dict:
    """{key: Duration} for own citizens' placements active in the period (key None without a dimension)."""
    if table is None:
        with PeriodTable(period, where) as own_table:
            return durations(period, dimension, where, table=own_table)
    return table.remember(("durations", dimension), lambda: _from_counts(
        *table.duration_counts(DIMENSIONS[dimension] if dimension else None), dimension))


def durations_with_total(table: PeriodTable, dimensions: tuple[str, ...]) -> dict:
    """{None: {None: total}, dim: {key: Duration}}: the total rolled up from the first
    dimension's counts (counts add up over keys), so it costs no extra pass."""
    def compute():
        out = {}
        for i, dim in enumerate(dimensions):
            counts = table.duration_counts(DIMENSIONS[dim])
            out[dim] = _from_counts(*counts, dim)
            if i == 0:
                entries, exits = counts
                out[None] = _from_counts([(None, *r[1:]) for r in entries], [(None, *r[1:]) for r in exits], None)
        if not dimensions:
            out[None] = _from_counts(*table.duration_counts(None), None)
        return out
    # Stored as computed (the estimator over thousands of distinct lengths is the costly part).
    return table.remember(("durations_with_total", dimensions), compute)
