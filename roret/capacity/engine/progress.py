"""Progress reports from the plan's month loop, through a plain callable (no Django here).

The plan computes month by month (all replications of a simulation advance together), so a
month is the natural unit of progress: ``progress(done, total)`` is told the months finished
and the months to do. Reporting reads no random numbers and changes no state, so a result is
bit-identical for a seed however often progress is reported (tests/capacity/test_progress.py).
"""

from __future__ import annotations

from collections.abc import Callable

from ._checks import places_array

__all__ = ["ProgressCallback", "month_reporter"]

ProgressCallback = Callable[[int, int], None]


def month_reporter(progress: ProgressCallback | None, total: int, every: int = 1):
    """``tick(done)`` that calls ``progress(done, total)`` every ``every`` months and at the end,
    never with fewer months than before (the exact chain may start again with a larger state
    space); a no-op without ``progress``."""
    every = int(places_array(every, "progress_every"))
    if progress is None:
        return lambda done: None
    if not callable(progress):
        raise TypeError(f"progress must be callable, got {type(progress).__name__}")
    best = [0]

    def tick(done: int) -> None:
        if done > best[0] and (done % every == 0 or done == total):
            best[0] = done
            progress(done, total)

    return tick
