"""``roret kpi --from 2024-01-01 --to 2025-01-01 [--json]``: the period's KPIs for the
municipality's own citizens (cost_total = cost_own + cost_external; income from sold places apart)."""

import datetime
import json as jsonlib
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from roret.core import periods
from roret.economy import kpi
from roret.economy.services import current_horizon
from roret.reports.toolkit.charts import format_da


def _date(option: str, text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise CommandError(f"{option} must be a date as YYYY-MM-DD (got {text!r})") from None


def _json_default(value):
    if isinstance(value, Decimal):
        # Kroner and percentages as their exact decimal text ("822600.00"), as the API writes
        # Decimal fields: a float would round money on its way through JSON.
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


class Command(BaseCommand):
    help = "Print a period's KPIs (price, quantity, self-sufficiency, expensive cases, reimbursement)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first day of the period (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", required=True,
                            help="the day after the period (YYYY-MM-DD; the period is [from, to))")
        parser.add_argument("--json", dest="as_json", action="store_true", help="print JSON")
        parser.add_argument("--dimension", action="append", choices=sorted(kpi.DIMENSIONS),
                            help="breakdown dimensions (default: paragraph, own_external, account_function, centre)")
        parser.add_argument("--threshold", type=Decimal, default=None,
                            help="yearly cost (kr.) above which a citizen is an expensive case (default 2,000,000)")
        parser.add_argument("--durations", action="store_true", help="add length-of-stay figures")

    def handle(self, *args, start, end, as_json, dimension, threshold, durations, **options):
        try:
            period = periods.Period(_date("--from", start), _date("--to", end))
        except periods.PeriodError as exc:
            raise CommandError(str(exc)) from None
        horizon = current_horizon()
        if period.end > horizon:
            raise CommandError(f"--to must be on or before {horizon}: open placements are costed up to there "
                               "(run `roret economy_refresh` to move the horizon)")
        if threshold is not None and threshold < 0:
            raise CommandError("--threshold must not be negative")
        dims = tuple(dimension) if dimension else ("paragraph", "own_external", "account_function", "centre")
        result = kpi.kpis(period, dims, threshold=threshold, duration_by=() if durations else None)
        data = result.as_dict()
        if as_json:
            self.stdout.write(jsonlib.dumps(data, default=_json_default, ensure_ascii=False, indent=2))
            return
        t = result.total
        self.stdout.write(f"KPIs {period.label} ({period.start} – {period.end}, {period.days} days)")
        for label, value in [
            ("cost_total", format_da(kpi.kroner(t.cost_total), 2)), ("cost_own", format_da(kpi.kroner(t.cost_own), 2)),
            ("cost_external", format_da(kpi.kroner(t.cost_external), 2)),
            ("income_sold", format_da(kpi.kroner(t.income_sold), 2)), ("place_days", format_da(t.place_days)),
            ("citizens", t.citizens), ("placements", t.placements),
            ("self_sufficiency_days", f"{format_da(t.self_sufficiency_days, 2)} %"),
            ("self_sufficiency_cost", f"{format_da(t.self_sufficiency_cost, 2)} %"),
            ("expensive_cases", t.expensive_cases), ("reimbursement", format_da(kpi.kroner(t.reimbursement), 2)),
        ]:
            self.stdout.write(f"  {label:<24} {value:>20}")
