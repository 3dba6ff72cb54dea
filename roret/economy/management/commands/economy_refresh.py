"""``roret economy_refresh``: rebuild every placement's cost segments and the monthly rollup (after
imports, after raw changes, nightly)."""

import datetime
import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from roret.economy.services import refresh_segments


class Command(BaseCommand):
    help = "Rebuild the cost segments the KPIs sum, for every placement, and the monthly rollup of them."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                            help="the day the horizon for open placements counts from (YYYY-MM-DD)")
        parser.add_argument("--no-warm", action="store_true",
                            help="do not compute the steering pages' opening figures ahead")

    def handle(self, *args, today, no_warm=False, **options):
        started = time.perf_counter()
        bar = tqdm(desc="Cost segments", unit=" placements", disable=options["verbosity"] == 0)

        def progress(done, total):
            bar.total = total
            bar.update(done - bar.n)

        result = refresh_segments(today=today, progress=progress)
        bar.close()
        self.stdout.write(self.style.SUCCESS(
            f"{result['segments']} cost segments for {result['placements']} placements and "
            f"{result['rollup_rows']} rows of the monthly rollup in "
            f"{time.perf_counter() - started:.1f} s"
            + (f"; {result['missing_hours']} hourly placements without weekly hours" if result["missing_hours"] else "")
            + (f"; {result['missing_tariff']} placements with days before any tariff" if result["missing_tariff"] else "")))
        if no_warm:
            return
        from roret.reports.services import warm_figures

        started = time.perf_counter()
        bar = tqdm(desc="Steering figures", unit=" scopes", disable=options["verbosity"] == 0)
        warm_figures(progress=progress)
        bar.close()
        self.stdout.write(f"The steering pages' opening figures computed in {time.perf_counter() - started:.1f} s.")
