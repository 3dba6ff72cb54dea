"""Development plans: the economist, centre leaders and the committee read them (aggregate roles;
a plan names no citizen); only the economist loads plans, revises estimates and adopts."""

import itertools

from tests.url_roles import LOGIN, PERSONAS, writes

NONE = {p: 403 for p in PERSONAS} | {"anonymous": LOGIN}
READERS = NONE | {"economist": 200, "centre_leader": 200, "committee": 200, "leader": 200}
ECONOMIST = NONE | {"economist": 200}

EXPECTED = {
    "plans:list": READERS,
    "plans:detail": READERS,
    "plans:workbook": READERS,
    "plans:row": READERS,
    "plans:load": ECONOMIST,
    "plans:adopt": NONE | {"economist": 405},  # POST only
}

PATH_IDS = {
    "plans:detail": {"pk": "plan_pk"},
    "plans:workbook": {"pk": "plan_pk"},
    "plans:adopt": {"pk": "plan_pk"},
    "plans:row": {"pk": "plan_pk", "row_pk": "plan_row_pk"},
}

_serial = itertools.count(1)


def _load_body(ids) -> dict:
    """A previewed file, saved: a plan of its own title each time."""
    import json

    from roret.plans.views import _carry

    document = {"title": f"Walker plan {next(_serial)}", "unit": "kr", "years": [2026],
                "rows": [{"track": "1", "initiative": "Tiltag", "effect": [-100]}]}
    return {"upload": _carry("plan.json", json.dumps(document).encode()), "action": "save"}


def _revision(ids) -> dict:
    return {"kind": "effect", "year": "2026", "amount": f"-{next(_serial)}", "note": "Ny viden fra opfølgning"}


POSTS = {
    "plans:load": writes(_load_body, "economist"),
    "plans:row": writes(_revision, "economist"),
    "plans:adopt": writes({"adopted_by": "Social- og Sundhedsudvalget", "adopted_on": "2026-01-20"}, "economist"),
}


def url_ids(world, citizen) -> dict:
    from roret.plans import loading, services

    document = b'{"title": "Walker", "unit": "1000 kr", "years": [2026, 2027], "rows": [' \
               b'{"track": "1", "initiative": "Flere egne tilbud", "investment": [100, 0], "effect": [-50, -200]}]}'
    plan = services.load_plan(loading.parse("walker.json", document), actor=None)
    # No status report is made in the walk (it takes seconds): its pages answer 404 to everyone.
    return {"plan_pk": plan.pk, "plan_row_pk": plan.rows.get().pk, "no_report_pk": 999999}

# The status report: the economist and the committee (the committee only the reports made for it).
STATUS = NONE | {"economist": 200, "committee": 200, "leader": 200}
EXPECTED.update({
    "plans:status_reports": STATUS,
    "plans:status_report_start": NONE | {"economist": 405, "committee": 405, "leader": 405},  # POST only
    "plans:status_report": {p: 404 for p in PERSONAS} | NONE | {"economist": 404, "committee": 404, "leader": 404},
    "plans:status_report_file": {p: 404 for p in PERSONAS} | NONE | {"economist": 404, "committee": 404,
                                                                     "leader": 404},
})
PATH_IDS.update({
    "plans:status_reports": {"pk": "plan_pk"},
    "plans:status_report_start": {"pk": "plan_pk"},
    "plans:status_report": {"pk": "plan_pk", "report_pk": "no_report_pk"},
    "plans:status_report_file": {"pk": "plan_pk", "report_pk": "no_report_pk"},
})
POSTS["plans:status_report_start"] = writes({"half": "2026H1"}, "economist", "committee", "leader")
