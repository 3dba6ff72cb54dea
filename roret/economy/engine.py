"""The cost engine: what one placement cost (or will cost) between two days, exactly to the øre.

A placement's cost is built from its dated tariffs (the offer's standard :class:`Tariff` rows,
overridden from their first date by the placement's agreed :class:`PlacementTariff` rows):

.. math::

    c(d) = \\begin{cases}
      a                         & \\text{per day or per module}\\\\
      a / m(d)                  & \\text{per month, } m(d) = \\text{days in the month of } d\\\\
      a \\cdot h / 7            & \\text{per hour, } h = \\text{hours a week}
    \\end{cases}

    C(D) = \\sum_{d = \\text{start}}^{D - 1} c(d), \\qquad
    \\operatorname{cost}[A, B) = R(C(B')) - R(C(A'))

with :math:`A' = \\max(A, \\text{start})`, :math:`B' = \\min(B, \\text{end})` and :math:`R` rounding
half up to whole øre. *Cumulative rounding* makes the cost exactly additive over any split of a
period (the sum telescopes), never negative (``C`` never decreases) and makes a whole month at a
month tariff exactly the tariff.

``C`` is kept exact in integers of 1/:data:`Q` øre: ``Q`` is the least common multiple of the
month lengths 28–31, the 7 days of a week and the 100 hundredths of an hour, so every daily
rate above is a whole number of units. Between tariff changes (and, for month tariffs, month
starts) ``C`` is linear: one :class:`Piece` ``(start, end, cum0, rate)`` per stretch. The same
pieces are stored as :class:`~roret.economy.models.CostSegment` rows, which the KPI layer sums
in SQL with the same formula.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol, TypeVar

Q = 1_887_900  # lcm(28, 29, 30, 31, 7, 100): units of exact cost per øre
HALF = Q // 2
HOUR_FACTOR = Q // 700  # one øre an hour, h hundredths of an hour a week -> a day: h * Q / 700

DAY, MONTH, HOUR, MODULE = "day", "month", "hour", "module"


@dataclass(frozen=True, order=True)
class TariffRow:
    """A tariff in force from ``valid_from`` until the next row."""

    valid_from: datetime.date
    amount: Decimal
    unit: str
    hours_per_week: Decimal | None = None


@dataclass(frozen=True)
class Piece:
    """A stretch [start, end) on which the exact cumulative cost grows linearly."""

    start: datetime.date
    end: datetime.date
    cum0: int  # exact cumulative cost at ``start``, 1/Q øre, counted from the placement's start
    rate: int  # exact cost a day, 1/Q øre

    def at(self, day: datetime.date) -> int:
        return self.cum0 + self.rate * (day - self.start).days


@dataclass
class Flags:
    """Data problems met while costing (counted, shown on the economy pages)."""

    missing_hours: bool = False
    missing_tariff: bool = False


def round_ore(units: int) -> int:
    """R: exact units of 1/Q øre to whole øre, half up (units are never negative)."""
    return (units + HALF) // Q


def ore(amount: Decimal) -> int:
    """Kroner with at most two decimals to whole øre, refusing anything finer."""
    value = amount * 100
    if value != value.to_integral_value():
        raise ValueError(f"{amount} kr. has more than two decimals")
    return int(value)


def to_kroner(ore_amount: int) -> Decimal:
    return (Decimal(ore_amount) / 100).quantize(Decimal("0.01"))


def schedule(standard: Iterable[TariffRow], agreed: Iterable[TariffRow] = ()) -> list[TariffRow]:
    """The tariffs that apply to a placement: its agreed rows replace the standard ones from the
    first agreed date on."""
    agreed = sorted(agreed)
    standard = sorted(standard)
    if not agreed:
        return standard
    first = agreed[0].valid_from
    return [row for row in standard if row.valid_from < first] + agreed


# ---- the tariff in force on a day, and what it costs over some days ----------------------------

class Dated(Protocol):
    valid_from: datetime.date


D = TypeVar("D", bound=Dated)


def in_force(rows: Iterable[D], day: datetime.date) -> D | None:
    """The row of a dated schedule in force on ``day``: the one with the latest ``valid_from``
    on or before it (None before the first). Any rows with a ``valid_from``: TariffRow, and the
    offers' Tariff rows (whose manager leaves corrected rows out, so one row per date)."""
    found = None
    for row in rows:
        if row.valid_from <= day and (found is None or row.valid_from > found.valid_from):
            found = row
    return found


