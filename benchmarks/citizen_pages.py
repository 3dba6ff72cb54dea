"""Citizen search and the citizen page on a large demo municipality: median and 95th percentile.

Usage (the 100,000-citizen demo in its own SQLite file):

    export DATABASE_URL=sqlite:///$PWD/var/bench100k.sqlite3
    roret migrate && roret demo --seed 2026 --citizens 100000
    python benchmarks/citizen_pages.py --requests 300 [--json]

Requests go through Django's full stack in-process (middleware, session, permission gate,
audit write, template rendering), as the caseworker demo user. Side by side it times the
alternative to the keyed CPR hash: decrypting every stored CPR number to find one.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roret.settings")
os.environ.setdefault("RORET_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from roret.citizens import cpr as cprlib  # noqa: E402
from roret.citizens.models import Citizen  # noqa: E402
from roret.core.models import User  # noqa: E402


def percentile(values, q):
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def timed(client, method, url, data=None):
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(ctx.captured_queries)


def summary(samples):
    ms = [s[0] for s in samples]
    return {"median_ms": round(statistics.median(ms), 2), "p95_ms": round(percentile(ms, 95), 2),
            "max_queries": max(s[1] for s in samples), "requests": len(ms)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    user = User.objects.get(username="caseworker")
    client = Client()
    client.force_login(user)
    scope = Citizen.objects.restrict(user, "view")
    total = Citizen.objects.count()
    visible_ids = list(scope.values_list("pk", flat=True))
    sample = Citizen.objects.filter(pk__in=rng.sample(visible_ids, min(len(visible_ids), args.requests)))
    people = list(sample)
    names = [c.last_name[:4] for c in people] + [f"{c.first_name} {c.last_name[:3]}" for c in people]
    cprs = [c.cpr for c in people]

    for c in people[:10]:  # warm-up: templates, caches, connection
        timed(client, "get", f"/citizens/{c.pk}/")
    results = {
        "citizens_in_database": total,
        "citizens_in_caseworker_scope": len(visible_ids),
        "search_by_name": summary([timed(client, "post", "/citizens/", {"q": rng.choice(names)})
                                   for _ in range(args.requests)]),
        "search_by_cpr": summary([timed(client, "post", "/citizens/", {"q": rng.choice(cprs)})
                                  for _ in range(args.requests)]),
        "citizen_page": summary([timed(client, "get", f"/citizens/{rng.choice(people).pk}/")
                                 for _ in range(args.requests)]),
        "api_citizen": summary([timed(client, "get", f"/api/v1/citizens/{rng.choice(people).pk}")
                                for _ in range(args.requests)]),
    }
    # The alternative: find a CPR number by decrypting every stored one (what the keyed hash avoids).
    target = cprlib.normalise(cprs[0])
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        found = [pk for pk, token in Citizen.objects.values_list("pk", "cpr_encrypted").iterator(chunk_size=5000)
                 if cprlib.decrypt(token) == target]
        runs.append((time.perf_counter() - start) * 1000)
        assert found
    hashed = []
    for _ in range(20):
        start = time.perf_counter()
        assert Citizen.objects.with_cpr(cprs[0]).exists()
        hashed.append((time.perf_counter() - start) * 1000)
    results["cpr_lookup"] = {"keyed_hash_median_ms": round(statistics.median(hashed), 3),
                             "decrypt_scan_median_ms": round(statistics.median(runs), 1),
                             "ratio": round(statistics.median(runs) / statistics.median(hashed), 0)}
    results["database"] = connection.vendor
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for key, value in results.items():
            print(f"{key:32} {value}")
    return results


if __name__ == "__main__":
    main()
