"""A plan's table: its rows with the current estimate per kind and year, and the totals per year
(investments, effects and the net, investments + effects), in the plan's unit.

The current estimate of a row, kind and year is its highest revision. Amounts are Decimal
kroner divided by the unit exactly, so a "1000 kr" plan shows -1600 for -1,600,000.00 kr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from roret.plans.models import Estimate, EstimateKind, Plan, PlanRow

ZERO = Decimal(0)


@dataclass
class TableRow:
    row: PlanRow
    track: str | None
    label: str
    level: str
    #: kind -> one value a year (None: no estimate that year), in the plan's unit
    values: dict[str, list[Decimal | None]] = field(default_factory=dict)

    @property
    def investment(self) -> list[Decimal | None]:
        return self.values[EstimateKind.INVESTMENT]

    @property
    def has_investment(self) -> bool:
        return any(v is not None for v in self.investment)

    @property
    def effect(self) -> list[Decimal | None]:
        return self.values[EstimateKind.EFFECT]

    def as_dict(self) -> dict:
        return {"track": self.track, "initiative": self.label, "level": self.level,
                "investment": self.investment, "effect": self.effect}


@dataclass
class PlanTable:
    plan: Plan
    years: list[int]
    rows: list[TableRow]
    investment_totals: list[Decimal]
    effect_totals: list[Decimal]
    totals: list[Decimal]

    @property
    def unit(self) -> str:
        return self.plan.unit

    def as_dict(self) -> dict:
        return {"id": self.plan.pk, "title": self.plan.title, "unit": self.plan.unit,
                "status": self.plan.status, "years": self.years,
                "rows": [r.as_dict() for r in self.rows],
                "investment_totals": self.investment_totals, "effect_totals": self.effect_totals,
                "totals": self.totals}


def current_estimates(plan: Plan) -> dict[tuple[int, str, int], Estimate]:
    """(row id, kind, year) -> the highest revision."""
    current: dict[tuple[int, str, int], Estimate] = {}
    for estimate in (Estimate.objects.filter(row__plan=plan).select_related("entered_by")
                     .order_by("row_id", "kind", "year", "revision")):
        current[(estimate.row_id, estimate.kind, estimate.year)] = estimate
    return current


def in_unit(kroner: Decimal, plan: Plan) -> Decimal:
    """Kroner in the plan's unit, exactly, without trailing zeros (-1600, -0.5, 12.25)."""
    value = kroner / plan.factor
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def plan_table(plan: Plan) -> PlanTable:
    years = plan.years
    current = current_estimates(plan)
    rows = []
    sums = {kind: [ZERO] * len(years) for kind in EstimateKind.values}
    for row in plan.rows.select_related("track", "initiative").order_by("position", "pk"):
        table_row = TableRow(row=row, track=row.track.number if row.track_id else None, label=row.label,
                             level=row.level)
        for kind in EstimateKind.values:
            values: list[Decimal | None] = []
            for i, year in enumerate(years):
                estimate = current.get((row.pk, kind, year))
                if estimate is None:
                    values.append(None)
                    continue
                values.append(in_unit(estimate.amount, plan))
                sums[kind][i] += estimate.amount
            table_row.values[kind] = values
        rows.append(table_row)
    investments = sums[EstimateKind.INVESTMENT]
    effects = sums[EstimateKind.EFFECT]
    return PlanTable(
        plan=plan, years=years, rows=rows,
        investment_totals=[in_unit(v, plan) for v in investments],
        effect_totals=[in_unit(v, plan) for v in effects],
        totals=[in_unit(i + e, plan) for i, e in zip(investments, effects, strict=True)],
    )
