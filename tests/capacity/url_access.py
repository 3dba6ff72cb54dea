"""Who may see the capacity pages (and the generic background-job pages, built with them).

Economists plan (scenarios, runs); centre leaders see the groups their centre runs places in;
the committee sees results. The walker's group is sel108, where the World's centre has its
residential offer. Runs and scenarios do not exist in the walker's world: the roles that may
see them get 404, the others 403 (the role check comes first). tests/capacity/test_django_pages.py
walks the same pages with real runs and scenarios.
"""

from tests.url_roles import LOGIN, PERSONAS

NONE = {p: 403 for p in PERSONAS} | {"anonymous": LOGIN}
VIEWERS = NONE | {"centre_leader": 200, "economist": 200, "committee": 200}
VIEWERS_MISSING = NONE | {"centre_leader": 404, "economist": 404, "committee": 404}
ECONOMIST = NONE | {"economist": 200}
OWNER_ONLY_MISSING = {p: 404 for p in PERSONAS} | {"anonymous": LOGIN}

EXPECTED = {
    "capacity:index": VIEWERS,
    "capacity:group": VIEWERS,
    "capacity:run_plan": NONE | {"economist": 405},  # POST only
    "capacity:scenario_new": ECONOMIST,
    "capacity:scenario_edit": NONE | {"economist": 404},
    "capacity:scenario_delete": NONE | {"economist": 405},  # POST only
    "capacity:run": VIEWERS_MISSING,
    "capacity:run_pdf": NONE | {"centre_leader": 405, "economist": 405, "committee": 405},  # POST only: starts a job
    "core:job_status": OWNER_ONLY_MISSING,
    "core:job_output": OWNER_ONLY_MISSING,
}