def tariff_on(day: datetime.date, standard: Iterable[TariffRow], agreed: Iterable[TariffRow] = ()) -> TariffRow | None:
    """The tariff in force for a placement on ``day``: the latest row on or before ``day`` of its
    :func:`schedule` (the agreed rows replace the standard ones from the first agreed date).

    Equivalently: the latest agreed row on or before ``day`` if there is one, else the latest
    standard row on or before ``day``. That is the form the SQL read models use
    (``roret.placements.queries.with_current_tariff``; without agreed rows,
    ``roret.offers.queries.catalogue``), and tests hold them to this function."""
    return in_force(schedule(standard, agreed), day)


YEAR_DAYS = 365                              # a common year: a tariff's yearly amount
MEAN_YEAR_DAYS = Decimal("365.25")           # the mean calendar year: a place-month is a twelfth of it
PLACE_MONTH_DAYS = MEAN_YEAR_DAYS / 12       # 30.4375 days


def tariff_cost(row, days, *, hours: Decimal | None = None, year_days=YEAR_DAYS) -> Decimal | None:
    """What ``days`` days at tariff ``row`` cost, in kroner (exact, not rounded), as the engine
    costs a day (:func:`daily_rate`):

    .. math::

        \\text{cost}(n) = \\begin{cases}
          a\\,n                      & \\text{per day or per module}\\\\
          12\\,a\\,n / Y             & \\text{per month}\\\\
          a\\,h\\,n / 7              & \\text{per hour, } h = \\text{hours a week}
        \\end{cases}

    A month tariff costs :math:`a / m(d)` on day :math:`d`; the month lengths of a year of
    :math:`Y` days add up to :math:`Y`, so a whole year costs :math:`12a` whichever its length,
    and a day :math:`12a/Y` on average. ``year_days`` is that :math:`Y`: a common year (365) for
    a yearly amount, the mean calendar year (365.25) for a place-month. ``hours`` are the
    grant's weekly hours, used when the row has none of its own (as the engine does); an hourly
    tariff without either gives None (the engine counts it 0 and flags it).

    ``row`` is anything with ``amount``, ``unit`` and optionally ``hours_per_week``: a
    :class:`TariffRow`, an offer's Tariff, a placement's agreed tariff.
    """
    amount, days = Decimal(row.amount), Decimal(days)
    if row.unit in (DAY, MODULE):
        return amount * days
    if row.unit == MONTH:
        return amount * 12 * days / Decimal(year_days)
    if row.unit == HOUR:
        own = getattr(row, "hours_per_week", None)
        weekly = own if own is not None else hours
        return None if weekly is None else amount * Decimal(weekly) * days / 7
    raise ValueError(f"unknown tariff unit {row.unit!r}")


def yearly_cost(row, hours: Decimal | None = None) -> Decimal | None:
    """A tariff's cost over a year of 365 days, in kroner rounded half up to the øre (a month
    tariff: 12 months). What a renegotiation saves a year."""
    cost = tariff_cost(row, YEAR_DAYS, hours=hours)
    return None if cost is None else cost.quantize(Decimal("0.01"), ROUND_HALF_UP)


def place_month_cost(row, hours: Decimal | None = None) -> Decimal | None:
    """A tariff's cost for one place-month, a twelfth of the mean calendar year (365.25/12 =
    30.4375 days; a month tariff: exactly its amount), in kroner, not rounded. What the capacity
    plan weighs own and bought places by."""
    return tariff_cost(row, PLACE_MONTH_DAYS, hours=hours, year_days=MEAN_YEAR_DAYS)


