"""The monthly rollup: its figures equal the exact path's for every month-aligned period and
breakdown, a change refreshes exactly the months it touches, stored figures of untouched periods
stay, and raw changes that bypass the services are caught by ``roret economy_check``."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roret.core.periods import Period
from roret.economy import engine, kpi, rollup
from roret.economy.models import CostSegment, MonthFigure, MonthVersion
from roret.economy.sql import GRAIN, PeriodTable
from roret.offers import services as offer_services
from roret.outcomes.services import renegotiate_tariff
from roret.placements.models import Placement
from roret.placements.services import end_placement
from tests.economy.period_tables import tables_built
from tests.factories import committed
from tests.slow_writes import slow_writes

day = datetime.date
MONTH_STARTS = [day(y, m, 1) for y in range(2022, 2028) for m in range(1, 13)]


# ---- the months of one placement, without a database -----------------------------------------

@st.composite
def placements(draw):
    start = draw(st.dates(day(2022, 1, 1), day(2026, 12, 31)))
    end = draw(st.one_of(st.none(), st.dates(start + datetime.timedelta(days=1), day(2027, 12, 31))))
    dates = draw(st.lists(st.dates(day(2021, 6, 1), day(2027, 6, 1)), min_size=1, max_size=4, unique=True))
    rows = [engine.TariffRow(valid_from, Decimal(draw(st.integers(0, 500_000))) / 100,
                             draw(st.sampled_from([engine.DAY, engine.MONTH, engine.HOUR])),
                             draw(st.sampled_from([None, Decimal("12.5"), Decimal("37")])))
            for valid_from in dates]
    return start, end, rows


def _segment_rows(start, end, rows, stop):
    keys = (1, "SEL108", None, 1, None, 1, "5.38.50", True, False)
    p_end = end.toordinal() if end else None
    return [(*keys, p.start.toordinal(), p.end.toordinal(), start.toordinal(), p_end, p.cum0, p.rate)
            for p in engine.pieces(start, end or stop, rows, Decimal("10"))]


@settings(max_examples=300, deadline=None)
@given(placements(), st.sampled_from(MONTH_STARTS), st.integers(1, 30))
def test_a_placements_months_add_up_to_the_engines_cost_for_any_month_aligned_period(placement, first, months):
    start, end, rows = placement
    horizon = day(2028, 1, 1)
    a = first
    b = day(first.year + (first.month - 1 + months) // 12, (first.month - 1 + months) % 12 + 1, 1)
    per_month = rollup.contributions(_segment_rows(start, end, rows, horizon))
    inside = [v for k, v in per_month.items() if rollup.month_of(a.toordinal()) <= k[0] < rollup.month_of(b.toordinal())]
    ore, days, new, ended = (sum(v[i] for v in inside) for i in range(4))
    running = sum(v[4] for k, v in per_month.items() if k[0] == rollup.month_of(a.toordinal()))
    stop = end or horizon
    assert ore == engine.cost_ore(start, stop, rows, a, b, Decimal("10"))
    assert days == max(0, (min(b, stop) - max(a, start)).days)
    assert new == int(a <= start < b)
    assert ended == int(end is not None and a < end <= b)
    assert running + new == int(start < b and stop > a)


# ---- the rollup in the database against the exact path -------------------------------------------

OWN = GRAIN.index("own")


def _normal(row):
    """A finest-grain row with own/external as a boolean and the figures as ints."""
    return (*row[:OWN], bool(row[OWN]), *row[OWN + 1:len(GRAIN)], *(int(v or 0) for v in row[len(GRAIN):]))


def _exact(period, where=None):
    with PeriodTable(period, where) as table:
        return sorted(_normal(r) for r in table.exact_fine())


def _rolled(period, where=None):
    return sorted(_normal(r) for r in rollup.period_rows(period, where, GRAIN))


CHANGES = st.lists(st.tuples(
    st.sampled_from(["place", "tariff", "agreed", "end"]),
    st.dates(day(2023, 1, 1), day(2026, 6, 1)),
    st.integers(100, 900_000),
    st.sampled_from(["residential", "day_offer", "external"]),
    st.integers(0, 30)), min_size=1, max_size=6)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(CHANGES, st.lists(st.tuples(st.sampled_from(MONTH_STARTS[12:48]), st.integers(1, 24)), min_size=3,
                         max_size=3))
def test_the_rollup_equals_the_exact_path_for_every_period_and_breakdown_after_changes(world, changes, asked):
    placed = list(world.__dict__.setdefault("_placed", []))
    for what, when, amount, offer_name, pick in changes:
        offer = getattr(world, offer_name)
        try:
            with committed():
                if what == "place" or not placed:
                    placed.append(world.place(world.citizen(), offer, start=when,
                                              over_occupancy_reason="Akut behov, plads aftalt med centret",
                                              **({"paying_municipality": "0101"} if pick % 5 == 0 else {})))
                elif what == "tariff":
                    offer_services.add_tariff(offer, valid_from=when, amount=Decimal(amount) / 100,
                                              unit="month" if pick % 2 else "day", actor=world.users["economist"],
                                              reason="Ny takst aftalt med leverandøren")
                elif what == "agreed":
                    external = [p for p in placed if p.offer_id == world.external.pk and p.start < when]
                    if external:
                        renegotiate_tariff(external[pick % len(external)], actor=world.users["caseworker"],
                                           new_amount=Decimal(amount) / 100, valid_from=when)
                else:
                    target = placed[pick % len(placed)]
                    target.refresh_from_db()
                    if target.end is None and target.start < when:
                        end_placement(target, when, "goal_achieved", actor=world.users["caseworker"])
        except ValidationError:
            pass   # a change the service refuses (a tariff date taken, a date before the last agreed one)
    world._placed = placed
    for first, months in asked:
        end = day(first.year + (first.month - 1 + months) // 12, (first.month - 1 + months) % 12 + 1, 1)
        period = Period(first, end)
        assert _rolled(period) == _exact(period)
        where = kpi.Q(centre_id=world.centre.pk)
        assert _rolled(period, where) == _exact(period, where)
    assert rollup.differences() == []
    assert rollup.differences(exact=True) == []


def test_the_demo_rollup_reconciles_with_the_exact_path_for_years_halves_quarters_and_months(db):
    from roret.demo.build import build_demo

    build_demo(11, 120, day(2025, 11, 23))
    for period in [Period(day(2024, 1, 1), day(2025, 1, 1)), Period(day(2025, 1, 1), day(2025, 7, 1)),
                   Period(day(2025, 7, 1), day(2025, 10, 1)), Period(day(2023, 2, 1), day(2023, 3, 1)),
                   Period(day(2021, 7, 1), day(2026, 1, 1))]:
        assert _rolled(period) == _exact(period)
        with kpi.Figures() as figures:
            from_rollup = figures.kpis(period, kpi.DEFAULT_DIMENSIONS).as_dict()
        assert from_rollup["cost_total"] > 0
    assert rollup.differences() == []
    assert rollup.differences(exact=True) == []


# ---- a change refreshes exactly the months it touches ----------------------------------------------

def _versions():
    return dict(MonthVersion.objects.exclude(month=rollup.COUNTER).values_list("month", "version"))


def _month(d):
    return d.year * 12 + d.month - 1


def test_a_tariff_change_refreshes_exactly_the_months_it_touches(world):
    placement = world.place(world.citizen(), world.external, start=day(2024, 1, 1), end=day(2025, 12, 1))
    world.place(world.citizen(), world.residential, start=day(2023, 5, 1))
    rows_before = {(f.month, f.offer_id, f.paragraph): (f.ore, f.days) for f in MonthFigure.objects.all()}
    versions = _versions()
    with committed():
        renegotiate_tariff(placement, actor=world.users["caseworker"], new_amount=Decimal("2900.00"),
                           valid_from=day(2025, 3, 1))
    after = _versions()
    touched = {m for m in after if after[m] != versions.get(m)}
    # March to November 2025: the months the new agreed tariff is in force; nothing before, nothing
    # after the placement's end, nothing of the other placement's months.
    assert touched == set(range(_month(day(2025, 3, 1)), _month(day(2025, 11, 1)) + 1))
    rows_after = {(f.month, f.offer_id, f.paragraph): (f.ore, f.days) for f in MonthFigure.objects.all()}
    changed = {key[0] for key in set(rows_before) | set(rows_after) if rows_before.get(key) != rows_after.get(key)}
    assert changed == touched
    for month in range(_month(day(2024, 1, 1)), _month(day(2026, 1, 1))):
        first = day(month // 12, month % 12 + 1, 1)
        nxt = day((month + 1) // 12, (month + 1) % 12 + 1, 1)
        assert _rolled(Period(first, nxt)) == _exact(Period(first, nxt))
    for period in [Period(day(2024, 1, 1), day(2025, 1, 1)), Period(day(2025, 1, 1), day(2026, 1, 1)),
                   Period(day(2024, 7, 1), day(2025, 7, 1))]:
        assert _rolled(period) == _exact(period)
        fresh = Placement.objects.get(pk=placement.pk)
        assert kpi.kroner(kpi.totals(period).cost_external) == engine.placement_cost(fresh, period.start, period.end)


def test_stored_figures_of_a_period_stay_until_a_change_touches_its_months(world):
    placement = world.place(world.citizen(), world.residential, start=day(2023, 1, 1))
    world.place(world.citizen(), world.external, start=day(2023, 6, 1))
    y2023, y2025 = Period(day(2023, 1, 1), day(2024, 1, 1)), Period(day(2025, 1, 1), day(2026, 1, 1))

    def ask():
        with CaptureQueriesContext(connection) as ctx, kpi.Figures() as figures:
            figures.kpis(y2023, ("paragraph",), duration_by=("paragraph",))
            result = figures.kpis(y2025, ("paragraph",), duration_by=("paragraph",)).as_dict()
        return tables_built(ctx), result

    built, _ = ask()
    assert built == [y2023, y2025]
    assert ask()[0] == []                         # asked again: all stored
    with committed():
        end_placement(placement, day(2025, 4, 1), "goal_achieved", actor=world.users["caseworker"])
    built, result = ask()
    assert built == [y2025]                       # 2023 untouched by an end in 2025
    assert result["ended_placements"] == 1 and result["citizens"] == 2
    assert result["cost_own"] == kpi.kroner(2250 * 90 * 100)


# ---- raw changes that bypass the services ---------------------------------------------------------

def test_a_raw_change_to_the_segments_is_reported_by_the_check_and_mended_by_the_refresh(world):
    world.place(world.citizen(), world.residential, start=day(2024, 1, 1), end=day(2024, 6, 1))
    CostSegment.objects.filter(start_day__lt=day(2024, 3, 1).toordinal()).update(rate=engine.Q * 100)
    with pytest.raises(CommandError, match=r"differs from the cost segments in \d+ month\(s\): 2024-01"):
        call_command("economy_check", stdout=io.StringIO(), verbosity=0)
    call_command("economy_refresh", stdout=io.StringIO(), verbosity=0)
    out = io.StringIO()
    call_command("economy_check", stdout=out, verbosity=0)
    assert "agrees with the cost segments" in out.getvalue()


def test_a_raw_change_to_a_tariff_is_reported_by_the_exact_check(world):
    from roret.offers.models import Tariff

    world.place(world.citizen(), world.day_offer, start=day(2024, 1, 1))
    Tariff.objects.filter(offer=world.day_offer).update(amount=Decimal("650.00"))   # bypasses the services
    call_command("economy_check", stdout=io.StringIO(), verbosity=0)                 # segments and rollup agree
    out = io.StringIO()
    with pytest.raises(CommandError, match="differs from the engine, placement by placement"):
        call_command("economy_check", "--exact", stdout=out, verbosity=0)
    assert "2024-01  ore" in out.getvalue()
    call_command("economy_refresh", stdout=io.StringIO(), verbosity=0)
    call_command("economy_check", "--exact", stdout=io.StringIO(), verbosity=0)


# ---- two re-costings at once ------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_recostings_of_the_same_months_at_once_both_count(world):
    """On PostgreSQL a trigger holds each rollup UPDATE, so both re-costings are inside the same
    months together: without the row lock each would write its own sum over the other's."""
    import threading

    from roret.economy.services import refresh_segments

    first, second = (world.place(world.citizen(), world.day_offer, start=day(2024, 1, 1)) for _ in range(2))
    Placement.objects.filter(pk__in=[first.pk, second.pk]).update(end=day(2024, 9, 1))   # both end early (raw)
    barrier, errors = threading.Barrier(2), []

    def recost(pk):
        try:
            barrier.wait(10)
            refresh_segments([pk])
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    with slow_writes("economy_monthfigure", "UPDATE", 0.3):
        threads = [threading.Thread(target=recost, args=(p.pk,)) for p in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == []
    assert rollup.differences() == []
    assert kpi.totals(Period(day(2024, 1, 1), day(2025, 1, 1))).days_own == 2 * 244


# ---- filters the rollup and the store cannot key on ------------------------------------------------

def test_a_filter_by_a_set_of_citizens_is_neither_summed_from_the_rollup_nor_stored(world):
    """The compliance page asks for the expensive citizens among a user's citizens, filtered by a
    subquery of them. The rollup holds no citizens, and a subquery has no stable text to key a
    stored figure on (its text shows only its first rows), so two users' scopes must never share
    one: each is computed from the segments."""
    from roret.citizens.models import Citizen
    from roret.economy.models import StoredFigure

    first, second = (world.place(world.citizen(), world.residential, start=day(2024, 1, 1),
                                 over_occupancy_reason="Akut behov, aftalt med centret") for _ in range(2))
    year = Period(day(2024, 1, 1), day(2025, 1, 1))
    one = kpi.Q(citizen_id__in=Citizen.objects.filter(pk=first.citizen_id).values("pk"))
    both = kpi.Q(citizen_id__in=Citizen.objects.filter(pk__in=[first.citizen_id, second.citizen_id]).values("pk"))
    stored = StoredFigure.objects.count()
    assert kpi.totals(year, one).cost_total == 366 * 2250 * 100
    assert kpi.totals(year, both).cost_total == 2 * 366 * 2250 * 100
    assert kpi.citizen_costs(year, where=one) == {first.citizen_id: 366 * 2250 * 100}
    assert set(kpi.citizen_costs(year, where=both)) == {first.citizen_id, second.citizen_id}
    assert StoredFigure.objects.count() == stored
    # A plain filter (a centre, as a centre leader's pages ask) is stored as before.
    kpi.totals(year, kpi.Q(centre_id=world.centre.pk))
    assert StoredFigure.objects.count() > stored
