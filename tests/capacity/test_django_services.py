"""Building the capacity engine's PlanInput from the case record (a small World, known numbers)."""

import datetime
from decimal import Decimal

import numpy as np
import pytest

from roret.capacity import engine, runs
from roret.capacity.groups import BY_KEY, parse_group
from roret.capacity.services import build_inputs, grant_share, group_statuses, size_group
from roret.citizens.cpr import birth_date
from roret.placements.services import start_placement
from roret.visitation import services as visitation

D = datetime.date
DAY = D(2026, 1, 1)
MONTH = Decimal("365.25") / 12


def young_cpr(birth: D) -> str:
    """A CPR number whose century digit makes ``birth`` a 21st-century birth date."""
    for serial in range(4000, 5000):
        number = f"{birth:%d%m%y}{serial}"
        if birth_date(number) == birth:
            yield number


@pytest.fixture
def sel108(world):
    """World's own §108 (2 places, 2250 kr./day) plus an external §108 offer (3000 kr./day) and:
    A: own place 2020-01 to 2022-01 (a completed stay), B: own place from 2022-03, C: own
    citizen in the external offer from 2023-06 at an agreed 3300 kr./day, D: another
    municipality's citizen in an own place from 2024-01 (a sold place), E: an adult waiting
    since 2025-06, F: born 2009-03-10, granted a §108 place, turns 18 in March 2027."""
    w = world
    w.external108 = w.offer("Eksternt længerevarende", "SEL108", places=0, tariff="3000.00",
                            provider=w.external_provider)
    a = w.grant(w.citizen(first_name="A", birth=D(1950, 1, 1)), w.residential, start=D(2020, 1, 1), end=D(2022, 1, 1))
    start_placement(a, w.residential, D(2020, 1, 1), end=D(2022, 1, 1), actor=w.users["caseworker"])
    w.place(w.citizen(first_name="B", birth=D(1970, 1, 1)), w.residential, start=D(2022, 3, 1))
    w.place(w.citizen(first_name="C"), w.external108, start=D(2023, 6, 1), agreed_amount=Decimal("3300.00"),
            agreed_unit="day")
    w.place(w.citizen(first_name="D", birth=D(1960, 1, 1)), w.residential, start=D(2024, 1, 1),
            paying_municipality="0101")
    w.grant(w.citizen(first_name="E"), w.residential, start=D(2025, 6, 1))
    w.grant(w.citizen(first_name="F", birth=D(2009, 3, 10), cpr=next(young_cpr(D(2009, 3, 10)))),
            w.residential, start=D(2025, 12, 1))
    return w


def test_status_counts_places_sold_places_the_waiting_list_and_bought_places(sel108):
    status = group_statuses([BY_KEY["sel108"]], DAY)[0]
    assert (status.places, status.occupied, status.sold, status.vacancy) == (2, 2, 1, 0)
    assert status.waiting == 2  # E and F
    assert status.external_now == 1  # C
    assert status.centre_ids == {sel108.centre.pk}


def test_status_read_from_the_committee_catalogue_is_the_status_read_alone(sel108):
    """The committee's pages take the groups' offers from the catalogue they read for the
    suppression pattern: every figure, and the offers and their order, as from the own query."""
    from roret.capacity.groups import GROUPS
    from roret.offers.queries import committee_catalogue

    alone = group_statuses(GROUPS, DAY)
    shared = group_statuses(GROUPS, DAY, offers=committee_catalogue(DAY).rows)
    figures = ("places", "occupied", "sold", "vacancy", "strategic_vacancy", "free_for_placement", "waiting",
               "external_now", "centre_ids")
    assert [[getattr(s, f) for f in figures] for s in shared] == [[getattr(s, f) for f in figures] for s in alone]
    assert [[o.pk for o in s.offers] for s in shared] == [[o.pk for o in s.offers] for s in alone]
    assert any(s.offers for s in alone)


