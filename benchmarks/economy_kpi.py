"""Economy benchmark: the full KPI set for one year on a demo municipality, by roret's engine
(SQL over cost segments), a straightforward per-placement Python loop and pandas, in one run.

    # build the 100,000-citizen demo once into its own SQLite file (about 10 minutes), then time:
    DATABASE_URL=sqlite:////tmp/roret-bench100k.sqlite3 python benchmarks/economy_kpi.py --build 100000
    DATABASE_URL=sqlite:////tmp/roret-bench100k.sqlite3 python benchmarks/economy_kpi.py --year 2025

Prints JSON (median seconds per method, ratios, whether the three answers agree) and writes it
with --out. Results are recorded in docs/benchmarks.md. Needs the bench extra for pandas.
"""

from __future__ import annotations

import argparse
import datetime
import os
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roret.settings")
from common import emit  # noqa: E402  (benchmarks/, the script's own folder)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=int, default=None, help="first build a demo with this many citizens")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=datetime.date(2026, 11, 23),
                        help="the demo's today when building (default 2026-11-23)")
    parser.add_argument("--year", type=int, default=None, help="the year to compute (default: the last full year)")
    parser.add_argument("--engine-repeats", type=int, default=5)
    parser.add_argument("--pandas-repeats", type=int, default=3)
    parser.add_argument("--loop-repeats", type=int, default=1)
    parser.add_argument("--out", type=pathlib.Path, default=None)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from roret.core import periods
    from roret.economy.bench import benchmark
    from roret.economy.models import CostSegment

    if args.build:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command("demo", seed=args.seed, citizens=args.build, today=args.today)
        print(f"built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    year = args.year or (args.today.year - 1)
    period = periods.Period(datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    result = benchmark(period, {"engine_cold": args.engine_repeats, "engine": args.engine_repeats,
                                "pandas": args.pandas_repeats, "loop": args.loop_repeats})
    from roret.citizens.models import Citizen
    from roret.placements.models import Placement

    result["data"] = {"database": connection.vendor, "citizens": Citizen.objects.count(),
                      "placements": Placement.objects.count(), "cost_segments": CostSegment.objects.count(),
                      "placements_in_period": Placement.objects.overlapping(period.start, period.end).count()}
    return emit(result, args.out, default=str)


if __name__ == "__main__":
    main()
