"""``roret economy_check [--exact]``: does the monthly rollup agree with the cost segments (or,
with --exact, with every placement costed afresh from its tariffs)? Lists the months that
differ and exits with 1 if any do; ``roret economy_refresh`` rebuilds both."""

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from roret.economy import rollup


class Command(BaseCommand):
    help = "Compare the monthly rollup with the cost segments (--exact: with the engine) and list months that differ."

    def add_arguments(self, parser):
        parser.add_argument("--exact", action="store_true",
                            help="cost every placement afresh from its tariffs and compare with that "
                                 "(catches raw changes to placements and tariffs as well as to the segments)")

    def handle(self, *args, exact, **options):
        started = time.perf_counter()
        bar = tqdm(desc="Placements" if exact else "Rollup keys", unit="", disable=options["verbosity"] == 0)

        def progress(done, total):
            bar.total = total
            bar.update(done - bar.n)

        found = rollup.differences(progress, exact=exact)
        bar.close()
        against = "the engine, placement by placement" if exact else "the cost segments"
        if not found:
            self.stdout.write(self.style.SUCCESS(
                f"The monthly rollup agrees with {against} ({time.perf_counter() - started:.1f} s)."))
            return
        for d in found:
            self.stdout.write(f"{d['label']}  {d['measure']:8}  rollup {d['stored']:>16}  "
                              f"{'engine' if exact else 'segments'} {d['segments']:>16}  ({d['keys']} keys)")
        months = sorted({d["label"] for d in found})
        raise CommandError(f"The monthly rollup differs from {against} in {len(months)} month(s): "
                           f"{', '.join(months[:12])}{' …' if len(months) > 12 else ''}. "
                           "Run `roret economy_refresh` to rebuild it.")