def test_plan_inputs_come_from_places_stays_starts_tariffs_and_the_pipeline(sel108):
    inputs = build_inputs(BY_KEY["sel108"], DAY)
    assert inputs.places.tolist() == [2] * 60
    # Stays: A completed (24 months), B, C, D ongoing and censored today.
    assert (inputs.stays_completed, inputs.stays_ongoing) == (1, 3)
    assert isinstance(inputs.stay, engine.KaplanMeier)
    # Starts per year 2021..2025: 0, 1 (B), 1 (C), 1 (D), 0; Theil-Sen slope 0, level 1 a year.
    assert [n for _label, n in inputs.starts_per_year] == [0, 1, 1, 1, 0]
    assert inputs.trend_per_year == pytest.approx((1.0, 0.0))
    np.testing.assert_allclose(inputs.arrival_rate, 1 / 12)
    # Residents B and D, the oldest first (elderly-care moves take them in that order).
    days = [(DAY - D(2024, 1, 1)).days, (DAY - D(2022, 3, 1)).days]
    np.testing.assert_allclose(inputs.resident_elapsed, np.array(days) / float(MONTH))
    np.testing.assert_allclose(inputs.external_elapsed, [(DAY - D(2023, 6, 1)).days / float(MONTH)])
    # Money: Decimal kroner per place-month; the agreed external tariff wins over the standard one.
    assert inputs.own_cost == (Decimal("2250.00") * MONTH).quantize(Decimal("0.01")) == Decimal("68484.38")
    assert inputs.external_cost == Decimal("100443.75")
    # Pipeline: E waits now (month 0); F turns 18 in March 2027, month 14 of a plan from January 2026.
    assert sorted(inputs.pipeline_months) == [0, 14]
    assert (inputs.waiting_now, inputs.young_known) == (1, 1)
    plan = inputs.plan()
    assert plan.own_cost == pytest.approx(68484.38) and plan.external_cost == pytest.approx(100443.75)
    engine.resolve(plan)  # the engine accepts it


def test_without_external_placements_the_standard_external_tariff_is_used(world):
    world.offer("Eksternt længerevarende", "SEL108", places=0, tariff="3000.00", provider=world.external_provider)
    inputs = build_inputs(BY_KEY["sel108"], DAY)
    assert inputs.external_cost == Decimal("91312.50")
    assert inputs.stays_completed == 0 and any("No completed stays" in n for n in inputs.notes)


def test_planned_place_changes_in_the_record_shape_the_baseline(world):
    from roret.offers.models import PlaceChange

    PlaceChange.objects.create(offer=world.residential, valid_from=D(2027, 3, 1), change=4, reason="new build")
    inputs = build_inputs(BY_KEY["sel108"], DAY)
    assert inputs.places[13] == 2 and inputs.places[14] == 6 and inputs.places[-1] == 6


def test_sizing_compares_today_the_optimum_and_85_percent(sel108):
    inputs = build_inputs(BY_KEY["sel108"], DAY)
    answer = size_group(inputs, 2)
    best = engine.size_places(inputs.load, own_cost=float(inputs.own_cost * 12),
                              external_cost=float(inputs.external_cost * 12))
    assert answer.optimum.places == best.places
    assert answer.rule_occupancy <= 0.85 < float(engine.occupancy(answer.rule_places - 1, inputs.load))
    assert answer.today_blocking == pytest.approx(float(engine.erlang_b(2, inputs.load)))


def test_a_scenario_snapshot_becomes_the_engines_scenario(sel108):
    snap = {"id": 1, "name": "build", "reserved_places": 1, "reserved_from": 6, "demand_factor": "1.10",
            "demand_from": 12, "events": [
                {"kind": "place_change", "month": 18, "places": 10, "label": "10 homes"},
                {"kind": "elderly_care", "month": 9, "places": 1, "label": ""},
                {"kind": "elderly_care", "month": 20, "places": 1, "label": ""},
                {"kind": "conversion", "month": 24, "places": 3, "label": ""}]}
    sc = runs.to_engine(snap, residents=2)
    assert sc.place_changes == (engine.PlaceChange(18, 10, "10 homes"),)
    assert sc.reserved_vacancy == (engine.ReservedVacancy(6, 1),)
    assert sc.demand_changes == (engine.DemandChange(12, 1.1),)
    assert sc.elderly_care_moves == (engine.ElderlyCareMove(0, 9), engine.ElderlyCareMove(1, 20))
    assert sc.conversions == (engine.Conversion(24, 3),)
    with pytest.raises(ValueError, match="3 residents move to elderly care, but the group has only 2"):
        runs.to_engine({**snap, "events": snap["events"] + [
            {"kind": "elderly_care", "month": 30, "places": 1, "label": ""}]}, residents=2)


def test_compute_gives_every_month_of_every_scenario_with_costs_in_kroner(sel108):
    inputs = build_inputs(BY_KEY["sel108"], DAY)
    build = {**runs.baseline_snapshot(), "name": "two more", "events": [
        {"kind": "place_change", "month": 0, "places": 2, "label": ""}]}
    out = runs.compute(inputs, [runs.baseline_snapshot(), build], seed=3, replications=200)
    assert out["labels"][0] == "01.2026" and len(out["labels"]) == 60
    base, more = out["scenarios"]
    assert len(base["months"]) == 60 and base["months"][0]["places"] == 2 and more["months"][0]["places"] == 4
    assert base["cost_difference"] == "0"
    # The month cost is own places x own tariff + bought place-months x the bought tariff.
    m0 = base["months"][0]
    assert Decimal(m0["cost_mean"]) > 2 * Decimal("68484.38")
    assert Decimal(more["total_cost"]) - Decimal(base["total_cost"]) == Decimal(more["cost_difference"])
    assert sum(Decimal(m["cost_mean"]) for m in base["months"]) == pytest.approx(Decimal(base["total_cost"]), abs=60)
    assert more["new_external"] < base["new_external"]


