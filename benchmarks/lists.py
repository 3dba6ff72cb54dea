"""The six list pages (issue 14, "lists that scale"): median, 95th percentile and queries per page.

Usage (on a copy of the 100,000-citizen demo; the pages write audit rows and sessions):

    cp var/bench100k.sqlite3 /tmp/lists-after.sqlite3          # and /tmp/lists-before.sqlite3
    DATABASE_URL=sqlite:////tmp/lists-after.sqlite3 PYTHONPATH=. python benchmarks/lists.py --label after
    DATABASE_URL=sqlite:////tmp/lists-before.sqlite3 PYTHONPATH=/path/to/base/tree \\
        python benchmarks/lists.py --label before

Each list page is requested as the role that uses it in four ways: as it opens, with a filter, sorted
on another column, and at page 20. Each is requested ``--requests`` times after one warm-up,
in-process through Django's whole stack (sessions, middleware, the permission gate, audit rows,
templates) as that user. The queries of one request are counted. Run the same script on the tree
before the change (``PYTHONPATH``) to see what a user has today: there the filter, sort and page
parameters are ignored (the page as it was is measured), and the citizen page is the empty
search form, since it had no list.
"""

import argparse
import json
import os
import statistics
import sys
import time

from common import client_for, percentile

#: The target of issue 14, per list page.
GOAL_P95_MS = 150


def pages():
    """[(list, role, variant, url)]: the list pages as their users open, filter, sort and page them."""
    from roret.core.models import User
    from roret.offers.models import Offer

    team = User.objects.get(username="caseworker").team_id
    offer = Offer.objects.order_by("pk").values_list("pk", flat=True).first()
    lists = [
        ("citizens", "caseworker", "/citizens/", f"team={team}", "sort=-age"),
        ("cases", "caseworker", "/visitation/", "deadline=past", "sort=citizen"),
        ("follow-ups", "caseworker", "/outcomes/follow-ups/", "status=overdue", "sort=citizen"),
        ("transitions", "caseworker", "/visitation/transitions/", f"offer={offer}", "sort=citizen"),
        ("compliance", "centre_staff", "/outcomes/compliance/", "reason=follow_up", "sort=citizen"),
        ("offers", "caseworker", "/offers/", "kind=own", "sort=-occupied"),
    ]
    out = []
    for name, role, url, flt, sort in lists:
        for variant, query in (("default", ""), ("filter", flt), ("sort", sort), ("page 20", "page=20")):
            out.append((name, role, variant, f"{url}?{query}" if query else url))
    return out


def measure(client, url, requests):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:   # the warm-up, counted
        response = client.get(url)
    status, queries, times = response.status_code, len(ctx.captured_queries), []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return {"status": status, "queries": queries, "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 95), 1), "n": requests}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--label", default="")
    parser.add_argument("--only", default="", help="comma-separated list names (citizens,cases,...)")
    parser.add_argument("--json", dest="json_out", default="", help="write the rows to this file")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roret.settings")
    import django

    django.setup()
    import roret

    print(f"# {args.label or 'lists'}: roret from {roret.__file__}, database {os.environ.get('DATABASE_URL', '')}",
          flush=True)
    clients, rows = {}, []
    only = set(filter(None, args.only.split(",")))
    print(f"{'list':<12} {'variant':<8} {'role':<13} {'status':>6} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for name, role, variant, url in pages():
        if only and name not in only:
            continue
        client = clients.setdefault(role, client_for(role))
        row = {"label": args.label, "list": name, "variant": variant, "role": role, "url": url,
               **measure(client, url, args.requests)}
        rows.append(row)
        flag = "" if row["p95_ms"] < GOAL_P95_MS else "  > goal"
        print(f"{name:<12} {variant:<8} {role:<13} {row['status']:>6} {row['queries']:>7} {row['median_ms']:>10} "
              f"{row['p95_ms']:>8}{flag}", flush=True)
    if args.json_out:
        with open(args.json_out, "w") as fh:
            json.dump(rows, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
