"""Every operation of the served OpenAPI schema (/api/v1/openapi.json), called with data schemathesis
generates from it: no answer is a server error, and every answer matches the schema (its status is
declared with a body of the declared shape).

In-process: the schema is read as a logged-in user reads it, and the calls go to Django's WSGI
application with a caseworker's API token, in the test's transaction (so the writes it makes are
rolled back). Bounded and fixed: a few examples per operation from a derandomized generator, so the
run takes seconds and never flakes. The walker (tests/test_url_walker.py) and the fuzz test
(tests/test_fuzz.py) cover the roles and hostile values; this covers the schema's promises."""

import collections
import contextlib

import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from roret.api import idempotency
from roret.core import api_tokens
from tests.clients import SecondFactorClient
from tests.factories import PASSWORD

EXAMPLES = 10


@contextlib.contextmanager
def in_the_tests_transaction():
    """Django's WSGI handler closes the database connection after each request when it is not in
    autocommit (as the test's transaction is not); the test client unhooks that too."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


#: The steering and catalogue operations, called again as the economist (who may write the catalogue
#: and read the steering figures) and the committee (who reads them with small cells null), so that
#: their answers past the role check are checked against the schema too.
AGGREGATE_PATHS = ("/api/v1/offers", "/api/v1/kpis", "/api/v1/capacity", "/api/v1/plans")


def _objects(world, citizen) -> dict:
    """Path ids of objects that exist, so that calls reach past the 404 to the answer's schema."""
    import datetime

    from roret.capacity import runs
    from roret.capacity.models import PlanRun
    from tests.plans.helpers import make_plan

    run = PlanRun.objects.create(group="sel108", day=datetime.date.today(), seed=3, replications=20,
                                 scenarios=[runs.baseline_snapshot()], created_by=world.users["economist"])
    runs.execute(run)
    plan = make_plan([{"track": "1", "initiative": "Flere egne tilbud", "investment": [100, 0], "effect": [-50, -200]}])
    return {"citizen_id": citizen.pk, "offer_id": world.residential.pk, "run_id": run.pk, "plan_id": plan.pk,
            "placement_id": citizen.placements.get().pk}


def test_every_operation_answers_as_its_schema_says(world):
    citizen = world.citizen(first_name="Skema")
    world.place(citizen, world.residential)
    ids = _objects(world, citizen)
    browser = SecondFactorClient()
    assert browser.login(username="caseworker", password=PASSWORD)
    served = browser.get("/api/v1/openapi.json").json()
    schema = schemathesis.openapi.from_dict(served)
    schema.app = get_wsgi_application()
    tokens = {persona: api_tokens.create_token(actor=world.users[persona], name="Schemathesis", days=30).token
              for persona in ("caseworker", "economist", "committee")}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    calls = [(op, "caseworker") for op in operations] + [
        (op, persona) for op in operations if op.path.startswith(AGGREGATE_PATHS)
        for persona in ("economist", "committee") if persona == "economist" or op.method.upper() == "GET"]
    failures, answers = [], []
    with in_the_tests_transaction():
        for operation, persona in calls:
            headers = {"Authorization": f"Bearer {tokens[persona]}"}
            call = _caller(operation, headers, ids, answers)
            try:
                call()
            except Exception as exc:  # noqa: BLE001 (each operation's failure is collected for one report)
                failures.append(f"{persona}: {operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
    print(sorted(collections.Counter(answers).items()))
    # Called, and let in: the reads answer, and the writes get as far as the schema or the gate.
    assert len(answers) >= 3 * len(calls) and {200, 404, 422} <= set(answers)


def _caller(operation, headers: dict, ids: dict, answers: list):
    """The operation called with generated data by the holder of ``headers``' token."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def call(case):
        # Objects that exist (the walker's citizen ...), so that calls get past the gate to the
        # schema and the services; a generated Idempotency-Key is mostly malformed (400) and
        # would hide the rest.
        for name, value in ids.items():
            if name in (case.path_parameters or {}):
                case.path_parameters[name] = value
        if case.headers:
            case.headers.pop(idempotency.HEADER, None)
        response = case.call_and_validate(headers=headers,
                                          checks=[not_a_server_error, response_schema_conformance])
        answers.append(response.status_code)

    return call
