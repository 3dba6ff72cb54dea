"""``roret report status --plan PLAN --half 2026H1 --pdf FILE --docx FILE [--as USERNAME]``: the
half-yearly status report to the committee from the command line, through the same service as the
page (stored beside the page's reports, audited)."""

import pathlib

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from roret.plans import services
from roret.plans.models import Plan
from roret.plans.status_report import HalfError, parse_half


class Command(BaseCommand):
    help = "Make a report: `status` is the half-yearly status report on a development plan (PDF and Word)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True)
        status = sub.add_parser("status", help="the half-yearly status report on a development plan")
        status.add_argument("--plan", required=True, help="the plan's id or title")
        status.add_argument("--half", required=True, help="the half-year, e.g. 2026H1")
        status.add_argument("--pdf", help="write the PDF here")
        status.add_argument("--docx", help="write the Word document here")
        status.add_argument("--as", dest="username", default="",
                            help="make it as this user sees it (a committee member: small cells hidden)")

    def handle(self, *args, kind, plan, half, pdf, docx, username, **options):
        if not (pdf or docx):
            raise CommandError("give --pdf FILE and/or --docx FILE")
        try:
            parse_half(half)
        except HalfError as exc:
            raise CommandError(str(exc)) from None
        try:
            the_plan = services.find_plan(plan)
        except Plan.DoesNotExist as exc:
            raise CommandError(str(exc)) from None
        actor = None
        if username:
            actor = get_user_model().objects.filter(username=username, is_active=True).first()
            if actor is None or not services.may_make_status_report(actor):
                raise CommandError(f"{username} is not an active user who may make status reports")
        for target in (pdf, docx):
            if target and not pathlib.Path(target).resolve().parent.is_dir():
                raise CommandError(f"the folder of {target} does not exist")
        with tqdm(total=100, desc="Statusrapport", unit="%", disable=None) as bar:
            def progress(percent, message):
                bar.set_postfix_str(str(message)[:40])
                bar.update(max(0, round(percent) - bar.n))

            try:
                stored = services.make_status_report(the_plan, half, actor=actor, channel="cli", progress=progress)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
        for target, field in ((pdf, stored.pdf), (docx, stored.docx)):
            if target:
                with field.open("rb") as source:
                    pathlib.Path(target).write_bytes(source.read())
        self.stdout.write(f"Status report {stored.half} of “{the_plan.title}” made in {stored.seconds:.1f} s"
                          + (" (small cells hidden)" if stored.suppressed else "")
                          + "".join(f"; {name}" for name in (pdf, docx) if name))