def test_unknown_groups_are_named_with_the_known_ones():
    with pytest.raises(ValueError, match="unknown group 'x'; choose one of sel108, sel107"):
        parse_group("x")


def _young_person(world, birth: D, paragraph: str = "SEL108"):
    """A 16-17-year-old known from children's services: the inquiry opens a youth transition."""
    return visitation.register_inquiry(
        actor=world.users["caseworker"], source="children", received_on=D(2025, 11, 1), paragraph=paragraph,
        about="Kendt i børneområdet", cpr=next(young_cpr(birth)), first_name="Ung", last_name="Borger")


def test_young_people_with_an_open_inquiry_count_from_18_with_the_share_of_inquiries_granted(world):
    inquiry = _young_person(world, D(2009, 6, 20))
    assert inquiry.citizen.transitions.get().kind == "youth"
    _young_person(world, D(2009, 8, 1), paragraph="SEL104")  # another legal basis: not this group's pipeline
    inputs = build_inputs(BY_KEY["sel108"], DAY)
    assert inputs.pipeline_months == [17] and inputs.pipeline_probability == [0.5]  # June 2027; no history yet
    assert inputs.young_known == 1 and any("Fewer than 10 closed inquiries" in n for n in inputs.notes)
    # History: ten closed §108 inquiries, seven of them granted, make the probability 0.7.
    worker = world.users["caseworker"]
    for i in range(10):
        citizen = world.citizen(first_name=f"Hist{i}")
        past = visitation.register_inquiry(actor=worker, source="citizen", received_on=D(2024, 1, 1),
                                           paragraph="SEL108", about="Bolig", citizen=citizen)
        if i < 7:
            visitation.decide(citizen, actor=worker, kind="grant", paragraph="SEL108", justification="Behov",
                              inquiry=past, offer=world.residential, start=D(2024, 3, 1), decided_on=D(2024, 2, 1))
        else:
            visitation.screen(past, actor=worker, outcome="out", reason="Anden hjælp", guided_to="normal",
                              screened_on=D(2024, 1, 10))
    assert grant_share(BY_KEY["sel108"]) == (0.7, 10)
    inputs = build_inputs(BY_KEY["sel108"], DAY)
    assert 0.7 in inputs.pipeline_probability



def test_the_demo_scenarios_are_valid_and_belong_to_known_groups(world):
    from roret.capacity.models import Scenario
    from roret.demo.capacity import build_capacity

    build_capacity(None)
    scenarios = list(Scenario.objects.prefetch_related("events"))
    assert len(scenarios) == 4 and {s.group for s in scenarios} <= set(BY_KEY)
    for s in scenarios:
        s.full_clean()
        for e in s.events.all():
            e.full_clean()
        runs.to_engine(runs.snapshot(s), residents=10)


def test_only_external_placements_an_own_place_could_have_served_count_as_demand(sel108):
    """C (no vacancy, from the fixture) counts; G (specialised) and H (free choice) do not, and
    I (not recorded, an old placement) counts conservatively. G, H and I started in 2024-2025."""
    w = sel108
    w.place(w.citizen(first_name="G"), w.external108, start=D(2024, 5, 1), external_reason="specialised",
            agreed_amount=Decimal("9000.00"), agreed_unit="day")
    w.place(w.citizen(first_name="H"), w.external108, start=D(2025, 2, 1), external_reason="free_choice")
    w.place(w.citizen(first_name="I"), w.external108, start=D(2025, 3, 1), external_reason="unknown")
    inputs = build_inputs(BY_KEY["sel108"], DAY)
    # In bought places now: C and I count, G and H do not; the status still shows all four.
    np.testing.assert_allclose(sorted(inputs.external_elapsed),
                               sorted([(DAY - D(2023, 6, 1)).days / float(MONTH), (DAY - D(2025, 3, 1)).days / float(MONTH)]))
    assert group_statuses([BY_KEY["sel108"]], DAY)[0].external_now == 4
    # Starts 2021..2025: B; C; D; I (G and H left out).
    assert [n for _label, n in inputs.starts_per_year] == [0, 1, 1, 1, 1]
    assert (inputs.stays_completed, inputs.stays_ongoing) == (1, 4)
    # The specialised offer's 9,000 kr./day does not make a bought place look dearer: C's 3,300
    # agreed and I's 3,000 standard.
    assert inputs.external_cost == ((Decimal("3300") + Decimal("3000")) / 2 * MONTH).quantize(Decimal("0.01"))
    rows = {r.reason: (r.counted, r.now, r.started) for r in inputs.external_reasons}
    assert rows == {"no_vacancy": (True, 1, 1), "specialised": (False, 1, 1), "free_choice": (False, 1, 1),
                    "network": (False, 0, 0), "unknown": (True, 1, 1)}
    assert inputs.external_counted == {"now": 2, "started": 2}
    assert inputs.external_excluded == {"now": 2, "started": 2}
    assert inputs.summary()["external_reasons"][1] == {"reason": "specialised", "counted": False, "now": 1,
                                                       "started": 1}


