"""The demo municipality's staff figures and balance targets: ten years of monthly HR figures per
centre (sickness absence about 5-7 % with a winter peak, yearly turnover about 15 %, a few vacant
positions) and the targets the balance page measures against. Deterministic per seed."""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from roret.balance.models import BalanceTarget, StaffMonth
from roret.core import periods
from roret.core.models import Centre

YEARS = 10
TWO = Decimal("0.01")


def _d(value: float) -> Decimal:
    return Decimal(str(value)).quantize(TWO, ROUND_HALF_UP)


def _norm(centre: Centre) -> float:
    """A centre's staffing norm in FTEs: about 1.1 per place in its own offers (at least 12)."""
    from roret.offers.models import PlaceChange

    places = PlaceChange.objects.filter(offer__provider__centre=centre).aggregate(n=Sum("change"))["n"] or 0
    return max(12.0, 1.1 * places)


def staff_months(seed: int, centre: Centre, norm: float, today: datetime.date) -> list[StaffMonth]:
    rng = random.Random(f"{seed}:staff:{centre.name}")
    last = periods.month_start(today, -1)
    first = periods.month_start(last, -(12 * YEARS - 1))
    base_sickness = rng.uniform(0.050, 0.066)
    employed = norm * rng.uniform(0.93, 0.99)
    months, month = [], first
    while month <= last:
        budgeted = norm * (1 + 0.01 * ((month.year - first.year) // 3))          # the norm grows a little
        winter = 0.012 if month.month in (1, 2, 12) else (-0.008 if month.month in (7, 8) else 0.0)
        sickness_rate = min(0.11, max(0.03, rng.gauss(base_sickness + winter, 0.006)))
        working = employed * rng.uniform(19.5, 21.5) * (0.6 if month.month == 7 else 1.0)   # July: holidays
        leavers = sum(1 for _ in range(int(employed)) if rng.random() < 0.15 / 12)
        hired = sum(1 for _ in range(max(0, round(budgeted - employed + leavers))) if rng.random() < 0.55)
        employed = max(norm * 0.75, min(budgeted, employed - leavers + hired))
        vacancies = max(0, round(budgeted - employed))
        months.append(StaffMonth(centre=centre, month=month, fte_employed=_d(employed), fte_budgeted=_d(budgeted),
                                 sickness_days=_d(working * sickness_rate), working_days=_d(working),
                                 leavers=leavers, vacancies=vacancies))
        month = periods.month_start(month, 1)
    return months


def build_balance(seed: int, today: datetime.date) -> dict:
    """Staff figures for every centre and the balance targets; returns the counts made."""
    centres = list(Centre.objects.order_by("name"))
    months = []
    for centre in centres:
        months.extend(staff_months(seed, centre, _norm(centre), today))
    StaffMonth.objects.bulk_create(months, batch_size=2000)
    start = datetime.date(today.year - YEARS, 1, 1)
    recent = datetime.date(today.year - 2, 1, 1)
    targets = [
        BalanceTarget(kind="sickness", value=Decimal("6.50"), valid_from=start, note="Demo-mål (fiktivt)"),
        BalanceTarget(kind="sickness", value=Decimal("5.50"), valid_from=recent, note="Demo-mål (fiktivt)"),
        BalanceTarget(kind="who5_low", value=Decimal("40.00"), valid_from=start, note="Demo-mål (fiktivt)"),
        BalanceTarget(kind="who5_low", value=Decimal("35.00"), valid_from=recent, note="Demo-mål (fiktivt)"),
        BalanceTarget(kind="who5_measured", value=Decimal("80.00"), valid_from=start, note="Demo-mål (fiktivt)"),
        BalanceTarget(kind="follow_ups", value=Decimal("90.00"), valid_from=start, note="Demo-mål (fiktivt)"),
        BalanceTarget(kind="occupancy", value=Decimal("95.00"), valid_from=start, note="Demo-mål (fiktivt)"),
    ]
    if centres:
        targets.append(BalanceTarget(kind="sickness", centre=centres[0], value=Decimal("6.00"), valid_from=recent,
                                     note="Demo-mål for centret (fiktivt)"))
    BalanceTarget.objects.bulk_create(targets)
    return {"months": len(months), "targets": len(targets)}
