"""Reconciliation: the demo municipality's yearly cost, placement by placement with the single-
placement function, equals the KPI summed in the database, to the øre."""

import datetime

from django.db.models import Sum

from roret.core import periods
from roret.demo.build import build_demo
from roret.economy import kpi, segments
from roret.economy.engine import placement_cost
from roret.placements.models import Placement

TODAY = datetime.date(2025, 11, 23)


def test_demo_yearly_cost_per_placement_reconciles_with_the_kpi_to_the_ore(db):
    build_demo(11, 150, TODAY)
    year = periods.Period(datetime.date(2024, 1, 1), datetime.date(2025, 1, 1))
    per_placement_sql = dict(
        segments.segments_in(year).values("placement_id").order_by("placement_id")
        .annotate(ore=Sum(segments.ore_expr(year))).values_list("placement_id", "ore"))
    placements = (Placement.objects.select_related("offer", "grant").prefetch_related("offer__tariffs", "tariffs")
                  .overlapping(year.start, year.end))
    own = sold = 0
    checked = 0
    for placement in placements:
        cost = placement_cost(placement, year.start, year.end)
        assert kpi.kroner(per_placement_sql.get(placement.pk, 0)) == cost, placement
        if placement.is_sold:
            sold += cost
        else:
            own += cost
        checked += 1
    assert checked > 100
    total = kpi.kpis(year).total
    assert kpi.kroner(total.cost_total) == own
    assert kpi.kroner(total.income_sold) == sold
    assert total.cost_total > 0 and total.income_sold > 0