def test_a_plan_run_reports_progress_within_each_scenario_and_stores_the_same_result(sel108):
    from roret.capacity.models import PlanRun

    build = {**runs.baseline_snapshot(), "name": "two more", "events": [
        {"kind": "place_change", "month": 0, "places": 2, "label": ""}]}
    run = PlanRun.objects.create(group="sel108", day=DAY, seed=5, replications=50,
                                 scenarios=[runs.baseline_snapshot(), build], created_by=sel108.users["economist"])
    from django.utils import translation

    told = []
    with translation.override("en"):
        results = runs.execute(run, progress=lambda percent, message: told.append((percent, str(message))))
    percents = [p for p, _m in told]
    assert percents == sorted(percents) and percents[-1] == 100
    # Not two steps (one per scenario) but one per whole percent of 120 months: the bar moves smoothly.
    assert len(set(percents)) > 60 and max(b - a for a, b in zip(percents, percents[1:], strict=False)) <= 5
    assert any("Scenario 1 of 2: Baseline, month 30 of 60" in m for _p, m in told)
    assert any("Scenario 2 of 2: two more, month 60 of 60" in m for _p, m in told)
    # The same seed without progress gives the same numbers, to the last digit.
    inputs = build_inputs(BY_KEY["sel108"], DAY)
    assert runs.compute(inputs, run.scenarios, seed=5, replications=50) == results


def test_the_arrival_trend_is_scipys_theil_sen_line():
    from scipy.stats import theilslopes

    from roret.capacity.services import theil_sen

    rng = np.random.default_rng(3)
    cases = [([-4.5, -3.5, -2.5, -1.5, -0.5], [10, 12, 11, 15, 30]), ([-2.5, -1.5, -0.5], [4, 4, 4])]
    cases += [(rng.integers(-5, 0, 6) - 0.5, rng.poisson(8, 6)) for _ in range(20)]  # ties in x and y
    for x, y in cases:
        slope, intercept, _lo, _hi = theilslopes(y, x)
        assert theil_sen(x, y) == pytest.approx((intercept, slope), rel=1e-12, abs=1e-12)


def test_the_trend_median_is_numpys_to_the_last_bit():
    # theil_sen's median avoids np.median (whose NaN check imports numpy.ma at start-up); the plan's
    # arrival rate, and so every seeded plan, must not move by a bit.
    from roret.capacity.services import _median

    rng = np.random.default_rng(11)
    for n in range(1, 40):
        for values in (rng.normal(size=n), rng.integers(0, 5, n).astype(float), rng.normal(size=n) * 1e-7 + 3):
            assert _median(values) == float(np.median(values))


def test_a_plan_run_reads_the_record_in_a_fixed_number_of_queries(sel108):
    # The plan's cost must not grow a query per citizen: the same number of queries with four
    # placements as with forty (residents, completed stays and citizens in bought places).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = sel108

    def queries():
        run = runs.create_run(BY_KEY["sel108"], user=None, seed=1, replications=20, day=DAY, channel="cli")
        with CaptureQueriesContext(connection) as ctx:
            runs.execute(run)
        return len(ctx.captured_queries)

    few = queries()
    for i in range(12):
        start = D(2020, 1, 2) + datetime.timedelta(days=60 * i)  # one at a time, beside A, in the own place
        w.place(w.citizen(first_name=f"R{i}"), w.residential, start=start, end=start + datetime.timedelta(days=50))
        start = D(2021, 1, 1) + datetime.timedelta(days=60 * i)
        w.place(w.citizen(first_name=f"X{i}"), w.external108, start=start)
        w.place(w.citizen(first_name=f"Y{i}"), w.external108, start=start, end=start + datetime.timedelta(days=200))
    many = queries()
    assert many == few, f"{few} queries with few placements, {many} with many"
    assert many <= 20, f"{many} queries for one group's plan"
