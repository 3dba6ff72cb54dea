"""KPIs summed in the database agree with the single-placement engine, to the øre."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roret.core import periods
from roret.economy import expensive, kpi, segments
from roret.economy.duration import durations, km_median
from roret.economy.engine import placement_cost
from roret.economy.models import CostSegment, PendingRecost, ReimbursementLevel
from roret.economy.services import refresh_segments
from roret.offers import services as offer_services
from roret.outcomes.services import renegotiate_tariff
from roret.placements.models import PlacementTariff
from roret.placements.services import end_placement
from tests.factories import committed

day = datetime.date
YEAR_2024 = periods.Period(day(2024, 1, 1), day(2025, 1, 1))


def test_a_new_placement_gets_cost_segments_and_the_kpi_matches_the_engine(world):
    citizen = world.citizen()
    placement = world.place(citizen, world.residential, start=day(2024, 3, 15))
    assert CostSegment.objects.filter(placement=placement).exists()
    total = kpi.totals(YEAR_2024)
    # 2,250 kr./day, 15 March – 31 December 2024 = 292 days.
    assert kpi.kroner(total.cost_total) == placement_cost(placement, YEAR_2024.start, YEAR_2024.end) \
        == Decimal("657000.00")
    assert (total.place_days, total.citizens, total.placements, total.new_placements) == (292, 1, 1, 1)
    assert total.self_sufficiency_days == Decimal("100.00")


def test_segments_follow_tariff_changes_agreed_tariffs_and_ends(world):
    citizen = world.citizen()
    placement = world.place(citizen, world.external, start=day(2024, 1, 1))
    with committed():
        offer_services.add_tariff(world.external, valid_from=day(2024, 7, 1), amount=Decimal("3200.00"), unit="day",
                                  actor=world.users["economist"], reason="Ny takst aftalt med leverandøren")
    assert kpi.kroner(kpi.totals(YEAR_2024).cost_external) == Decimal(182 * 3100 + 184 * 3200)
    with committed():
        renegotiate_tariff(placement, actor=world.users["caseworker"], new_amount=Decimal("3000.00"),
                           valid_from=day(2024, 10, 1))
    assert kpi.kroner(kpi.totals(YEAR_2024).cost_total) == Decimal(182 * 3100 + 92 * 3200 + 92 * 3000)
    with committed():
        end_placement(placement, day(2024, 11, 1), "goal_achieved", actor=world.users["caseworker"])
    total = kpi.totals(YEAR_2024)
    assert kpi.kroner(total.cost_total) == Decimal(182 * 3100 + 92 * 3200 + 31 * 3000)
    assert total.ended_placements == 1


def test_a_change_is_recosted_once_after_the_commit_and_not_before(world):
    placement = world.place(world.citizen(), world.external, start=day(2024, 1, 1))
    with committed():
        offer_services.add_tariff(world.external, valid_from=day(2024, 7, 1), amount=Decimal("3200.00"), unit="day",
                                  actor=world.users["economist"], reason="Ny takst aftalt med leverandøren")
        # Inside the transaction the segments are those of before; the placement is marked.
        assert kpi.kroner(kpi.totals(YEAR_2024).cost_external) == Decimal(366 * 3100)
        assert list(PendingRecost.objects.values_list("placement_id", flat=True)) == [placement.pk]
    assert not PendingRecost.objects.exists()
    assert kpi.kroner(kpi.totals(YEAR_2024).cost_external) == Decimal(182 * 3100 + 184 * 3200)


def test_changing_an_offers_account_function_moves_its_cost(world):
    world.place(world.citizen(), world.day_offer, start=day(2024, 1, 1))
    world.day_offer.account_function = "5.38.59"
    with committed():
        offer_services.save_offer(world.day_offer, actor=world.users["economist"], reason="Rettet kontering")
    rows = {r.key: r.cost_total for r in kpi.breakdown(YEAR_2024, "account_function")}
    assert rows == {"5.38.59": 366 * 600 * 100}


def test_sold_places_are_income_not_own_citizens_cost(world):
    world.place(world.citizen(), world.residential, start=day(2024, 1, 1), paying_municipality="0101")
    world.place(world.citizen(), world.day_offer, start=day(2024, 1, 1))
    total = kpi.totals(YEAR_2024)
    assert kpi.kroner(total.income_sold) == Decimal(366 * 2250)
    assert kpi.kroner(total.cost_total) == Decimal(366 * 600)
    assert total.citizens == 1 and total.days_sold == 366


def test_breakdowns_sum_to_the_total(world):
    for offer, start in [(world.residential, day(2023, 5, 1)), (world.day_offer, day(2024, 2, 10)),
                         (world.external, day(2024, 8, 20))]:
        world.place(world.citizen(), offer, start=start)
    world.place(world.citizen(), world.day_offer, start=day(2024, 3, 1), paying_municipality="0101")
    result = kpi.kpis(YEAR_2024, tuple(kpi.DIMENSIONS))
    for dim, rows in result.breakdowns.items():
        column = kpi.DIMENSIONS[dim]
        for r in rows:  # distinct own citizens per row, counted independently
            expected = (segments.segments_in(YEAR_2024).filter(sold=False, **{column: r.key})
                        .values("citizen_id").distinct().count())
            assert r.citizens == expected, (dim, r.key)
        for field in ("cost_own", "cost_external", "income_sold", "days_own", "days_external", "placements",
                      "new_placements", "ended_placements", "reimbursement"):
            assert sum(getattr(r, field) for r in rows) == getattr(result.total, field), (dim, field)


def test_expensive_cases_and_reimbursement(world):
    expensive = world.offer("Dyrt specialtilbud", "SEL108", places=0, tariff="6000.00", provider=world.external_provider)
    world.place(world.citizen(), expensive, start=day(2024, 1, 1))          # 366 x 6,000 = 2,196,000
    world.place(world.citizen(), world.external, start=day(2024, 1, 1))     # 366 x 3,100 = 1,134,600
    total = kpi.kpis(YEAR_2024, ()).total
    assert total.expensive_cases == 1
    # 2022 levels: 25 % of 860,000–1,680,000, 50 % of 1,680,000–2,120,000, 75 % above 2,120,000.
    big = Decimal("0.25") * 820_000 + Decimal("0.5") * 440_000 + Decimal("0.75") * (2_196_000 - 2_120_000)
    small = Decimal("0.25") * (1_134_600 - 860_000)
    assert kpi.kroner(total.reimbursement) == big + small
    assert kpi.kpis(YEAR_2024, (), threshold=Decimal("1000000")).total.expensive_cases == 2


def test_reimbursement_levels_are_data_and_a_year_uses_the_newest_levels_up_to_it(db):
    ReimbursementLevel.objects.create(year=2025, threshold=Decimal("900000"), rate=Decimal("0.25"))
    assert expensive.levels_for(2024)[0] == (86_000_000, Decimal("0.250"))
    assert expensive.levels_for(2026) == [(90_000_000, Decimal("0.25"))]
    assert expensive.reimbursement_ore(250_000_000, expensive.levels_for(2023)) == 71_000_000


def test_kaplan_meier_median_by_hand():
    # Lengths 10 and 20 ended; one censored at 214; one entered at 365 and ended at 425.
    entries = {0: 3, 365: 1}
    exits = {(10, True): 1, (20, True): 1, (214, False): 1, (425, True): 1}
    assert km_median(entries, exits) == 20
    assert km_median({0: 2}, {(5, False): 2}) is None


def test_duration_figures_from_the_database(world):
    a = world.place(world.citizen(), world.day_offer, start=day(2024, 1, 1))
    end_placement(a, day(2024, 1, 11), "goal_achieved", actor=world.users["caseworker"])
    b = world.place(world.citizen(), world.day_offer, start=day(2024, 2, 1))
    end_placement(b, day(2024, 2, 21), "goal_achieved", actor=world.users["caseworker"])
    world.place(world.citizen(), world.day_offer, start=day(2024, 6, 1))
    d = durations(YEAR_2024)[None]
    assert (d.completed, d.completed_mean_days, d.ongoing, d.ongoing_mean_days) == (2, 15.0, 1, 214.0)
    assert d.km_median_days == 20


def test_the_kpi_command_prints_json_and_refuses_a_bad_period(world):
    world.place(world.citizen(), world.residential, start=day(2024, 1, 1))
    out = io.StringIO()
    call_command("kpi", "--from", "2024-01-01", "--to", "2025-01-01", "--json", stdout=out)
    data = json.loads(out.getvalue())
    for field in ("cost_total", "cost_own", "cost_external", "income_sold", "place_days", "citizens", "placements",
                  "self_sufficiency_days", "self_sufficiency_cost", "expensive_cases", "reimbursement"):
        assert field in data
        for dim in ("paragraph", "own_external", "account_function", "centre"):
            assert all(field in row for row in data["breakdowns"][dim])
    assert data["cost_total"] == "823500.00"             # 366 x 2,250 kr., exact decimal text, never a float
    assert Decimal(data["cost_total"]) == Decimal(data["cost_own"]) + Decimal(data["cost_external"])
    assert data["self_sufficiency_days"] == "100.00" and data["place_days"] == 366
    with pytest.raises(CommandError, match="must end after it starts"):
        call_command("kpi", "--from", "2025-01-01", "--to", "2024-01-01")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("kpi", "--from", "2024-13-01", "--to", "2025-01-01")


# ---- properties in the database --------------------------------------------------------------

@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stays=st.lists(st.tuples(st.sampled_from(["residential", "day_offer", "external"]),
                                st.integers(0, 700), st.one_of(st.none(), st.integers(1, 500)),
                                st.booleans(), st.sampled_from(["day", "month", "hour", "module"]),
                                st.decimals(min_value=0, max_value=9000, places=2)),
                      min_size=1, max_size=5),
       cut=st.integers(1, 365))
def test_random_placements_breakdowns_add_up_and_splitting_adds_up(world, stays, cut):
    with transaction.atomic():
        for offer_key, offset, length, sold, unit, amount in stays:
            offer = getattr(world, offer_key)
            start = day(2023, 6, 1) + datetime.timedelta(days=offset)
            end = start + datetime.timedelta(days=length) if length else None
            citizen = world.citizen()
            placement = world.place(citizen, offer, start=start, end=end,
                                    over_occupancy_reason="test", paying_municipality="0101" if sold else None)
            PlacementTariff.objects.create(placement=placement, valid_from=start + datetime.timedelta(days=offset % 90),
                                           amount=amount, unit=unit, hours_per_week=Decimal("4.50"))
            refresh_segments([placement.pk])  # an agreed row written here, outside the services
        total = kpi.totals(YEAR_2024)
        for dim in kpi.DIMENSIONS:
            rows = kpi.breakdown(YEAR_2024, dim)
            assert sum(r.cost_total for r in rows) == total.cost_total
            assert sum(r.income_sold for r in rows) == total.income_sold
            assert sum(r.place_days for r in rows) == total.place_days
        mid = YEAR_2024.start + datetime.timedelta(days=cut)
        left, right = kpi.totals(periods.Period(YEAR_2024.start, mid)), kpi.totals(periods.Period(mid, YEAR_2024.end))
        assert left.cost_total + right.cost_total == total.cost_total
        assert left.income_sold + right.income_sold == total.income_sold
        assert min(left.cost_total, right.cost_total, left.income_sold) >= 0
        transaction.set_rollback(True)


def test_the_benchmark_code_path_agrees_on_a_small_world(world):
    """A smoke test of benchmarks/economy_kpi.py's three methods (the timing itself is `make bench`)."""
    pytest.importorskip("pandas")
    from roret.economy.bench import benchmark

    for offer, start in [(world.residential, day(2023, 5, 1)), (world.day_offer, day(2024, 2, 10)),
                         (world.external, day(2024, 8, 20))]:
        world.place(world.citizen(), offer, start=start)
    world.place(world.citizen(), world.residential, start=day(2024, 3, 1), paying_municipality="0101")
    result = benchmark(YEAR_2024, {"engine": 1, "pandas": 1, "loop": 1})
    assert result["agree_with_engine"] == {"engine": True, "pandas": True, "loop": True}, result["differences"]
    assert result["figures"]["cost_total_ore"] > 0


