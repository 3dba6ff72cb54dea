"""The half-yearly status report and the development plan pages on a large demo, timed.

Usage (on a copy of the 100,000-citizen demo; the report and the pages write rows):

    cp var/bench100k.sqlite3 /tmp/plans.sqlite3
    export DATABASE_URL=sqlite:////tmp/plans.sqlite3
    roret migrate                                  # a demo built before the plans app has no tables
    python benchmarks/status_report.py [--half 2026H1] [--runs 3] [--requests 7] [--json]

A demo built before the plans app existed gets the demo's plans (the 2020-2024 catalogue and the
2025-2029 plan with its rules, lights and staff figures) added first, through the same demo code
``roret demo`` runs.

Measured, in this process and this run:

- **the status report job's work** (``roret.plans.services.make_status_report``: build the content,
  render PDF and Word, store them) as the economist and as the committee (suppressed), ``--runs``
  times each; the goal of issue 10 is under 30 s;
- **side by side, the KPI report job's work** (the half-year's KPI report as PDF, what a department
  makes today for the committee and the status report contains as one section), the same number of
  times: the ratio says what the plan, realised effects, lights, capacity and balance sections add;
- **the plan pages** (the plan's table, its realised effects, the status report read in the
  browser) in-process through Django's whole stack as the economist, ``--requests`` times after a
  warm-up: median and 95th percentile; the goal is under 1 s median.

Timings on these shared 2-core machines are noisy and differ between machines: compare within one
run, and quote medians.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from common import percentile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roret.settings")


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        out.append(time.perf_counter() - began)
    return out


def ensure_plans(today):
    from roret.plans.models import Plan

    if Plan.objects.exists():
        return
    from django.core.management import call_command

    print("adding the demo's plans to this database ...", flush=True)
    call_command("plans_demo", today=today)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", default="", help="the half-year (default: the latest completed)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    import datetime

    from django.test import Client
    from django.utils import translation

    import roret
    from roret.core import periods
    from roret.core.models import User
    from roret.plans import services, status_report
    from roret.plans.models import Plan, StatusReportFile
    from roret.reports.services import record_export, render_report, report_context

    print(f"roret from {roret.__file__}; database {os.environ.get('DATABASE_URL', 'default')}", flush=True)
    today = datetime.date.today()
    ensure_plans(today)
    half_period = (status_report.parse_half(args.half) if args.half
                   else periods.period_of("half", today).previous(1)[0])
    half = status_report.half_value(half_period)
    plan = Plan.objects.filter(first_year__lte=half_period.start.year, last_year__gte=half_period.start.year) \
        .order_by("-first_year").first()
    if plan is None:
        sys.exit(f"no plan covers {half}")
    economist = User.objects.get(username="economist")
    committee = User.objects.get(username="committee")
    results = {"half": half, "plan": plan.title}

    def status(user):
        stored = services.make_status_report(plan, half, actor=user, channel="cli")
        return stored

    def kpi_pdf(user):
        with translation.override("da"):
            period, label = half_period, f"{half_period.start.year}-H{1 if half_period.start.month == 1 else 2}"
            context = report_context(user, period, label)
            render_report(context, "pdf")
            record_export(user, context, "pdf", channel="cli")

    # Turns: status (economist), KPI PDF (economist), status (committee), KPI PDF (committee).
    times = {"status_economist": [], "kpi_pdf_economist": [], "status_committee": [], "kpi_pdf_committee": []}
    for round_ in range(args.runs):
        for key, fn in (("status_economist", lambda: status(economist)), ("kpi_pdf_economist", lambda: kpi_pdf(economist)),
                        ("status_committee", lambda: status(committee)),
                        ("kpi_pdf_committee", lambda: kpi_pdf(committee))):
            times[key] += timed(fn, 1)
            print(f"  round {round_ + 1}: {key} {times[key][-1]:.2f} s", flush=True)
    for key, values in times.items():
        results[key] = {"median_s": round(statistics.median(values), 2), "runs": [round(v, 2) for v in values]}
    for who in ("economist", "committee"):
        results[f"ratio_{who}"] = round(results[f"status_{who}"]["median_s"] / results[f"kpi_pdf_{who}"]["median_s"], 2)

    client = Client()
    client.force_login(economist)
    stored = StatusReportFile.objects.filter(plan=plan, suppressed=False).order_by("-pk").first()
    pages = {"plan": f"/plans/{plan.pk}/", "plan_effects": f"/plans/{plan.pk}/effects/",
             "status_list": f"/plans/{plan.pk}/status/", "status_read": f"/plans/{plan.pk}/status/{stored.pk}/"}
    results["pages"] = {}
    for name, path in pages.items():
        assert client.get(path).status_code == 200, path
        values = [v * 1000 for v in timed(lambda path=path: client.get(path), args.requests)]
        results["pages"][name] = {"path": path, "median_ms": round(statistics.median(values)),
                                  "p95_ms": round(percentile(values, 95))}
        print(f"  {path}: median {results['pages'][name]['median_ms']} ms", flush=True)

    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return
    print(f"\nStatus report {half} of “{plan.title}” ({args.runs} runs each, median):")
    for who in ("economist", "committee"):
        print(f"  {who:10} status report {results[f'status_{who}']['median_s']:6.2f} s   "
              f"KPI report PDF {results[f'kpi_pdf_{who}']['median_s']:6.2f} s   "
              f"ratio {results[f'ratio_{who}']:.2f}")
    print("Pages (economist):")
    for figures in results["pages"].values():
        print(f"  {figures['path']:32} median {figures['median_ms']:5} ms   p95 {figures['p95_ms']:5} ms")


if __name__ == "__main__":
    main()
