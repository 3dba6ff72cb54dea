"""The balance page (department and one centre): median time of N requests, beside the same figures
computed the way a user would without roret's SQL (a queryset dump into pandas, counted per citizen).

Usage (on a copy of the 100,000-citizen demo with the balance tables and data added):

    cp /work/main/var/bench100k.sqlite3 var/balance100k.sqlite3
    export DATABASE_URL=sqlite:///$PWD/var/balance100k.sqlite3 RORET_DEBUG=1
    roret migrate && roret balance_demo
    python benchmarks/balance_page.py [--requests 7] [--json]

Each page is requested in-process through Django's whole stack (sessions, middleware, the role
check, templates) as the demo's economist (the department and a centre), the committee (the
department, suppressed) and a centre leader (their centre), after one first request made with no
stored record figures (timed apart: "first ms"). The
"naive" rows are the alternative: read every WHO-5 measurement, goal rating, follow-up,
inquiry, assessment and placement row out of the database into pandas and count the people and
practice figures per half-year and per citizen there (the economy figures are the economy's own
KPI layer in both, so they are left out of the comparison); it is timed in the same process, taking
turns with the page, and checked to give the same numbers as roret.balance.figures.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

from common import client_for

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roret.settings")
    os.environ.setdefault("RORET_DEBUG", "1")
    import django

    django.setup()
    import roret

    return roret.__file__


def naive(centre_id, halves, today):
    """The people and practice figures from a dump of the rows into pandas, per citizen."""
    import pandas as pd

    from roret.outcomes.models import FollowUp, GoalProgress, Measurement
    from roret.placements.models import Placement
    from roret.visitation.models import Assessment, Inquiry

    placements = pd.DataFrame(list(Placement.objects.values_list("citizen_id", "start", "end",
                                                                 "offer__provider__centre_id")),
                              columns=["citizen", "start", "end", "centre"])
    if centre_id is not None:
        placements = placements[placements.centre == centre_id]
    who5 = pd.DataFrame(list(Measurement.objects.filter(instrument="WHO-5").values_list(
        "citizen_id", "measured_on", "score", "band")), columns=["citizen", "day", "score", "band"])
    who5 = who5.sort_values(["citizen", "day"])
    who5["previous"] = who5.groupby("citizen")["score"].shift(1)
    goals = pd.DataFrame(list(GoalProgress.objects.values_list("goal__citizen_id", "follow_up__held_on", "progress")),
                         columns=["citizen", "day", "progress"])
    follow_ups = pd.DataFrame(list(FollowUp.objects.values_list("citizen_id", "due_on", "held_on")),
                              columns=["citizen", "due", "held"])
    inquiries = pd.DataFrame(list(Inquiry.objects.values_list("citizen_id", "deadline", "closed_on")),
                             columns=["citizen", "deadline", "closed"])
    assessments = pd.DataFrame(list(Assessment.objects.values_list("citizen_id", "assessed_on")),
                               columns=["citizen", "day"])
    out = {}
    for h in halves:
        last = h.end - datetime.timedelta(days=1)
        ended = placements["end"].isna() | (placements["end"] > h.start)
        during = set(placements[(placements.start < h.end) & ended].citizen)
        on_last = set(placements[(placements.start <= last) & (placements["end"].isna() | (placements["end"] > last))]
                      .citizen)

        def scoped(frame, day, who=during, h=h):
            rows = frame[(frame[day] >= h.start) & (frame[day] < h.end)]
            return rows if centre_id is None else rows[rows.citizen.isin(who)]

        m = scoped(who5, "day")
        year_ago = last.replace(year=last.year - 1)
        measured = set(who5[(who5.day > year_ago) & (who5.day <= last)].citizen)
        cutoff = last.replace(year=last.year - 2)
        assessed = set(assessments[(assessments.day > cutoff) & (assessments.day <= last)].citizen)
        g = scoped(goals.dropna(subset=["day"]), "day")
        f = scoped(follow_ups[follow_ups.due < today], "due")
        i = scoped(inquiries[inquiries.deadline < today], "deadline")
        out[h] = {
            "who5_mean": round(m.score.mean(), 2) if len(m) else None,
            "who5_low": round(100 * m.band.isin(["high_risk", "at_risk"]).mean(), 2) if len(m) else None,
            "who5_measured": round(100 * len(on_last & measured) / len(on_last), 2) if on_last else None,
            "who5_change": round((m.score - m.previous).mean(), 2) if m.previous.notna().any() else None,
            "goals": round(100 * g.progress.isin(["achieved", "progressing"]).mean(), 2) if len(g) else None,
            "follow_ups": round(100 * (f.held.notna() & (f.held <= f.due)).mean(), 2) if len(f) else None,
            "assessments": round(100 * len(on_last & assessed) / len(on_last), 2) if on_last else None,
            "deadlines": round(100 * (i.closed.notna() & (i.closed <= i.deadline)).mean(), 2) if len(i) else None,
        }
    return out


def timed(fn, n):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    where = setup()
    from django.db import connection

    from roret.balance.figures import PEOPLE, PRACTICE, balance, last_halves
    from roret.core.models import Centre, User

    today = datetime.date.today()
    halves = last_halves(today)
    leader = User.objects.get(username="centre_leader")
    centre_id = leader.centre_id or Centre.objects.order_by("name").values_list("pk", flat=True).first()
    pages = [("economist", "/balance/"), ("economist", f"/balance/centre/{centre_id}/"),
             ("committee", "/balance/"), ("centre_leader", f"/balance/centre/{centre_id}/")]
    # The check: the page's figures and the naive ones agree.
    for scope in (None, centre_id):
        ours = balance(scope, halves=halves, today=today)
        theirs = naive(scope, halves, today)
        for h in halves:
            for key, value in theirs[h].items():
                mine = ours.value(key, h).value
                if (mine is None) != (value is None) or (mine is not None and abs(float(mine) - float(value)) > 0.011):
                    raise SystemExit(f"disagree: {scope} {h.label} {key}: balance {mine}, naive {value}")
    from roret.balance.models import StoredFigures

    results = []
    for role, url in pages:
        client = client_for(role)
        # The first request after the stored record figures went old counts them (the economy's
        # stored figures stay: they have their own versions).
        StoredFigures.objects.all().delete()
        cold = timed(lambda c=client, u=url: c.get(u), 1)[0]
        times = timed(lambda c=client, u=url: c.get(u), args.requests)
        results.append({"what": f"page {url} as {role}", "median_ms": round(statistics.median(times), 1),
                        "max_ms": round(max(times), 1), "n": len(times), "first_ms": round(cold, 1)})
    for scope, label in ((None, "department"), (centre_id, "centre")):
        runs = {
            "roret.balance.figures, stored": lambda s=scope: balance(
                s, halves=halves, today=today, perspectives=(PEOPLE, PRACTICE)),
            "roret.balance.figures, counted afresh in SQL": lambda s=scope: balance(
                s, halves=halves, today=today, perspectives=(PEOPLE, PRACTICE), use_stored=False),
            "naive: queryset dump into pandas": lambda s=scope: naive(s, halves, today),
        }
        # Taking turns, so the three see the same machine noise.
        times = {name: [] for name in runs}
        for _ in range(args.requests):
            for name, fn in runs.items():
                times[name] += timed(fn, 1)
        for name, values in times.items():
            results.append({"what": f"people+practice ({label}): {name}", "median_ms":
                            round(statistics.median(values), 1), "max_ms": round(max(values), 1), "n": len(values)})
    from roret.citizens.models import Citizen

    meta = {"roret": where, "database": connection.settings_dict["NAME"], "vendor": connection.vendor,
            "citizens": Citizen.objects.count(), "today": today.isoformat()}
    if args.json:
        print(json.dumps({"meta": meta, "results": results}, indent=2))
        return
    print(f"roret from {meta['roret']}; {meta['citizens']} citizens on {meta['vendor']} ({meta['database']})")
    print(f"{'what':70} {'median ms':>10} {'max ms':>10} {'n':>3} {'first ms':>10}")
    for r in results:
        print(f"{r['what']:70} {r['median_ms']:>10} {r['max_ms']:>10} {r['n']:>3} {r.get('first_ms', ''):>10}")


if __name__ == "__main__":
    main()
