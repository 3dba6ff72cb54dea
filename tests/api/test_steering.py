"""Steering reads in the API (roret/api/steering.py): the KPI report of a half-year as its page
builds it (the committee's small cells hidden exactly as there, a centre leader's own centre), the
capacity plan runs and their results, and the development plans with tracks, initiatives and
traffic lights; for the aggregate roles only."""

import datetime
from decimal import Decimal

import pytest

from roret.capacity import runs
from roret.capacity.models import PlanRun
from roret.core.periods import period_of
from roret.plans.lights import set_light
from roret.reports import kpi_report
from roret.reports.services import report_context
from tests.plans.helpers import initiative, make_plan

LAST_YEAR = datetime.date.today().year - 1
HALF = f"{LAST_YEAR}-H1"


@pytest.fixture
def placed(world):
    """Six citizens in the day offer, one in the residential offer and one in the external offer
    through last year: the external citizen is a cell of one."""
    start = datetime.date(LAST_YEAR - 1, 3, 1)
    for i in range(6):
        world.place(world.citizen(first_name=f"Dag{i}"), world.day_offer, start=start)
    world.place(world.citizen(first_name="Bo"), world.residential, start=start)
    world.place(world.citizen(first_name="Ude"), world.external, start=start)
    return world


def flags(table: dict) -> list:
    return [[c["suppressed"] for c in row] for row in table["rows"]] + [
        [c["suppressed"] for c in table["total"] or []]]


def test_the_kpis_are_the_reports_figures(placed, api_client):
    answer = api_client("economist").get(f"/api/v1/kpis?half={HALF}").json()
    assert answer["half"] == HALF and answer["start"] == f"{LAST_YEAR}-01-01" and answer["suppressed"] is False
    keys = [t["key"] for t in answer["tables"]]
    assert keys[:2] == ["key_figures", "trend"] and "breakdown:paragraph" in keys and "breakdown:own_external" in keys
    # quality of life per instrument (WHO-5 always), self-reported and staff-reported rows apart
    who5 = next(t for t in answer["tables"] if t["key"].startswith("quality_of_life:") and "WHO-5" in t["key"])
    assert len(who5["rows"]) == 2 and who5["total"] is not None
    context = report_context(placed.users["economist"], period_of("half", datetime.date(LAST_YEAR, 1, 1)), HALF)
    for table, built in zip(answer["tables"], kpi_report.report_tables(context), strict=True):
        assert [c["key"] for c in table["columns"]] == [c.key for c in built.columns]
        assert [[c["value"] for c in row] for row in table["rows"]] == [
            [None if c.value is None else c.value if isinstance(c.value, int) else str(c.value) for c in row]
            for row in built.rows]
    by_paragraph = next(t for t in answer["tables"] if t["key"] == "breakdown:paragraph")
    citizens = [c["key"] for c in by_paragraph["columns"]].index("citizens")
    assert by_paragraph["total"][citizens]["value"] == 8


def test_the_committee_gets_the_pages_hidden_cells_and_completed_half_years_only(placed, api_client):
    committee = api_client("committee")
    answer = committee.get(f"/api/v1/kpis?half={HALF}").json()
    assert answer["suppressed"] is True
    context = report_context(placed.users["committee"], period_of("half", datetime.date(LAST_YEAR, 1, 1)), HALF)
    built = kpi_report.report_tables(context)
    for table, page in zip(answer["tables"], built, strict=True):
        assert flags(table) == [[c.suppressed for c in row] for row in page.rows] + [
            [c.suppressed for c in page.total or []]], table["key"]
        assert all(c["value"] is None for row in table["rows"] for c in row if c["suppressed"])
    own_external = next(t for t in answer["tables"] if t["key"] == "breakdown:own_external")
    assert any(c["suppressed"] for row in own_external["rows"] for c in row)  # the one external citizen
    running = period_of("half", datetime.date.today())
    now = f"{running.start.year}-H{1 if running.start.month == 1 else 2}"
    refused = committee.get(f"/api/v1/kpis?half={now}")
    assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["half"]


@pytest.mark.parametrize("half", ["2025-H3", "2025", "H1-2025", "2025-h1"])
def test_a_half_year_that_is_not_one_gets_422(world, api_client, half):
    response = api_client("economist").get(f"/api/v1/kpis?half={half}")
    assert response.status_code == 422 and [e["field"] for e in response.json()["errors"]] == ["half"]


def test_a_centre_leader_gets_the_own_centre_and_case_roles_get_403(placed, api_client):
    assert api_client("centre_leader").get(f"/api/v1/kpis?half={HALF}").json()["centre_only"] is True
    for persona in ("caseworker", "centre_staff", "admin"):
        assert api_client(persona).get("/api/v1/kpis").status_code == 403