def _month_end(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _days_in_month(day: datetime.date) -> int:
    return (_month_end(day) - day.replace(day=1)).days


def daily_rate(row: TariffRow | None, day: datetime.date, grant_hours: Decimal | None, flags: Flags) -> int:
    """The exact cost of ``day`` under ``row`` in 1/Q øre."""
    if row is None:
        flags.missing_tariff = True
        return 0
    amount = ore(row.amount)
    if row.unit in (DAY, MODULE):
        return amount * Q
    if row.unit == MONTH:
        return amount * (Q // _days_in_month(day))
    if row.unit == HOUR:
        hours = row.hours_per_week if row.hours_per_week is not None else grant_hours
        if hours is None:
            flags.missing_hours = True
            return 0
        hundredths = hours * 100
        if hundredths != hundredths.to_integral_value():
            raise ValueError(f"{hours} hours a week has more than two decimals")
        return amount * int(hundredths) * HOUR_FACTOR
    raise ValueError(f"unknown tariff unit {row.unit!r}")


def pieces(start: datetime.date, stop: datetime.date, rows: Sequence[TariffRow],
           grant_hours: Decimal | None = None, flags: Flags | None = None) -> list[Piece]:
    """The linear pieces of a placement's cumulative cost from its ``start`` up to ``stop``.

    ``rows`` is the placement's :func:`schedule`; ``stop`` is the placement's end, or a horizon
    for an open placement.
    """
    flags = flags if flags is not None else Flags()
    rows = sorted(rows)
    out: list[Piece] = []
    # The row in force at ``start`` (None before the first row) and the ones that follow.
    i = -1
    while i + 1 < len(rows) and rows[i + 1].valid_from <= start:
        i += 1
    cur, cum = start, 0
    while cur < stop:
        row = rows[i] if i >= 0 else None
        nxt = rows[i + 1].valid_from if i + 1 < len(rows) else stop
        if row is not None and row.unit == MONTH:
            nxt = min(nxt, _month_end(cur))
        nxt = min(nxt, stop)
        rate = daily_rate(row, cur, grant_hours, flags)
        if out and out[-1].rate == rate and out[-1].end == cur:
            last = out[-1]
            out[-1] = Piece(last.start, nxt, last.cum0, rate)
        else:
            out.append(Piece(cur, nxt, cum, rate))
        cum += rate * (nxt - cur).days
        cur = nxt
        if i + 1 < len(rows) and rows[i + 1].valid_from <= cur:
            i += 1
    return out


def cumulative(pieces_: Sequence[Piece], day: datetime.date) -> int:
    """C(day): the exact cumulative cost from the placement's start up to (not including) ``day``."""
    if not pieces_ or day <= pieces_[0].start:
        return 0
    for piece in pieces_:
        if day <= piece.end:
            return piece.at(day)
    last = pieces_[-1]
    return last.at(last.end)


def cost_ore(start: datetime.date, end: datetime.date | None, rows: Sequence[TariffRow],
             period_start: datetime.date, period_end: datetime.date, grant_hours: Decimal | None = None) -> int:
    """The cost in whole øre of a placement [start, end) over the period [period_start, period_end)."""
    if period_end < period_start:
        raise ValueError(f"the period ends ({period_end}) before it starts ({period_start})")
    a = max(period_start, start)
    b = min(period_end, end) if end is not None else period_end
    if b <= a:
        return 0
    ps = pieces(start, b, rows, grant_hours)
    return round_ore(cumulative(ps, b)) - round_ore(cumulative(ps, a))


# ---- the Django side: one placement from the database ------------------------------------


def placement_rows(placement) -> tuple[list[TariffRow], Decimal | None]:
    """The placement's tariff schedule and its grant's weekly hours (three small queries)."""
    standard = [TariffRow(t.valid_from, t.amount, t.unit)
                for t in placement.offer.tariffs.all()]
    agreed = [TariffRow(t.valid_from, t.amount, t.unit, t.hours_per_week)
              for t in placement.tariffs.all()]
    return schedule(standard, agreed), placement.grant.hours_per_week


def placement_cost(placement, start: datetime.date, end: datetime.date) -> Decimal:
    """What ``placement`` cost / will cost on the days [start, end), in kroner (Decimal, øre exact).

    The single-placement answer the KPI layer agrees with to the øre.
    """
    rows, hours = placement_rows(placement)
    return to_kroner(cost_ore(placement.start, placement.end, rows, start, end, hours))
