"""``roret retention``: anonymise closed cases, delete old job files and old audit entries after
the periods in the settings; ``--dry-run`` shows what would go (docs/security.md)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from roret.core import retention


class Command(BaseCommand):
    help = ("Anonymise closed cases, delete background jobs' old output files and the audit log's oldest "
            "entries, after the retention periods (RETENTION_* settings). --dry-run shows what would go.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="show what would go; change nothing")
        parser.add_argument("--only", default="", help="comma-separated steps: cases, form_tokens, job_files, audit_log")
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                            help="the day the periods count back from (YYYY-MM-DD; default today)")
        parser.add_argument("--case-years", type=int, default=None, help="override RETENTION_CASE_YEARS")
        parser.add_argument("--job-file-days", type=int, default=None, help="override RETENTION_JOB_FILE_DAYS")
        parser.add_argument("--audit-years", type=int, default=None, help="override RETENTION_AUDIT_YEARS")
        parser.add_argument("--list", dest="show", type=int, default=20, metavar="N",
                            help="with --dry-run, show the first N of each step (0: all)")

    def handle(self, *args, dry_run, only, today, show, **options):
        try:
            policy = retention.Policy.from_settings(today, case_years=options["case_years"],
                                                    job_file_days=options["job_file_days"],
                                                    audit_years=options["audit_years"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        quiet = options["verbosity"] == 0
        self.stdout.write(f"Retention {'(dry run: nothing is changed) ' if dry_run else ''}counted back from "
                          f"{policy.today:%Y-%m-%d}: closed cases {policy.case_years} years, job files "
                          f"{policy.job_file_days} days, audit log {policy.audit_years} years.")
        bars = []

        def progress_for(step):
            bar = tqdm(desc=step.title, unit=" rows", disable=quiet or dry_run)
            bars.append(bar)

            def progress(done, total):
                bar.total = total
                bar.update(done - bar.n)

            return progress

        try:
            results = retention.run(policy, dry_run=dry_run, only={s for s in only.split(",") if s.strip()} or None,
                                    progress_for=progress_for)
        except (ValueError, retention.ChainBroken) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars:
                bar.close()
        for result in results:
            verb = "would go" if dry_run else "done"
            self.stdout.write(self.style.SUCCESS(f"{result.title}: {result.count} {verb}"))
            if dry_run:
                shown = result.lines if show == 0 else result.lines[:show]
                for line in shown:
                    self.stdout.write(f"  {line}")
                if len(shown) < len(result.lines):
                    self.stdout.write(f"  ... and {len(result.lines) - len(shown)} more (--list 0 shows all)")
