"""``roret dst export --month 2026-10 --out FILE [--as USERNAME]`` and ``roret dst check --month
2026-10``: the reporting to Statistics Denmark from the command line, through the same functions as
the economist's page (roret.reports.dst).

``export`` writes the month's CSV file (CPR numbers: audited as an export from the command line).
A month with records that break DST's rules is not written: the problems are listed (pseudonym,
placement, field, what is wrong) and the exit status is 2, as is ``check``'s when it finds any."""

import pathlib

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from roret.reports import dst


class Command(BaseCommand):
    help = "Statistics Denmark's reporting of adult social services: `export` a month's file, `check` a month."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the month's file (semicolon-separated UTF-8 CSV)")
        export.add_argument("--month", required=True, help="the reporting month, e.g. 2026-10")
        export.add_argument("--out", required=True, help="write the file here")
        export.add_argument("--as", dest="username", default="",
                            help="export as this user (an economist); by default as the system")
        check = sub.add_parser("check", help="list the month's counts per service and its problems")
        check.add_argument("--month", required=True, help="the reporting month, e.g. 2026-10")

    def handle(self, *args, action, month, **options):
        try:
            the_month = dst.parse_month(month)
        except dst.MonthError as exc:
            raise CommandError(str(exc), returncode=2) from None
        with tqdm(desc=f"DST {the_month.value}", unit=" records", disable=options["verbosity"] == 0 or None) as bar:
            def progress(done, total):
                bar.total = total
                bar.update(done - bar.n)

            if action == "check":
                return self.show_check(dst.report(the_month, progress=progress))
            actor = self.actor(options["username"])
            out = pathlib.Path(options["out"])
            if not out.resolve().parent.is_dir():
                raise CommandError(f"the folder of {out} does not exist")
            try:
                built, data = dst.export(actor, the_month, channel="cli", progress=progress)
            except dst.Refused as refused:
                bar.close()
                self.list_problems(refused.problems)
                raise CommandError(f"{the_month.value} not exported: {len(refused.problems)} problem(s) "
                                   "must be corrected first", returncode=2) from None
        out.write_bytes(data)
        self.stdout.write(f"{the_month.value}: {len(built.records)} records, {len(built.citizen_ids)} citizens "
                          f"written to {out}")

    def actor(self, username):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or not dst.may_export(user):
            raise CommandError(f"{username} is not an active user who may report to Statistics Denmark")
        return user

    def show_check(self, built):
        for row in built.counts():
            self.stdout.write(f"{row['code'] or '?':>4}  {row['records']:>6} records  {row['citizens']:>6} citizens  "
                              f"{row['label']}")
        if built.problems:
            self.list_problems(built.problems)
            raise CommandError(f"{built.month.value}: {len(built.problems)} problem(s)", returncode=2)
        self.stdout.write(f"{built.month.value}: no problems, {len(built.records)} records")

    def list_problems(self, problems):
        for problem in problems:
            self.stderr.write(str(problem))
