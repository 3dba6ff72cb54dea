"""``roret plan load FILE`` and ``roret plan show PLAN [--json]``: development plans from the
command line, through the same services as the page."""

import json
import pathlib
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from roret.plans import loading, services
from roret.plans.models import Plan
from roret.plans.table import plan_table


def _json_default(value):
    if isinstance(value, Decimal):
        # Whole amounts as JSON integers (the published totals row reads the same); others as their
        # exact decimal text ("-250.5"), as `roret kpi --json` writes money: never a float.
        return int(value) if value == value.to_integral_value() else str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


class Command(BaseCommand):
    help = "Load a development plan from a JSON or .xlsx file, or show one."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load a plan from FILE (.json or .xlsx)")
        load.add_argument("file")
        load.add_argument("--dry-run", action="store_true", help="check the file and store nothing")
        show = sub.add_parser("show", help="show a plan's table (PLAN: id or title)")
        show.add_argument("plan")
        show.add_argument("--json", dest="as_json", action="store_true", help="print JSON")
        sub.add_parser("list", help="list the plans")

    def handle(self, *args, action, **options):
        if action == "load":
            return self.load(options["file"], options["dry_run"])
        if action == "show":
            return self.show(options["plan"], options["as_json"])
        for plan in Plan.objects.order_by("first_year", "pk"):
            self.stdout.write(f"{plan.pk}\t{plan.first_year}-{plan.last_year}\t{plan.get_status_display()}\t{plan.title}")

    def load(self, name: str, dry_run: bool):
        path = pathlib.Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {name}: {exc.strerror}") from None
        try:
            parsed = loading.parse(path.name, data)
        except loading.PlanFileError as exc:
            raise CommandError(str(exc)) from None
        if not parsed.ok:
            lines = "\n".join(f"  {p}" for p in parsed.problems)
            raise CommandError(f"{name} is refused; nothing is stored:\n{lines}")
        if dry_run:
            self.stdout.write(f"{name}: {len(parsed.rows)} rows, {parsed.years[0]}-{parsed.years[-1]}, "
                              "no errors (dry run: nothing stored)")
            return
        try:
            plan = services.load_plan(parsed, actor=None, source=path.name, channel="cli")
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"Loaded plan {plan.pk}: {plan.title} ({len(parsed.rows)} rows, "
                          f"{plan.first_year}-{plan.last_year})")

    def show(self, text: str, as_json: bool):
        try:
            plan = services.find_plan(text)
        except Plan.DoesNotExist as exc:
            raise CommandError(str(exc)) from None
        table = plan_table(plan)
        if as_json:
            self.stdout.write(json.dumps(table.as_dict(), default=_json_default, ensure_ascii=False, indent=2))
            return
        width = max([len(r.label) for r in table.rows] + [10])
        head = "".join(f"{y:>12}" for y in table.years)
        self.stdout.write(f"{plan.title} ({plan.unit})")
        self.stdout.write(f"{'':6}{'':{width}}{head}")

        def cells(values):
            return "".join(f"{'' if v is None else v:>12}" for v in values)

        for row in table.rows:
            for kind, values in row.values.items():
                if any(v is not None for v in values):
                    self.stdout.write(f"{row.track or '':6}{row.label[:width]:{width}}{cells(values)}  {kind}")
        self.stdout.write(f"{'':6}{'Investeringer i alt':{width}}{cells(table.investment_totals)}")
        self.stdout.write(f"{'':6}{'Effekter i alt':{width}}{cells(table.effect_totals)}")
        self.stdout.write(f"{'':6}{'Netto':{width}}{cells(table.totals)}")
