"""Budget against forecast, per chart-of-accounts function and year.

.. math::

    \\text{forecast} = \\underbrace{C[1/1, T)}_{\\text{incurred}}
      + \\underbrace{C_{\\text{active on } T}[T, 1/1^{+})}_{\\text{active to year end}}
      + (\\lambda\\,\\bar c_{\\text{new}} - \\mu\\,\\bar c_{\\text{end}})\\,\\frac{R(R+1)}{2}

``T`` is today (within the year), ``R`` the days left in the year; λ and μ are the new and
ended placements a day over the last 365 days, and c̄ their average cost a place-day in that
window. Each new placement starting on remaining day k costs (R − k) days, hence R(R+1)/2;
an ending saves the same. All components are GROUP BY queries over the cost segments.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from roret.core.periods import Period
from roret.economy.engine import to_kroner
from roret.economy.models import Budget
from roret.economy.segments import OWN_CITIZENS, as_bigint, days_expr, ore_expr, segments_in
from roret.offers.models import AccountFunction

WINDOW_DAYS = 365


@dataclass
class ForecastRow:
    account_function: str
    label: str
    budget: Decimal | None
    incurred: Decimal
    active_to_year_end: Decimal
    expected_new: Decimal
    expected_ended: Decimal

    @property
    def forecast(self) -> Decimal:
        return self.incurred + self.active_to_year_end + self.expected_new - self.expected_ended

    @property
    def deviation(self) -> Decimal | None:
        """Forecast minus budget: positive is an expected over-spend."""
        return None if self.budget is None else self.forecast - self.budget

    @property
    def deviation_pct(self) -> Decimal | None:
        if not self.budget:
            return None
        return (self.deviation * 100 / self.budget).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _by_function(qs, expr) -> dict[str, int]:
    return {v["account_function"]: int(v["x"] or 0)
            for v in qs.values("account_function").order_by("account_function").annotate(x=Sum(expr))}


def forecast(year: int, today: datetime.date | None = None, where: Q | None = None) -> list[ForecastRow]:
    """Budget, incurred cost and forecast per account function for ``year`` as seen on ``today``."""
    today = today or datetime.date.today()
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    t = min(max(today, start), end)
    remaining = (end - t).days
    incurred = _by_function(segments_in(Period(start, t), where).filter(OWN_CITIZENS), ore_expr(Period(start, t))) \
        if t > start else {}
    active, new_cost, end_cost = {}, {}, {}
    if remaining:
        rest = Period(t, end)
        to = t.toordinal()
        active_q = Q(placement_start__lte=to) & (Q(placement_end__isnull=True) | Q(placement_end__gt=to))
        active = _by_function(segments_in(rest, where).filter(OWN_CITIZENS).filter(active_q), ore_expr(rest))
        window = Period(t - datetime.timedelta(days=WINDOW_DAYS), t)
        w0, w1 = window.start.toordinal(), window.end.toordinal()
        base = segments_in(window, where).filter(OWN_CITIZENS)
        factor = Decimal(remaining * (remaining + 1)) / 2 / WINDOW_DAYS
        for target, flt in ((new_cost, Q(placement_start__gte=w0, placement_start__lt=w1)),
                            (end_cost, Q(placement_end__gt=w0, placement_end__lte=w1))):
            rows = (base.filter(flt).values("account_function").order_by("account_function")
                    .annotate(n=Count("placement_id", distinct=True), ore=Sum(ore_expr(window)),
                              days=Sum(as_bigint(days_expr(window)))))
            for v in rows:
                if v["days"]:
                    # λ c̄ R(R+1)/2 with λ = n / 365 and c̄ = øre / days.
                    amount = Decimal(v["n"]) * Decimal(int(v["ore"])) / Decimal(v["days"]) * factor
                    target[v["account_function"]] = int(amount.to_integral_value(ROUND_HALF_UP))
    budgets = {b.account_function: b.amount for b in Budget.objects.filter(year=year)}
    functions = sorted(set(incurred) | set(active) | set(new_cost) | set(end_cost) | set(budgets))
    return [ForecastRow(f, str(AccountFunction(f).label) if f in AccountFunction.values else f, budgets.get(f),
                        to_kroner(incurred.get(f, 0)), to_kroner(active.get(f, 0)), to_kroner(new_cost.get(f, 0)),
                        to_kroner(end_cost.get(f, 0)))
            for f in functions]
