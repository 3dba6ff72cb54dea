"""The half-yearly KPI report as a service: which half-years may be asked for, the report for a
user (their scope and suppression), its rendering as PDF or Excel, and the audit row of an
export. The pages (roret.reports.views) and the background job (roret.reports.jobs) both call
these; nothing here imports a view.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from roret.core import audit, periods
from roret.core.permissions import aggregate_scope
from roret.economy.services import current_horizon
from roret.reports import kpi_report
from roret.reports.toolkit import excel
from roret.reports.toolkit.pdf import render_pdf

FORMATS = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def halves(today: datetime.date) -> list[dict]:
    """The completed half-years of the last five years, newest first, as choices."""
    current = periods.period_of("half", today)
    out = []
    for p in reversed(current.previous(10)):
        out.append({"value": f"{p.start.year}-H{1 if p.start.month == 1 else 2}", "label": p.label, "period": p})
    return out


def parse_half_value(wanted: str, *, completed_only: bool = False) -> tuple[periods.Period, str]:
    """The half-year ``wanted`` ("2025-H1") if it is costed, else the latest completed half-year;
    with its canonical value. ``completed_only`` (the committee) refuses a half-year still running
    or to come: its figures change from day to day, and two days' answers subtracted would show
    what one citizen's new placement added."""
    today = datetime.date.today()
    choices = halves(today)
    for choice in choices:
        if choice["value"] == wanted:
            return choice["period"], choice["value"]
    try:
        year, h = wanted.split("-H")
        start = datetime.date(int(year), 1 if h == "1" else 7, 1)
        if h in ("1", "2"):
            period = periods.period_of("half", start)
            if period.end <= current_horizon() and not (completed_only and period.end > today):
                return period, wanted
    except ValueError:
        pass
    return choices[0]["period"], choices[0]["value"]


def report_context(user, period: periods.Period, half: str, progress=None) -> dict:
    """The report for ``user``: their scope (a centre leader's centre) and suppression (the committee)."""
    scope = aggregate_scope(user)
    where = scope.where()
    context = kpi_report.build_report(period, user, where, progress=progress, centre_id=scope.centre_id)
    context.update({"half": half, "halves": halves(datetime.date.today()), "centre_only": where is not None,
                    "made": timezone.localdate(), "municipality_name": settings.RORET["MUNICIPALITY_NAME"]})
    return context


def render_report(context: dict, fmt: str, *, base_url: str | None = None) -> bytes:
    """The report as PDF (WeasyPrint) or Excel (openpyxl)."""
    if fmt == "pdf":
        return render_pdf("reports/kpi_report_pdf.html", context, base_url=base_url)
    return excel.workbook(kpi_report.report_tables(context), title=_("KPI report") + f" {context['period'].label}",
                          subtitle=settings.RORET["MUNICIPALITY_NAME"])


def record_export(user, context, fmt: str, channel: str = "web"):
    """The audit row of a report taken out of roret."""
    audit.record(user, "export", channel=channel, summary=f"KPI-rapport {context['period'].label} ({fmt}"
                 + (", undertrykt" if context["suppress"] else "") + ")")


# ---- figures computed ahead ------------------------------------------------------------------------

WARM_KINDS = ("year", "half", "quarter", "month")


def warm_figures(today: datetime.date | None = None, progress=None) -> int:
    """Compute and store the figures the steering pages open with, for the whole department and
    for each centre: the overview of the latest completed year, half-year, quarter and month with
    its trend, the self-sufficiency page and the KPI report of the latest completed half-year;
    also the plans' realised events, the compliance list and the balance view's record figures.

    Run after ``roret economy_refresh`` (which drops every stored figure) so the morning's first
    page is not the one that computes them. They stay stored until a change touches their months,
    which for completed periods is a correction back in time. Returns the number of scopes warmed.
    """
    from django.db.models import Q

    from roret.core.models import Centre
    from roret.economy import kpi, places
    from roret.offers.models import Offer

    today = today or datetime.date.today()
    centres = list(Centre.objects.order_by("pk").values_list("pk", flat=True))
    scopes = [(None, None), *((Q(centre_id=pk), pk) for pk in centres)]
    half = periods.period_of("half", today).previous(1)[0]
    for done, (where, centre) in enumerate(scopes, 1):
        with kpi.Figures(where) as figures:
            for kind in WARM_KINDS:
                period = periods.period_of(kind, today).previous(1)[0]
                figures.kpis(period, ("paragraph",), duration_by=("paragraph",))
                figures.trend(period, 5)
                if centre is not None:   # a centre leader's overview shows the occupancy of its places
                    places.occupancy(figures, period, Offer.objects.filter(provider__centre_id=centre))
            first = kpi_report.SelfSufficiencyTarget.objects.order_by("year").values_list("year", flat=True).first()
            years = range(first or today.year - 6, today.year + 1)
            if centre is None:
                kpi_report.self_sufficiency(figures, years, today)
                kpi_report.contribution_table(figures, periods.period_of("year", today).previous(1)[0], False)
                # The quality-of-life compliance list's exceptionally expensive citizens of the coming year.
                figures.expensive_citizens(periods.Period(today, today + datetime.timedelta(days=365)))
            else:   # a centre leader's self-sufficiency page is the occupancy of the centre's places
                places.centre_occupancy(figures, centre, years, today)
        kpi_report.build_report(half, None, where, today=today, centre_id=centre)
        if progress:
            progress(done, len(scopes))
    # The development plans' realised events (2,400 a year at 100,000 citizens, 2 s to cost each year).
    from roret.plans.effects import warm_events

    warm_events(today)
    # The quality-of-life compliance list, built afresh (drops the rows of past days).
    from roret.outcomes.compliance import rebuild

    rebuild(today)
    # The balance view's figures counted from the case record, per completed half-year, for the
    # department and each centre (at 100,000 citizens the first balance page of a day took 4-10 s
    # without them; docs/benchmarks.md).
    from roret.balance.figures import refresh as refresh_balance

    refresh_balance(today)
    return len(scopes)
