"""Case-processing deadlines: weeks per service type (the CaseDeadline table), counted so that a
deadline never falls on a weekend or a Danish public holidays (the ``holidays`` package)."""

import datetime
from functools import lru_cache

import holidays

DEFAULT_WEEKS = 12          # when the municipality has set no deadline for a service type
NEAR_WORKING_DAYS = 10      # "near its deadline": this many working days left or fewer


@lru_cache(maxsize=64)
def _danish_holidays(year: int) -> frozenset:
    return frozenset(holidays.country_holidays("DK", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _danish_holidays(day.year)


def next_working_day(day: datetime.date) -> datetime.date:
    """``day`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days in (start, end]; negative when ``end`` lies before ``start``."""
    if end < start:
        return -working_days_between(end, start)
    days, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        days += is_working_day(day)
    return days


def weeks_for(paragraph: str) -> int:
    from roret.visitation.models import CaseDeadline

    row = CaseDeadline.objects.filter(paragraph=paragraph).values_list("weeks", flat=True).first()
    return row or DEFAULT_WEEKS


def deadline_for(received_on: datetime.date, paragraph: str) -> datetime.date:
    """The deadline of an inquiry received on ``received_on``: the set number of weeks later,
    moved on to the next working day when it falls on a weekend or a public holiday."""
    return next_working_day(received_on + datetime.timedelta(weeks=weeks_for(paragraph)))


def status(deadline: datetime.date, today: datetime.date) -> tuple[str, int]:
    """("past" | "near" | "ok", working days left) for an open case."""
    left = working_days_between(today, deadline)
    if deadline < today:
        return "past", left
    return ("near" if left <= NEAR_WORKING_DAYS else "ok"), left