def _km_median_by_loop(entries: dict[int, int], exits: dict[tuple[int, bool], int]) -> int | None:
    """The Kaplan-Meier median with delayed entry written out as a plain loop over the event
    times (the estimator the economy used before it shared the capacity engine's): the oracle."""
    survival = 1.0
    for t in sorted({t for (t, ended), n in exits.items() if ended and n}):
        at_risk = sum(n for e, n in entries.items() if e < t) - sum(n for (x, _e), n in exits.items() if x < t)
        if at_risk <= 0:
            continue
        survival *= 1 - exits.get((t, True), 0) / at_risk
        if survival <= 0.5:
            return t
    return None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 120), st.booleans()), min_size=1, max_size=40))
def test_the_shared_kaplan_meier_gives_the_plain_loops_median(stays):
    entries, exits = {}, {}
    for entry, extra, ended in stays:
        entries[entry] = entries.get(entry, 0) + 1
        key = (entry + extra, ended)
        exits[key] = exits.get(key, 0) + 1
    assert km_median(entries, exits) == _km_median_by_loop(entries, exits)


def test_marks_left_by_a_process_that_died_are_picked_up_by_the_next_recosting(world):
    from roret.economy import rollup
    from roret.placements.models import Placement

    placement = world.place(world.citizen(), world.residential, start=day(2024, 1, 1))
    # A change committed (the placement ended on 1 July), then the process died before its
    # after-commit re-costing ran: the segments and the rollup still cost the whole year.
    Placement.objects.filter(pk=placement.pk).update(end=day(2024, 7, 1))
    PendingRecost.objects.create(placement_id=placement.pk)
    assert kpi.kroner(kpi.totals(YEAR_2024).cost_total) == Decimal(366 * 2250)
    other = world.place(world.citizen(), world.day_offer, start=day(2024, 1, 1))   # the next re-costing
    assert not PendingRecost.objects.exists()
    assert kpi.kroner(kpi.totals(YEAR_2024).cost_total) == Decimal(182 * 2250 + 366 * 600)
    assert CostSegment.objects.filter(placement=other).exists()
    assert rollup.differences() == []
