"""The period type and the month helpers: [start, end), standard kinds, two month meanings."""

import calendar
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roret.core.periods import KINDS, Period, PeriodError, add_months_clamped, holds, month_start, period_of

day = datetime.date


def test_periods_are_validated_and_labelled():
    with pytest.raises(PeriodError, match="must end after it starts"):
        Period(day(2024, 2, 1), day(2024, 1, 1))
    with pytest.raises(PeriodError, match="must end after it starts"):
        Period(day(2024, 1, 1), day(2024, 1, 1))
    with pytest.raises(PeriodError, match="start and an end"):
        Period(day(2024, 1, 1), None)
    assert period_of("half", day(2024, 8, 3)) == Period(day(2024, 7, 1), day(2025, 1, 1))
    assert period_of("half", day(2024, 8, 3)).label == "2024 H2"
    assert period_of("quarter", day(2024, 11, 30)).label == "2024 Q4"
    assert period_of("month", day(2024, 2, 29)) == Period(day(2024, 2, 1), day(2024, 3, 1))
    assert period_of("year", day(2024, 2, 29)).label == "2024"
    assert Period(day(2024, 2, 1), day(2024, 5, 1)).label == "01.02.2024–30.04.2024"  # 3 months, not a quarter
    assert [p.label for p in Period(day(2024, 1, 1), day(2025, 1, 1)).previous(2)] == ["2022", "2023"]
    with pytest.raises(PeriodError, match="unknown period kind"):
        period_of("week", day(2024, 1, 1))


def test_a_period_knows_its_kind_only_when_it_is_a_standard_one():
    assert [period_of(k, day(2025, 8, 14)).kind for k in KINDS] == list(KINDS)
    assert Period(day(2025, 2, 1), day(2025, 8, 1)).kind is None      # six months, not a half-year
    assert Period(day(2025, 1, 1), day(2025, 1, 31)).kind is None     # a month short of a day


def test_the_period_before_and_the_year_before_keep_month_lengths():
    march = Period(day(2024, 3, 1), day(2024, 4, 1))
    assert march.previous(1) == [Period(day(2024, 2, 1), day(2024, 3, 1))]        # 29 days, by months
    assert march.year_earlier() == Period(day(2023, 3, 1), day(2023, 4, 1))
    h1 = period_of("half", day(2025, 3, 1))
    assert h1.year_earlier() == period_of("half", day(2024, 3, 1))
    custom = Period(day(2024, 3, 10), day(2024, 3, 20))
    assert custom.previous(1) == [Period(day(2024, 2, 29), day(2024, 3, 10))]     # by days
    assert custom.year_earlier() == Period(day(2023, 3, 11), day(2023, 3, 21))    # 365 days back over 29 Feb


def test_the_calendar_year_parts_of_a_period():
    p = Period(day(2023, 11, 1), day(2025, 2, 1))
    assert p.years() == [Period(day(2023, 11, 1), day(2024, 1, 1)), Period(day(2024, 1, 1), day(2025, 1, 1)),
                         Period(day(2025, 1, 1), day(2025, 2, 1))]


def test_add_months_clamped_keeps_the_day_and_clamps_to_the_months_end():
    assert add_months_clamped(day(2025, 1, 31), 1) == day(2025, 2, 28)
    assert add_months_clamped(day(2024, 1, 31), 1) == day(2024, 2, 29)       # leap year
    assert add_months_clamped(day(2024, 2, 29), 12) == day(2025, 2, 28)
    assert add_months_clamped(day(2024, 2, 29), 48) == day(2028, 2, 29)
    assert add_months_clamped(day(2024, 2, 29), 1) == day(2024, 3, 29)
    assert add_months_clamped(day(2025, 3, 31), -1) == day(2025, 2, 28)     # negative
    assert add_months_clamped(day(2025, 1, 15), -1) == day(2024, 12, 15)    # back over a year boundary
    assert add_months_clamped(day(2024, 11, 30), 3) == day(2025, 2, 28)     # forward over a year boundary
    assert add_months_clamped(day(2024, 12, 31), 0) == day(2024, 12, 31)
    assert add_months_clamped(day(2025, 5, 31), -27) == day(2023, 2, 28)


def test_month_start_is_the_first_of_the_month_n_months_on():
    assert month_start(day(2025, 1, 31), 1) == day(2025, 2, 1)
    assert month_start(day(2024, 2, 29), 0) == day(2024, 2, 1)
    assert month_start(day(2024, 2, 29), 12) == day(2025, 2, 1)
    assert month_start(day(2025, 1, 15), -1) == day(2024, 12, 1)            # negative, over a year boundary
    assert month_start(day(2024, 12, 31), 1) == day(2025, 1, 1)
    assert month_start(day(2025, 3, 1), -15) == day(2023, 12, 1)
    assert month_start(day(2025, 3, 1), 22) == day(2027, 1, 1)


@given(st.dates(min_value=day(1900, 1, 1), max_value=day(2200, 12, 31)), st.integers(-600, 600))
def test_the_month_helpers_agree_on_the_month_and_invert(start, n):
    clamped, first = add_months_clamped(start, n), month_start(start, n)
    assert (clamped.year, clamped.month) == (first.year, first.month)
    assert clamped.day == min(start.day, calendar.monthrange(first.year, first.month)[1])
    assert month_start(first, -n) == month_start(start)
    if start.day <= 28:
        assert add_months_clamped(clamped, -n) == start


def test_holds_is_the_half_open_rule():
    assert holds(day(2025, 1, 1), day(2025, 1, 1), day(2025, 1, 2))
    assert not holds(day(2025, 1, 2), day(2025, 1, 1), day(2025, 1, 2))
    assert holds(day(2099, 1, 1), day(2025, 1, 1), None)
