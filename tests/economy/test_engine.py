"""The cost engine against hand-computed examples and its invariants (hypothesis)."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roret.economy import engine
from roret.economy.engine import TariffRow, cost_ore, pieces, schedule

D = Decimal
day = datetime.date


def test_day_tariff_across_a_tariff_change_and_a_year_end():
    # 2,000 kr./day from 2023; 2,150.50 kr./day from 5 January 2024. Stay 20 Dec 2023 – 10 Jan 2024.
    rows = [TariffRow(day(2023, 1, 1), D("2000.00"), "day"), TariffRow(day(2024, 1, 5), D("2150.50"), "day")]
    start, end = day(2023, 12, 20), day(2024, 1, 11)
    # 12 days of December at 2,000 = 24,000; 4 days of January at 2,000 = 8,000; 6 days at 2,150.50 = 12,903.
    assert cost_ore(start, end, rows, day(2023, 1, 1), day(2024, 1, 1)) == 24_000_00
    assert cost_ore(start, end, rows, day(2024, 1, 1), day(2025, 1, 1)) == 20_903_00
    assert cost_ore(start, end, rows, day(2000, 1, 1), day(2030, 1, 1)) == 44_903_00


def test_month_tariff_over_a_leap_february():
    rows = [TariffRow(day(2020, 1, 1), D("30000.00"), "month")]
    # A whole leap February is exactly the month tariff.
    assert cost_ore(day(2024, 2, 1), None, rows, day(2024, 2, 1), day(2024, 3, 1)) == 30_000_00
    # 10 Feb – 15 Mar 2024: 20/29 of February = 20,689.655… -> 20,689.66 (rounded cumulatively);
    # C(16 Mar) = 20,689.655… + 15/31 x 30,000 = 35,205.784… -> 35,205.78, so March is 14,516.12.
    start, end = day(2024, 2, 10), day(2024, 3, 16)
    feb = cost_ore(start, end, rows, day(2024, 2, 1), day(2024, 3, 1))
    mar = cost_ore(start, end, rows, day(2024, 3, 1), day(2024, 4, 1))
    assert (feb, mar) == (20_689_66, 14_516_12)
    assert feb + mar == cost_ore(start, end, rows, day(2024, 1, 1), day(2025, 1, 1)) == 35_205_78


def test_hourly_tariff_with_a_weekly_scope():
    # 425 kr./hour, 5.5 hours a week: four weeks = 425 x 5.5 x 4 = 9,350.00; ten days = 3,339.2857… -> 3,339.29.
    rows = [TariffRow(day(2020, 1, 1), D("425.00"), "hour", D("5.50"))]
    assert cost_ore(day(2024, 3, 4), day(2024, 4, 1), rows, day(2024, 1, 1), day(2025, 1, 1)) == 9_350_00
    assert cost_ore(day(2024, 3, 4), None, rows, day(2024, 3, 4), day(2024, 3, 14)) == 3_339_29


def test_hourly_tariff_takes_the_grants_hours_when_the_row_has_none():
    rows = [TariffRow(day(2020, 1, 1), D("400.00"), "hour")]
    assert cost_ore(day(2024, 1, 1), None, rows, day(2024, 1, 1), day(2024, 1, 8), D("3")) == 1_200_00
    flags = engine.Flags()
    pieces(day(2024, 1, 1), day(2024, 2, 1), rows, None, flags)
    assert flags.missing_hours


def test_agreed_tariffs_replace_the_standard_ones_from_their_first_date():
    standard = [TariffRow(day(2020, 1, 1), D("1000"), "day"), TariffRow(day(2024, 6, 1), D("1100"), "day")]
    agreed = [TariffRow(day(2024, 3, 1), D("1500"), "day")]
    rows = schedule(standard, agreed)
    assert [r.amount for r in rows] == [D("1000"), D("1500")]
    assert cost_ore(day(2024, 2, 28), None, rows, day(2024, 2, 28), day(2024, 3, 2)) == (2 * 1000 + 1500) * 100


def test_the_tariff_on_a_day_follows_the_schedule():
    standard = [TariffRow(day(2020, 1, 1), D("1000"), "day"), TariffRow(day(2024, 6, 1), D("1100"), "day")]
    agreed = [TariffRow(day(2024, 3, 1), D("1500"), "day"), TariffRow(day(2025, 1, 1), D("1400"), "day")]
    assert engine.tariff_on(day(2019, 12, 31), standard) is None
    assert engine.tariff_on(day(2024, 5, 31), standard).amount == D("1000")
    assert engine.tariff_on(day(2024, 6, 1), standard).amount == D("1100")
    # Agreed rows replace the standard ones from the first agreed date, a later standard row included.
    assert engine.tariff_on(day(2024, 2, 29), standard, agreed).amount == D("1000")
    assert engine.tariff_on(day(2024, 3, 1), standard, agreed).amount == D("1500")
    assert engine.tariff_on(day(2024, 7, 1), standard, agreed).amount == D("1500")
    assert engine.tariff_on(day(2025, 1, 1), standard, agreed).amount == D("1400")
    assert engine.in_force(reversed(standard), day(2030, 1, 1)) == standard[1]   # order does not matter


def test_a_tariff_converts_to_a_yearly_amount_and_a_place_month():
    assert engine.yearly_cost(TariffRow(day(2025, 1, 1), D("100"), "day")) == D("36500.00")
    assert engine.yearly_cost(TariffRow(day(2025, 1, 1), D("100"), "module")) == D("36500.00")
    assert engine.yearly_cost(TariffRow(day(2025, 1, 1), D("1000"), "month")) == D("12000.00")
    assert engine.yearly_cost(TariffRow(day(2025, 1, 1), D("400"), "hour"), D("5")) == D("104285.71")  # 400·5·365/7
    assert engine.yearly_cost(TariffRow(day(2025, 1, 1), D("400"), "hour", D("2")), D("5")) == D("41714.29")
    assert engine.yearly_cost(TariffRow(day(2025, 1, 1), D("400"), "hour")) is None
    assert engine.place_month_cost(TariffRow(day(2025, 1, 1), D("100"), "day")) == D("3043.75")    # 365.25/12 days
    assert engine.place_month_cost(TariffRow(day(2025, 1, 1), D("9000"), "month")) == D("9000")
    assert engine.place_month_cost(TariffRow(day(2025, 1, 1), D("500"), "hour"), D("3")) == D("1500") * D("30.4375") / 7
    assert engine.place_month_cost(TariffRow(day(2025, 1, 1), D("500"), "hour")) is None
    with pytest.raises(ValueError, match="unknown tariff unit"):
        engine.tariff_cost(TariffRow(day(2025, 1, 1), D("1"), "week"), 7)


def test_days_before_any_tariff_cost_nothing_and_are_flagged():
    flags = engine.Flags()
    ps = pieces(day(2019, 12, 30), day(2020, 1, 3), [TariffRow(day(2020, 1, 1), D("10"), "day")], None, flags)
    assert flags.missing_tariff and ps[0].rate == 0 and ps[-1].end == day(2020, 1, 3)


def test_a_period_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends"):
        cost_ore(day(2024, 1, 1), None, [], day(2024, 2, 1), day(2024, 1, 1))


# ---- properties ---------------------------------------------------------------------------

BASE = day(2022, 1, 1)
offsets = st.integers(min_value=0, max_value=1200)
amounts = st.decimals(min_value=0, max_value=50_000, places=2, allow_nan=False, allow_infinity=False)
units = st.sampled_from(["day", "month", "hour", "module"])
hours = st.decimals(min_value=0, max_value=40, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def placements(draw):
    n = draw(st.integers(min_value=1, max_value=5))
    dates = sorted(set(draw(st.lists(offsets, min_size=n, max_size=n))))
    rows = [TariffRow(BASE + datetime.timedelta(days=o), draw(amounts), draw(units), draw(hours)) for o in dates]
    start = BASE + datetime.timedelta(days=draw(offsets))
    length = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=900)))
    end = None if length is None else start + datetime.timedelta(days=length)
    return start, end, rows


@settings(max_examples=200, deadline=None)
@given(placements(), offsets, offsets, offsets)
def test_splitting_a_period_adds_up_and_cost_is_never_negative(p, x, y, z):
    start, end, rows = p
    a, m, b = (BASE + datetime.timedelta(days=o) for o in sorted((x, y, z)))
    whole = cost_ore(start, end, rows, a, b)
    left, right = cost_ore(start, end, rows, a, m), cost_ore(start, end, rows, m, b)
    assert left >= 0 and right >= 0
    assert left + right == whole


@settings(max_examples=100, deadline=None)
@given(placements())
def test_pieces_cover_the_stay_without_gaps_and_match_the_exact_sum(p):
    start, end, rows = p
    stop = end or start + datetime.timedelta(days=400)
    ps = pieces(start, stop, rows)
    assert ps[0].start == start and ps[-1].end == stop
    assert all(a.end == b.start and b.cum0 == a.at(a.end) for a, b in zip(ps, ps[1:], strict=False))
    # The exact cumulative total equals the day-by-day sum of exact daily rates.
    flags = engine.Flags()
    by_day = 0
    d = start
    sched = sorted(rows)
    while d < stop:
        row = max((r for r in sched if r.valid_from <= d), default=None)
        by_day += engine.daily_rate(row, d, None, flags)
        d += datetime.timedelta(days=1)
    assert engine.cumulative(ps, stop) == by_day


@settings(max_examples=150, deadline=None)
@given(amounts, units, hours, st.integers(min_value=2020, max_value=2030))
def test_the_conversion_costs_a_calendar_year_as_the_engine_does(amount, unit, weekly, year):
    row = TariffRow(day(2000, 1, 1), amount, unit)
    first, last = day(year, 1, 1), day(year + 1, 1, 1)
    length = (last - first).days
    by_engine = cost_ore(first, None, [row], first, last, weekly)
    converted = engine.tariff_cost(row, length, hours=weekly, year_days=length)
    assert by_engine == engine.ore(converted.quantize(D("0.01"), "ROUND_HALF_UP"))
    if length == engine.YEAR_DAYS:
        assert by_engine == engine.ore(engine.yearly_cost(row, weekly))
