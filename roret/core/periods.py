"""Periods: every period in roret is the days [start, end), with ``end`` None for open-ended.

One period type (:class:`Period`, a closed range of whole days with an exclusive end), the
standard periods that contain a day (:func:`period_of`), two month helpers with distinct
meanings (:func:`add_months_clamped` for "the same day n months later", :func:`month_start` for
"the first of the month n months on"), one "in force on a day" rule and one "overlaps a period"
rule, as query filters for any model with a start and an optional end (grants, placements) and
as plain functions for rows in memory.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Q

# ---- months -----------------------------------------------------------------------------------


def _month_index(day: datetime.date, months: int) -> tuple[int, int]:
    """(year, month) ``months`` calendar months after ``day``'s month (negative: before)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return year, month0 + 1


def add_months_clamped(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month ``months`` months later (earlier when negative), clamped to the
    last day of a shorter month: 31 January + 1 month is 28 (or 29) February, 29 February + 12
    months is 28 February. Used for due dates (a follow-up a year after the grant started)."""
    year, month = _month_index(day, months)
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_start(day: datetime.date, months: int = 0) -> datetime.date:
    """The first day of the month ``months`` months after ``day``'s month (``months`` 0: the
    first of ``day``'s own month). Used for month-aligned periods and month-by-month plans."""
    year, month = _month_index(day, months)
    return datetime.date(year, month, 1)


# ---- the period type ----------------------------------------------------------------------------


class PeriodError(ValueError):
    """A period that is not a valid [start, end) date range."""


@dataclass(frozen=True)
class Period:
    """The days [start, end)."""

    start: datetime.date
    end: datetime.date

    def __post_init__(self):
        if not isinstance(self.start, datetime.date) or not isinstance(self.end, datetime.date):
            raise PeriodError("a period needs a start and an end date")
        if self.end <= self.start:
            raise PeriodError(f"the period must end after it starts (from {self.start} to {self.end})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def months(self) -> int | None:
        """Whole months when the period runs from a first of the month to a first of the month."""
        if self.start.day != 1 or self.end.day != 1:
            return None
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month

    @property
    def kind(self) -> str | None:
        """"month", "quarter", "half" or "year" when the period is one of the standard ones
        :func:`period_of` gives, else None (a custom period)."""
        m = self.months
        for kind, length in KINDS.items():
            if m == length and (self.start.month - 1) % length == 0:
                return kind
        return None

    @property
    def label(self) -> str:
        kind = self.kind
        if kind == "year":
            return str(self.start.year)
        if kind == "half":
            return f"{self.start.year} H{1 if self.start.month == 1 else 2}"
        if kind == "quarter":
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        if kind == "month":
            return f"{self.start:%Y-%m}"
        return f"{self.start:%d.%m.%Y}–{self.end - datetime.timedelta(days=1):%d.%m.%Y}"

    def years(self) -> list[Period]:
        """The calendar-year parts of the period."""
        out, cur = [], self.start
        while cur < self.end:
            nxt = min(self.end, datetime.date(cur.year + 1, 1, 1))
            out.append(Period(cur, nxt))
            cur = nxt
        return out

    def previous(self, n: int = 1) -> list[Period]:
        """The ``n`` periods of the same length before this one (month-aligned ones by months),
        oldest first."""
        out, cur = [], self
        for _ in range(n):
            m = cur.months
            start = month_start(cur.start, -m) if m else cur.start - datetime.timedelta(days=cur.days)
            cur = Period(start, cur.start)
            out.append(cur)
        return list(reversed(out))

    def year_earlier(self) -> Period:
        """The same period a year before (month-aligned ones by twelve months, others by 365 days)."""
        if self.months:
            return Period(month_start(self.start, -12), month_start(self.end, -12))
        shift = datetime.timedelta(days=365)
        return Period(self.start - shift, self.end - shift)


#: The standard period kinds and their length in months.
KINDS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def period_of(kind: str, day: datetime.date) -> Period:
    """The month, quarter, half-year or year that contains ``day``."""
    if kind not in KINDS:
        raise PeriodError(f"unknown period kind {kind!r} (month, quarter, half, year)")
    m = KINDS[kind]
    first = datetime.date(day.year, (day.month - 1) // m * m + 1, 1)
    return Period(first, month_start(first, m))


# ---- in force on a day, overlapping a period -----------------------------------------------------


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
