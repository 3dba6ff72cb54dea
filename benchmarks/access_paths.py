"""The decision-to-placement path and the report pages: time, queries and period tables.

Usage (on a copy of a demo database, since the decision path writes for real and commits):

    cp var/roret.sqlite3 /tmp/bench.sqlite3
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python benchmarks/access_paths.py [--cases 20] [--json]

Everything goes through Django's full stack in-process (middleware, session, the permission
gate, the services, audit rows, and the cost refresh that follows a commit), as the demo users:

- **decision -> placement**: for each of ``--cases`` citizens in the caseworker's team, with a
  fresh assessment made beforehand (not timed), the caseworker POSTs a grant decision for an own
  day offer and then POSTs the placement on the decision page. Each POST is timed and its
  queries counted; medians are reported.
- **KPI report** (``/reports/kpi/``) as the economist and the committee, and the economy
  overview (``/economy/``) as the economist: median of ``--repeat`` requests, with the number of
  queries and of temporary period tables (``CREATE TEMPORARY TABLE``) per request.
"""

import argparse
import datetime
import json
import os
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


def timed(client, method, url, data=None, expect=(200, 302)):
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code not in expect:
        raise SystemExit(f"{method.upper()} {url}: {response.status_code}")
    tables = sum(1 for q in ctx.captured_queries if "CREATE TEMPORARY TABLE" in q["sql"].upper())
    return elapsed, len(ctx.captured_queries), tables, response


def median(samples, i):
    return round(statistics.median(s[i] for s in samples), 1)


def decision_path(cases: int) -> dict:
    from roret.citizens.models import Citizen
    from roret.core.models import Term, User
    from roret.offers.models import Offer
    from roret.visitation import services

    user = User.objects.get(username="caseworker")
    client = Client()
    client.force_login(user)
    # An own day offer (SEL104): placements there never clash with a residential stay.
    offer = (Offer.objects.filter(legal_basis="SEL104", provider__kind="own", requires_visitation=True)
             .order_by("pk").first())
    need = Term.objects.filter(group="support_need").order_by("pk").first()
    today = datetime.date.today()
    taken = set(offer.placements.values_list("citizen_id", flat=True))
    people = [c for c in Citizen.objects.restrict(user, "view").order_by("pk")[:cases * 3] if c.pk not in taken][:cases]
    decide, place = [], []
    for citizen in people:
        assessment = services.assess(citizen, actor=user, hopes="Benchmark: at komme ud blandt andre",
                                     support_need=need)
        t = timed(client, "post", f"/visitation/assessments/{assessment.pk}/decision/", {
            "kind": "grant", "paragraph": "SEL104", "offer": offer.pk, "start": today.isoformat(),
            "review_on": (today + datetime.timedelta(days=365)).isoformat(),
            "justification": "Benchmark", "intrusive_reason": "Benchmark: det mindst indgribende er prøvet"},
            expect=(302,))
        decide.append(t)
        decision_url = t[3]["Location"]
        place.append(timed(client, "post", decision_url, {
            "offer": offer.pk, "start": today.isoformat(), "over_occupancy_reason": "Benchmark"}, expect=(302,)))
    return {"cases": len(people), "offer": offer.name,
            "decide_median_ms": median(decide, 0), "decide_queries": median(decide, 1),
            "place_median_ms": median(place, 0), "place_queries": median(place, 1),
            "path_median_ms": round(statistics.median(d[0] + p[0] for d, p in zip(decide, place, strict=True)), 1),
            "path_queries": round(statistics.median(d[1] + p[1] for d, p in zip(decide, place, strict=True)), 1)}


def page(username: str, url: str, repeat: int) -> dict:
    from roret.core.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    timed(client, "get", url)  # warm-up
    samples = [timed(client, "get", url, expect=(200,)) for _ in range(repeat)]
    return {"user": username, "url": url, "median_ms": median(samples, 0), "queries": median(samples, 1),
            "period_tables": median(samples, 2)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from roret.citizens.models import Citizen

    out = {"citizens": Citizen.objects.count(), "decision_to_placement": decision_path(args.cases),
           "pages": [page("economist", "/reports/kpi/", args.repeat), page("committee", "/reports/kpi/", args.repeat),
                     page("economist", "/economy/", args.repeat)]}
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    d = out["decision_to_placement"]
    print(f"{out['citizens']} citizens; decision -> placement over {d['cases']} cases in {d['offer']}:")
    print(f"  decision POST {d['decide_median_ms']} ms, {d['decide_queries']} queries; placement POST "
          f"{d['place_median_ms']} ms, {d['place_queries']} queries; path {d['path_median_ms']} ms, "
          f"{d['path_queries']} queries (medians)")
    for p in out["pages"]:
        print(f"  {p['user']:>10} {p['url']:<16} {p['median_ms']} ms, {p['queries']} queries, "
              f"{p['period_tables']} period tables")


if __name__ == "__main__":
    main()