@pytest.fixture
def run(world):
    economist = world.users["economist"]
    found = PlanRun.objects.create(group="sel108", day=datetime.date.today(), seed=3, replications=20,
                                   scenarios=[runs.baseline_snapshot()], created_by=economist)
    runs.execute(found)
    waiting = PlanRun.objects.create(group="sel104", day=datetime.date.today(), seed=4, replications=20,
                                     scenarios=[runs.baseline_snapshot()], created_by=economist)
    return found, waiting


def test_capacity_runs_and_their_results(run, api_client):
    done, waiting = run
    client = api_client("committee")
    answer = client.get("/api/v1/capacity/runs").json()
    assert answer["total"] == 2 and [r["id"] for r in answer["items"]] == [waiting.pk, done.pk]
    assert [r["id"] for r in client.get("/api/v1/capacity/runs?ready=true").json()["items"]] == [done.pk]
    assert [r["id"] for r in client.get("/api/v1/capacity/runs?group=sel104").json()["items"]] == [waiting.pk]
    detail = client.get(f"/api/v1/capacity/runs/{done.pk}").json()
    [baseline] = detail["results"]
    assert detail["ready"] is True and len(baseline["years"]) == done.horizon_months // 12
    assert baseline["years"] == [{**y, "cost": str(y["cost"]), "occupancy_band": list(y["occupancy_band"]),
                                  "external_band": list(y["external_band"])}
                                 for y in runs.yearly(done.results["scenarios"][0])]
    assert client.get(f"/api/v1/capacity/runs/{waiting.pk}").json()["results"] is None
    assert client.get("/api/v1/capacity/runs/999999").status_code == 404


def test_a_centre_leader_sees_the_runs_of_the_groups_the_centre_runs_places_in(run, api_client, world):
    done, waiting = run
    leader = api_client("centre_leader")  # Center A runs the residential (sel108) and the day offer (sel104)
    assert leader.get("/api/v1/capacity/runs").json()["total"] == 2
    world.users["centre_leader"].centre = world.other_centre
    world.users["centre_leader"].save()
    assert leader.get("/api/v1/capacity/runs").json()["total"] == 0
    refused = leader.get(f"/api/v1/capacity/runs/{done.pk}")
    assert refused.status_code == 404 and refused.json()["detail"] == "Kørslen af kapacitetsplanen findes ikke."
    assert api_client("caseworker").get("/api/v1/capacity/runs").status_code == 403


def test_plans_with_tracks_initiatives_and_lights(world, api_client):
    plan = make_plan([{"track": "1", "initiative": "Flere egne tilbud", "investment": [100, 0], "effect": [-50, -200]},
                      {"track": "2", "initiative": "Genforhandling", "investment": [0, 0], "effect": [-10, -10]}])
    make_plan([{"track": "1", "initiative": "Andet", "investment": [1, 1], "effect": [0, 0]}],
              title="Ældre plan", years=[2020, 2021])
    set_light(initiative(plan, "Flere egne tilbud"), "2025H2", "red", actor=world.users["economist"],
              remark="Byggeriet er forsinket")
    client = api_client("leader")
    answer = client.get("/api/v1/plans").json()
    assert answer["total"] == 2 and answer["items"][0]["id"] == plan.pk and answer["items"][0]["initiatives"] == 2
    assert [p["title"] for p in client.get("/api/v1/plans?year=2020").json()["items"]] == ["Ældre plan"]
    assert client.get("/api/v1/plans?status=adopted").json()["total"] == 0
    detail = client.get(f"/api/v1/plans/{plan.pk}").json()
    assert [t["number"] for t in detail["tracks"]] == ["1", "2"]
    first = detail["tracks"][0]["initiatives"][0]
    assert first["title"] == "Flere egne tilbud" and first["light"]["colour"] == "red"
    assert detail["tracks"][1]["initiatives"][0]["light"] is None
    assert [(y["year"], *(Decimal(y[k]) for k in ("investments", "effects", "net"))) for y in detail["years"]] == [
        (2025, 100, -60, 40), (2026, 0, -210, -210)]
    assert client.get("/api/v1/plans/999999").status_code == 404
    assert api_client("caseworker").get(f"/api/v1/plans/{plan.pk}").status_code == 403
    # A light of the half-year still running: the leader sees it, the committee (completed half-years
    # only, as on the plan's pages) the one before.
    from roret.plans.lights import half_of

    running = half_of(datetime.date.today())
    set_light(initiative(plan, "Flere egne tilbud"), running, "green", actor=world.users["economist"],
              remark="Byggeriet er i gang igen")
    lights = {who: api_client(who).get(f"/api/v1/plans/{plan.pk}").json()["tracks"][0]["initiatives"][0]["light"]
              for who in ("leader", "committee")}
    assert (lights["leader"]["half"], lights["leader"]["colour"]) == (running, "green")
    assert (lights["committee"]["half"], lights["committee"]["colour"]) == ("2025H2", "red")
