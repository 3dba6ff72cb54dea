"""``roret audit verify`` walks the audit log's hash chain; ``roret audit head`` prints its end,
to keep outside roret as an anchor (docs/security.md)."""

import re
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from roret.core import audit_chain

ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


def anchor(value: str) -> tuple[int, str]:
    match = ANCHOR.match(value.strip().lower())
    if not match:
        raise ValueError(f"{value!r} is not ID:HASH (the output of `roret audit head`)")
    return int(match.group(1)), match.group(2)


class Command(BaseCommand):
    help = "Check the audit log's hash chain (verify) or print its head (head)."
    # Runs whatever the system checks say: it is what an auditor uses when something is wrong.
    requires_system_checks = []

    def add_arguments(self, parser):
        # A positional choice rather than subcommands, so Django's own options (-v 0) go anywhere.
        parser.add_argument("what", choices=["verify", "head"],
                            help="verify: walk the chain and report the first edited, inserted or deleted entry "
                                 "(exit status 1 when the chain is broken); head: print the last entry's id and "
                                 "hash (ID:HASH), to keep outside roret as an anchor")
        parser.add_argument("--anchor", action="append", default=[], type=anchor, metavar="ID:HASH",
                            help="with verify: an entry's id and hash kept outside roret; repeatable")

    def handle(self, *args, what, **options):
        if what == "head":
            head = audit_chain.head()
            self.stdout.write(f"{head.last_id}:{head.last_hash}")
            return
        started = time.perf_counter()
        bar = tqdm(desc="Audit chain", unit=" entries", disable=options["verbosity"] == 0)

        def progress(done, total):
            bar.total = total
            bar.update(done - bar.n)

        result = audit_chain.verify(progress=progress, anchors=options["anchor"])
        bar.close()
        span = (f"entries #{result.first_id} to #{result.last_id}" if result.checked else "no entries")
        start = f", starting after the retention checkpoint #{result.checkpoint_id}" if result.checkpoint_id else ""
        if result.ok:
            self.stdout.write(self.style.SUCCESS(
                f"The audit chain is whole: {result.checked} {span}{start}"
                + (f", {result.anchors_checked} anchor(s) matched" if result.anchors_checked else "")
                + f" ({time.perf_counter() - started:.1f} s). Head: {result.last_id or 0}:{result.last_hash}"))
            return
        first = result.first_problem
        for problem in result.problems:
            self.stderr.write(f"  - {problem}")
        raise CommandError(f"The audit chain is broken ({len(result.problems)} problem(s) in {result.checked} "
                           f"{span}{start}). First: {first}")
