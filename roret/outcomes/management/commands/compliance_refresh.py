"""``roret compliance_refresh``: work out the stored quality-of-life compliance list from its rules
(after bulk writes; nightly, with the steering figures), or check it against them."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from roret.outcomes import compliance


class Command(BaseCommand):
    help = "Rebuild the stored quality-of-life compliance list from its rules, or --check it against them."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                            help="the day the list is built for (YYYY-MM-DD; default today)")
        parser.add_argument("--check", action="store_true",
                            help="compare the stored rows with the rules for every citizen, without writing")

    def handle(self, *args, today, check=False, **options):
        today = today or datetime.date.today()
        started = time.perf_counter()
        if check:
            if not compliance.current(today):
                raise CommandError(f"The stored list was built after {today:%d.%m.%Y}; it cannot be checked for that day.")
            found = compliance.differences(today)
            for row in found[:50]:
                self.stdout.write(f"citizen {row[0]}: {row[1]} {row[2]} only in the {row[5]} ({row[3]}, latest {row[4]})")
            if found:
                raise CommandError(f"{len(found)} rows differ between the stored list and its rules.")
            self.stdout.write(self.style.SUCCESS(
                f"The stored list agrees with its rules for {today:%d.%m.%Y} ({time.perf_counter() - started:.1f} s)."))
            return
        rows = compliance.rebuild(today)
        self.stdout.write(self.style.SUCCESS(
            f"{rows} rows of the quality-of-life compliance list built in {time.perf_counter() - started:.1f} s."))
