"""The demo municipality's economy: cost segments for every placement, the self-sufficiency
target (43 % in 2019 rising to 51 % in 2024 and on) and budgets per account function near each
year's cost (the previous year's cost, indexed, give or take a few per cent)."""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from roret.core import periods
from roret.demo.catalogue import PRICE_INDEX
from roret.economy import kpi
from roret.economy.models import Budget, SelfSufficiencyTarget
from roret.economy.services import refresh_segments

TARGETS = [(2019, "43.00"), (2020, "44.60"), (2021, "46.20"), (2022, "47.80"), (2023, "49.40"), (2024, "51.00")]


def build_economy(builder) -> None:
    """Called at the end of DemoBuilder.build(), inside its transaction."""
    today = builder.today
    refresh_segments(today=today, progress=lambda done, total: builder.progress("Økonomi", done, total))
    years = range(TARGETS[0][0], today.year + 6)
    SelfSufficiencyTarget.objects.bulk_create([
        SelfSufficiencyTarget(year=y, target=Decimal(dict(TARGETS).get(y, TARGETS[-1][1] if y > 2024 else "43.00")))
        for y in years])
    rng = random.Random(builder.seed + 176)
    budgets = []
    for year in range(today.year - 2, today.year + 1):
        last = periods.Period(datetime.date(year - 1, 1, 1), datetime.date(year, 1, 1))
        for row in kpi.breakdown(last, "account_function"):
            if not row.cost_total:
                continue
            amount = kpi.kroner(row.cost_total) * Decimal(str(1 + PRICE_INDEX + rng.uniform(-0.04, 0.03)))
            budgets.append(Budget(year=year, account_function=row.key,
                                  amount=amount.quantize(Decimal("1000"), rounding=ROUND_HALF_UP),
                                  note="Demo-budget (fiktivt)"))
    Budget.objects.bulk_create(budgets)
