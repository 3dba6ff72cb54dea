"""``roret demo --seed S [--citizens N]``: build the demo municipality (deterministic per seed)."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from roret.citizens.models import Citizen
from roret.core.models import Department


class Command(BaseCommand):
    help = "Build the demo municipality: organisation, offers, citizens, grants, placements and demo users."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same municipality)")
        parser.add_argument("--citizens", type=int, default=1200, help="about how many citizens (default 1200)")
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                            help="the day the demo's history runs up to (YYYY-MM-DD, default today)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if the database has data")

    def handle(self, *args, seed, citizens, today, if_empty, **options):
        from django.conf import settings

        from roret.demo.build import DEMO_USERS, build_demo

        if not settings.DEMO_ALLOWED:
            # The demo's users all have the password "demo": never in a database with real citizens.
            raise CommandError("roret demo only runs with development settings (RORET_DEBUG=1): it creates "
                               "users with the password 'demo', which must never exist in production.")
        if citizens < 50:
            raise CommandError(f"--citizens must be at least 50 (got {citizens})")
        if Department.objects.exists() or Citizen.objects.exists():
            if if_empty:
                self.stdout.write("The database already holds a municipality; the demo is not rebuilt.")
                return
            raise CommandError("The database already holds data; the demo is only built into an empty database "
                               "(use a new database, or `roret flush` first).")
        bars = {}

        def progress(label, done, total):
            bar = bars.get(label)
            if bar is None:
                bar = bars[label] = tqdm(total=total, desc=label, unit=" rækker", disable=options["verbosity"] == 0)
            bar.update(done - bar.n)

        started = time.perf_counter()
        self.stdout.write(f"Building the demo municipality (seed {seed}, about {citizens} citizens)...")
        result = build_demo(seed, citizens, today, progress=progress)
        for bar in bars.values():
            bar.close()
        # Fresh statistics, so the query planner picks the search indexes on a large demo. On
        # PostgreSQL also VACUUM: a table just filled has no visibility map, so every "index-only"
        # scan reads the rows as well until autovacuum comes by (the centre staff's overview at
        # 100,000 citizens: 338 ms before, 222 ms after; docs/benchmarks.md).
        from django.db import connection

        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (a test, or a caller's atomic block): ANALYZE then.
            vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        # The steering pages' opening figures, computed ahead as the nightly refresh does.
        from roret.reports.services import warm_figures

        warm_figures(progress=lambda done, total: progress("Styringstal", done, total))
        for bar in bars.values():
            bar.close()
        self.stdout.write(self.style.SUCCESS(
            f"Demo municipality built in {time.perf_counter() - started:.1f} s: {result['citizens']} citizens, "
            f"{result['placements']} placements ({result['active']} active), {result['waiting']} on the waiting list."))
        self.stdout.write("Demo users (password 'demo'): " + ", ".join(u[0] for u in DEMO_USERS))
        from roret.demo.helm import DEMO_CODE, DEMO_LINK
        from roret.helm.services import show_code

        self.stdout.write(f"A citizen's own page: open {DEMO_LINK} (not logged in) and give the code {show_code(DEMO_CODE)}")
