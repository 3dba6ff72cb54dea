"""CPU cost of every request of the load scenario, measured in one process, and what it means for
50 users on a 2-core server (docs/benchmarks.md, "Load ...": the capacity model).

Wall time on a shared machine measures the machine; CPU time barely depends on it. Each request of
``locustfile.py`` is made through Django's whole stack (the test client: session, middleware, the
gate, audit rows, templates) as the load accounts ``run.sh`` made, and timed three ways: the
process's CPU (``time.process_time``), the PostgreSQL backend's CPU (``/proc/<pid>/schedstat`` of
the connection's server process, which runs on the same machine; PostgreSQL plans serially here,
since a parallel plan's workers are processes of their own) and the wall time. Queries are
counted in a first, captured request per name (``CaptureQueriesContext`` slows what it captures).

Then the model: the request rate that 40 caseworkers, 5 economists and 5 centre leaders generate
with the locustfile's task weights and think times, times the mean CPU of each request, against
the server's cores. Not measured here: TLS and gunicorn's HTTP parsing (a few ms a request; see
docs/benchmarks.md).

    export $(cat var/load/roret_load_2026_100000.env) DATABASE_URL=postgres://postgres@127.0.0.1:5432/roret_load_2026_100000
    RORET_DEBUG=0 ALLOWED_HOSTS=testserver RORET_STATIC_ROOT=var/load/static DB_CONN_MAX_AGE=600 \\
        python benchmarks/load/cpu_per_request.py --accounts var/load/roret_load_2026_100000.accounts.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import statistics
import sys
import time
from collections import defaultdict

# The scenario as locustfile.py states it: (task, weight, the requests one run of it makes).
# A caseworker thinks 1-5 s between tasks, an economist or centre leader 2-8 s.
CASEWORKER_TASKS = [
    ("caseload", 2, ["GET /outcomes/follow-ups/"]),
    ("home", 2, ["GET / (caseworker)"]),
    ("search_by_name", 10, ["GET /citizens/?q=[name]"]),
    ("search_by_cpr", 3, ["GET /citizens/", "POST /citizens/ (CPR)"]),
    ("open_record", 10, ["GET /citizens/[id]/"]),
    ("open_outcomes", 3, ["GET /outcomes/citizens/[id]/"]),
    ("hold_follow_up", 1, ["GET /outcomes/follow-ups/[id]/", "POST /outcomes/follow-ups/[id]/"]),
]
READER_TASKS = [("economy", 5, ["GET /economy/"]), ("home", 1, ["GET / ({role})"])]
LOGIN = ["GET /login/", "POST /login/"]
MIX = {"caseworker": (40, CASEWORKER_TASKS, 3.0), "economist": (5, READER_TASKS, 5.0),
       "centre_leader": (5, READER_TASKS, 5.0)}

RECORD_LINK = re.compile(r'href="/citizens/(\d+)/"')
FOLLOW_UP_LINK = re.compile(r'href="/outcomes/follow-ups/(\d+)/"')
CPR_SHOWN = re.compile(r'<dd id="cpr">(\d{6}-?\d{4})</dd>')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def backend_cpu_ns(pid: int) -> int:
    """CPU time (ns) the PostgreSQL server process ``pid`` has used so far."""
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0])


class Meter:
    def __init__(self):
        self.samples = defaultdict(list)  # name -> [(app cpu s, pg cpu s, wall s)]
        self.queries = {}

    def run(self, name, call, *args, **kwargs):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        if name not in self.queries:
            with CaptureQueriesContext(connection) as captured:
                response = call(*args, **kwargs)
            self.queries[name] = (len(captured), sum(float(q["time"]) for q in captured))
            return response
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        pg0, cpu0, wall0 = backend_cpu_ns(pid), time.process_time(), time.perf_counter()
        response = call(*args, **kwargs)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        pid_after = connection.connection.info.backend_pid if connection.connection else None
        pg = (backend_cpu_ns(pid) - pg0) / 1e9 if pid_after == pid else float("nan")
        self.samples[name].append((cpu, pg, wall))
        return response


def ok(response, name):
    if response.status_code not in (200, 302):
        raise SystemExit(f"{name}: answered {response.status_code}")
    return response


_HANDLER = None


def staff_session(meter, username, password):
    from django.test import Client

    client = Client()
    # One handler for every simulated person, as one gunicorn worker has: a new handler loads the
    # middleware again, and WhiteNoise then reads every static file's headers (0.15 s).
    global _HANDLER
    if _HANDLER is None:
        _HANDLER = client.handler
    client.handler = _HANDLER
    ok(meter.run("GET /login/", client.get, "/login/", secure=True), "GET /login/")
    response = meter.run("POST /login/", client.post,
                         "/login/", {"username": username, "password": password}, secure=True)
    if response.status_code != 302:
        raise SystemExit(f"login as {username} failed ({response.status_code})")
    return client


def caseworker_day(meter, client, rounds, rng, hold):
    from roret.demo import names

    def get(url, **kwargs):
        return client.get(url, secure=True, **kwargs)

    page = ok(meter.run("GET /outcomes/follow-ups/", get, "/outcomes/follow-ups/"), "follow-ups")
    ids = sorted({int(i) for i in RECORD_LINK.findall(page.content.decode())})
    follow_ups = [int(i) for i in FOLLOW_UP_LINK.findall(page.content.decode())]
    cprs = []
    for _ in range(rounds):
        page = ok(meter.run("GET / (caseworker)", get, "/"), "/")
        ids = sorted(set(ids) | {int(i) for i in RECORD_LINK.findall(page.content.decode())})
        last, first = rng.choice(names.LAST_NAMES), rng.choice(names.FIRST_NAMES_F + names.FIRST_NAMES_M)
        query = last if rng.random() < 0.5 else f"{first} {last}"
        page = ok(meter.run("GET /citizens/?q=[name]", get, "/citizens/", data={"q": query}), "search")
        ids = sorted(set(ids) | {int(i) for i in RECORD_LINK.findall(page.content.decode())})
        if not ids:  # a small demo's team may have nobody on its lists
            continue
        for _ in range(2):
            pk = rng.choice(ids)
            page = ok(meter.run("GET /citizens/[id]/", get, f"/citizens/{pk}/"), "record")
            found = CPR_SHOWN.search(page.content.decode())
            if found:
                cprs.append(found.group(1))
        pk = rng.choice(ids)
        ok(meter.run("GET /outcomes/citizens/[id]/", get, f"/outcomes/citizens/{pk}/"), "goals")
        if cprs:
            ok(meter.run("GET /citizens/", get, "/citizens/"), "search form")
            number = rng.choice(cprs)
            ok(meter.run("POST /citizens/ (CPR)", client.post, "/citizens/", {"q": number}, secure=True), "cpr")
        ok(meter.run("GET /outcomes/follow-ups/", get, "/outcomes/follow-ups/"), "follow-ups")
    for pk in follow_ups[:hold]:
        page = ok(meter.run("GET /outcomes/follow-ups/[id]/", get, f"/outcomes/follow-ups/{pk}/"), "fu")
        if 'id="follow-up-form"' not in page.content.decode():
            continue
        data = {"held_on": datetime.date.today().isoformat(), "outcome": "continue",
                "notes": "Opfølgning holdt (CPU-måling)."}
        ok(meter.run("POST /outcomes/follow-ups/[id]/",
                     client.post, f"/outcomes/follow-ups/{pk}/", data, secure=True), "fu post")


def reader_day(meter, client, role, rounds):
    for _ in range(rounds):
        ok(meter.run("GET /economy/", client.get, "/economy/", secure=True), "economy")
        ok(meter.run(f"GET / ({role})", client.get, "/", secure=True), "/")


def model(means: dict, cores: int, logins_over_s: float) -> list[str]:
    """Requests/s and CPU-s/s the 50 users make, from the weights, think times and mean costs."""
    lines = []
    wanted = {n.format(role=role) for role, (_, tasks, _) in MIX.items() for _, _, ns in tasks for n in ns}
    missing = sorted(wanted - means.keys())
    if missing:
        lines.append(f"not measured (counted as 0 ms): {', '.join(missing)}")
    means = defaultdict(float, means)
    total_rate = total_cpu = 0.0
    by_request = defaultdict(lambda: [0.0, 0.0])
    for role, (users, tasks, think) in MIX.items():
        weight = sum(w for _, w, _ in tasks)
        names = [[n.format(role=role) for n in requests] for _, _, requests in tasks]
        # One task's mean response time is small beside the think time; counted in the cycle.
        cycle = think + sum(w / weight * sum(means[n] for n in ns) for (_, w, _), ns in zip(tasks, names, strict=True))
        for (_, w, _), ns in zip(tasks, names, strict=True):
            rate = users * w / weight / cycle
            for n in ns:
                by_request[n][0] += rate
                by_request[n][1] += rate * means[n]
    if logins_over_s:
        for n in LOGIN:
            by_request[n][0] += 50 / logins_over_s
            by_request[n][1] += 50 / logins_over_s * means[n]
    lines.append(f"{'request':36} {'req/s':>6} {'CPU ms':>7} {'CPU-s/s':>8} {'share':>6}")
    for _, (rate, cpu) in by_request.items():
        total_rate += rate
        total_cpu += cpu
    for n, (rate, cpu) in sorted(by_request.items(), key=lambda kv: -kv[1][1]):
        lines.append(f"{n:36} {rate:6.2f} {means[n] * 1000:7.1f} {cpu:8.3f} {cpu / total_cpu:6.1%}")
    lines.append(f"{'all':36} {total_rate:6.2f} {total_cpu / total_rate * 1000:7.1f} {total_cpu:8.3f}")
    lines.append(f"utilisation of {cores} cores: {total_cpu / cores:.0%}"
                 + (f" (logins spread over {logins_over_s:.0f} s)" if logins_over_s else " (after the logins)"))
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", required=True, help="run.sh's <database>.accounts.json")
    parser.add_argument("--password", default=os.environ.get("RORET_LOAD_PASSWORD", "demo"))
    parser.add_argument("--caseworkers", type=int, default=4, help="how many caseworker accounts to walk")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the scenario per account")
    parser.add_argument("--hold", type=int, default=2, help="follow-ups each caseworker records (writes)")
    parser.add_argument("--cores", type=int, default=os.cpu_count())
    parser.add_argument("--logins-over", type=float, default=50.0,
                        help="seconds over which the 50 logins arrive (the spawn rate's 50 / rate)")
    parser.add_argument("--parallel-plans", action="store_true",
                        help="let PostgreSQL run parallel plans (their workers' CPU is then not counted)")
    parser.add_argument("--json", help="write the per-request table here")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roret.settings")
    import django

    django.setup()
    from django.conf import settings

    if not args.parallel_plans:
        # A parallel plan's workers are other processes, whose CPU the backend's schedstat leaves
        # out; the serial plan does the same work in the backend, so all of it is counted.
        from django.db.backends.signals import connection_created

        def serial(sender, connection, **kwargs):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET max_parallel_workers_per_gather = 0")

        connection_created.connect(serial)

    with open(args.accounts, encoding="utf-8") as f:
        accounts = json.load(f)
    rng = random.Random(12)
    meter = Meter()
    for username in accounts["caseworker"][: args.caseworkers]:
        caseworker_day(meter, staff_session(meter, username, args.password), args.rounds, rng, args.hold)
    for role in ("economist", "centre_leader"):
        for username in accounts[role][:2]:
            reader_day(meter, staff_session(meter, username, args.password), role, args.rounds)

    print(f"DEBUG={settings.DEBUG}, {settings.DATABASES['default']['NAME']}, load average "
          f"{open('/proc/loadavg').read().split()[:3]}, hasher {settings.PASSWORD_HASHERS[0]}")
    print(f"{'request':36} {'n':>3} {'app CPU':>8} {'PG CPU':>7} {'CPU':>7} {'wall p50':>8} {'q':>3} {'q ms':>6}  (ms)")
    table, means = {}, {}
    for name, samples in meter.samples.items():
        app = statistics.mean(s[0] for s in samples)
        pg = statistics.mean(s[1] for s in samples if s[1] == s[1]) if any(s[1] == s[1] for s in samples) else 0.0
        wall = statistics.median(s[2] for s in samples)
        count, qtime = meter.queries[name]
        means[name] = app + pg
        table[name] = {"n": len(samples), "app_cpu_ms": app * 1000, "pg_cpu_ms": pg * 1000,
                       "cpu_ms": (app + pg) * 1000, "wall_p50_ms": wall * 1000, "queries": count,
                       "query_ms_first": qtime * 1000}
        print(f"{name:36} {len(samples):3} {app * 1000:8.1f} {pg * 1000:7.1f} {(app + pg) * 1000:7.1f} "
              f"{wall * 1000:8.1f} {count:3} {qtime * 1000:6.0f}")
    print()
    for line in model(means, args.cores, args.logins_over):
        print(line)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(table, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
