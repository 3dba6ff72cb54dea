"""Periods: every period in roret is the days [start, end), with ``end`` None for open-ended.

One "in force on a day" rule and one "overlaps a period" rule, as query filters for any model
with a start and an optional end (grants, placements) and as plain functions for rows in memory.
"""

from __future__ import annotations

import datetime

from django.db.models import Q


def in_force_on(day: datetime.date, *, start: str = "start", end: str = "end") -> Q:
    """Rows whose [start, end) holds ``day``: started on or before it and not yet ended."""
    return Q(**{f"{start}__lte": day}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": day}))


def overlapping(first: datetime.date, last: datetime.date | None, *, start: str = "start", end: str = "end") -> Q:
    """Rows whose [start, end) shares at least one day with [first, last) (``last`` None: open)."""
    q = Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": first})
    return q if last is None else q & Q(**{f"{start}__lt": last})


def holds(day: datetime.date, start: datetime.date, end: datetime.date | None) -> bool:
    """Whether [start, end) holds ``day`` (the in-memory twin of :func:`in_force_on`)."""
    return start <= day and (end is None or end > day)
