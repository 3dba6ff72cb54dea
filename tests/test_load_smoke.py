"""The load scenario in small: benchmarks/load/locustfile.py with 5 users for about 10 seconds
against a real gunicorn on the test database, with no failed request.

The full run (50 users, 3 minutes, 100,000 citizens on PostgreSQL) is benchmarks/load/run.sh;
this one keeps the scenario working in `make test`: a page that answers 500 or 404, a form whose
CSRF token or fields have changed, a login that no longer lands, all fail it."""

import csv
import datetime
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from roret.demo import names
from roret.offers.models import PlaceChange
from roret.outcomes import services as outcome_services
from roret.outcomes.models import FollowUp
from tests.factories import PASSWORD, World, make_cpr

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOCUSTFILE = ROOT / "benchmarks" / "load" / "locustfile.py"
# Every request name the scenario uses: the smoke run must have made each of them.
ROUTES = {
    "/login/", "/login/ [POST]", "/", "/outcomes/follow-ups/", "/citizens/?q=[name]", "/citizens/",
    "/citizens/ [POST cpr]", "/citizens/[id]/", "/outcomes/citizens/[id]/", "/outcomes/follow-ups/[id]/",
    "/outcomes/follow-ups/[id]/ [POST]", "/economy/",
}


def _database_url() -> str:
    """The test database as a URL, for a server in another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _small_world() -> World:
    """The personas, 12 citizens with common demo names placed in the residential offer, each with a
    follow-up due today."""
    world = World()

    PlaceChange.objects.create(offer=world.residential, valid_from=datetime.date(2015, 1, 1), change=20,
                               reason="Flere pladser")
    for i in range(12):
        citizen = world.citizen(first_name=names.FIRST_NAMES_F[i % 5], last_name=names.LAST_NAMES[i % 3],
                                cpr=make_cpr(datetime.date(1970 + i, 3, 4)))
        placement = world.place(citizen)
        outcome_services.schedule_follow_up(placement.grant, datetime.date.today(), actor=world.users["caseworker"])
    return world


@pytest.fixture
def server(transactional_db):
    """gunicorn serving the test database on a free loopback port (DEBUG on: the test's keys; the
    test suite's password hasher: tests/load_smoke_settings.py)."""
    _small_world()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": _database_url(), "RORET_DEBUG": "1",
           "DJANGO_SETTINGS_MODULE": "tests.load_smoke_settings"}
    proc = subprocess.Popen([str(BIN / "gunicorn"), "roret.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
                             "--threads", "2", "--timeout", "60", "--preload"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/login/", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start: " + (proc.stderr.read() if proc.poll() else "")) from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        # Close the test's connection too: gunicorn's are gone, so the database can be flushed.
        connection.close()


def _stats(prefix: Path) -> dict[str, dict]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        return {row["Name"] if row["Type"] else "Aggregated": row for row in csv.DictReader(f)}


def test_the_load_scenario_runs_against_gunicorn_without_a_failed_request(server, tmp_path):
    prefix = tmp_path / "smoke"
    env = {**os.environ, "RORET_LOAD_PASSWORD": PASSWORD, "RORET_LOAD_TOUR": "1", "RORET_LOAD_WAIT": "0.2,1",
           "RORET_LOAD_MIX": "caseworker:2,economist:1,centre_leader:1"}
    env.pop("RORET_LOAD_ACCOUNTS", None)
    run = subprocess.run([str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "-u", "4", "-r", "4",
                          "--run-time", "20s", "--stop-timeout", "15", "-H", server, "--csv", str(prefix),
                          "--only-summary", "--loglevel", "WARNING"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert Path(f"{prefix}_stats.csv").exists(), run.stderr[-3000:]
    stats = _stats(prefix)
    failures = Path(f"{prefix}_failures.csv").read_text(encoding="utf-8")
    assert int(stats["Aggregated"]["Failure Count"]) == 0, f"failed requests:\n{failures}\n{run.stderr[-3000:]}"
    assert run.returncode == 0, run.stderr[-3000:]
    missing = sorted(r for r in ROUTES if int(stats.get(r, {}).get("Request Count", 0)) == 0)
    assert not missing, f"the scenario never requested {missing}; it made {sorted(stats)}"
    # The follow-ups were really recorded (not just answered 200).
    assert FollowUp.objects.filter(held_on=datetime.date.today(), notes__contains="belastningstest").exists()
