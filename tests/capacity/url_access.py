"""Who may see the capacity pages (and the generic background-job pages, built with them).

Economists plan (scenarios, runs); centre leaders see the groups their centre runs places in;
the committee sees results. The walker's group is sel108, where the World's centre has its
residential offer, with a saved scenario and a computed run (url_ids). Jobs do not exist in the
walker's world: everyone gets 404. tests/capacity/test_django_pages.py walks the same pages with
a fuller record.
"""

from tests.url_roles import LOGIN, PERSONAS, writes

NONE = {p: 403 for p in PERSONAS} | {"anonymous": LOGIN}
VIEWERS = NONE | {"centre_leader": 200, "economist": 200, "committee": 200, "leader": 200}
ECONOMIST = NONE | {"economist": 200}
OWNER_ONLY_MISSING = {p: 404 for p in PERSONAS} | {"anonymous": LOGIN}

EXPECTED = {
    "capacity:index": VIEWERS,
    "capacity:group": VIEWERS,
    "capacity:run_plan": NONE | {"economist": 405},  # POST only
    "capacity:scenario_new": ECONOMIST,
    "capacity:scenario_edit": ECONOMIST,
    "capacity:scenario_delete": NONE | {"economist": 405},  # POST only
    "capacity:run": VIEWERS,
    "capacity:run_pdf": NONE | {"centre_leader": 405, "economist": 405, "committee": 405, "leader": 405},  # POST only
    "core:job_status": OWNER_ONLY_MISSING,
    "core:job_output": OWNER_ONLY_MISSING,
    "core:job_retry": {p: 405 for p in PERSONAS} | {"anonymous": LOGIN},  # POST only
}

PATH_IDS = {
    "capacity:scenario_edit": {"pk": "scenario_pk"},
    "capacity:scenario_delete": {"pk": "scenario_pk"},
    "capacity:run": {"pk": "run_pk"},
    "capacity:run_pdf": {"pk": "run_pk"},
}

SCENARIO = {"name": "Udbygning", "description": "", "reserved_places": "0", "reserved_from": "0",
            "demand_factor": "1.00", "demand_from": "0", "events-TOTAL_FORMS": "1", "events-INITIAL_FORMS": "0",
            "events-MIN_NUM_FORMS": "0", "events-MAX_NUM_FORMS": "1000", "events-0-kind": "place_change",
            "events-0-month": "6", "events-0-places": "2", "events-0-label": "2 boliger"}

# The economist plans; the PDF of a run is for everyone who sees the run.
POSTS = {
    "capacity:run_plan": writes({"replications": "100", "seed": "1"}, "economist"),
    "capacity:scenario_new": writes(SCENARIO, "economist"),
    "capacity:scenario_edit": writes(SCENARIO, "economist"),
    "capacity:scenario_delete": writes({}, "economist"),
    "capacity:run_pdf": writes({}, "centre_leader", "economist", "committee", "leader"),
    "core:job_retry": writes({}),  # no job in the walker's world: 404 for everyone, nothing queued
}


def url_ids(world, citizen) -> dict:
    """A saved scenario of sel108 and a run computed at once (20 replications, baseline only)."""
    import datetime

    from roret.capacity import runs
    from roret.capacity.models import PlanRun, Scenario

    economist = world.users["economist"]
    scenario = Scenario.objects.create(group="sel108", name="Ny bolig", created_by=economist)
    run = PlanRun.objects.create(group="sel108", day=datetime.date.today(), seed=3, replications=20,
                                 scenarios=[runs.baseline_snapshot()], created_by=economist)
    runs.execute(run)
    return {"scenario_pk": scenario.pk, "run_pk": run.pk}
