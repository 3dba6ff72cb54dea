"""The half-yearly KPI report for the committee: page, PDF (WeasyPrint) and Excel (openpyxl),
all rendered from one report build (roret.reports.kpi_report)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roret.core import audit, periods
from roret.core.access import role_required
from roret.core.permissions import AGGREGATE_ROLES, aggregate_scope
from roret.economy.services import current_horizon
from roret.reports import excel, kpi_report
from roret.reports.pdf import render_pdf


def halves(today: datetime.date) -> list[dict]:
    """The completed half-years of the last five years, newest first, as choices."""
    current = periods.period_of("half", today)
    out = []
    for p in reversed(current.previous(10)):
        out.append({"value": f"{p.start.year}-H{1 if p.start.month == 1 else 2}", "label": p.label, "period": p})
    return out


def parse_half(request) -> tuple[periods.Period, str]:
    """?half=2025-H1 (default: the latest completed half-year); anything else gives the default."""
    return parse_half_value(request.GET.get("half") or request.POST.get("half") or "")


def parse_half_value(wanted: str) -> tuple[periods.Period, str]:
    choices = halves(datetime.date.today())
    for choice in choices:
        if choice["value"] == wanted:
            return choice["period"], choice["value"]
    try:
        year, h = wanted.split("-H")
        start = datetime.date(int(year), 1 if h == "1" else 7, 1)
        if h in ("1", "2"):
            period = periods.period_of("half", start)
            if period.end <= current_horizon():
                return period, wanted
    except ValueError:
        pass
    return choices[0]["period"], choices[0]["value"]


def report_context(user, period: periods.Period, half: str, progress=None) -> dict:
    """The report for ``user``: their scope (a centre leader's centre) and suppression (the committee)."""
    where = aggregate_scope(user).where()
    context = kpi_report.build_report(period, user, where, progress=progress)
    context.update({"half": half, "halves": halves(datetime.date.today()), "centre_only": where is not None,
                    "made": timezone.localdate(), "municipality_name": settings.RORET["MUNICIPALITY_NAME"]})
    return context


FORMATS = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def render_report(context: dict, fmt: str, *, base_url: str | None = None) -> bytes:
    if fmt == "pdf":
        return render_pdf("reports/kpi_report_pdf.html", context, base_url=base_url)
    return excel.workbook(kpi_report.report_tables(context), title=_("KPI report") + f" {context['period'].label}",
                          subtitle=settings.RORET["MUNICIPALITY_NAME"])


def record_export(user, context, fmt: str, channel: str = "web"):
    audit.record(user, "export", channel=channel, summary=f"KPI-rapport {context['period'].label} ({fmt}"
                 + (", undertrykt" if context["suppress"] else "") + ")")


@role_required(AGGREGATE_ROLES)
def kpi_report_page(request):
    period, half = parse_half(request)
    return render(request, "reports/kpi_report.html", report_context(request.user, period, half))


def _download(request, fmt: str):
    period, half = parse_half(request)
    context = report_context(request.user, period, half)
    data = render_report(context, fmt, base_url=request.build_absolute_uri("/"))
    record_export(request.user, context, fmt)
    response = HttpResponse(data, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="kpi-{half}.{fmt}"'
    return response


@role_required(AGGREGATE_ROLES)
def kpi_report_pdf(request):
    return _download(request, "pdf")


@role_required(AGGREGATE_ROLES)
def kpi_report_xlsx(request):
    return _download(request, "xlsx")


@role_required(AGGREGATE_ROLES)
@require_POST
def kpi_report_start(request):
    """Make the PDF or Excel report in the background (roret db_worker) and show its progress."""
    from roret.core.jobs import start_job

    period, half = parse_half(request)
    fmt = request.POST.get("format", "pdf")
    if fmt not in FORMATS:
        fmt = "pdf"
    job = start_job("reports.kpi_report", user=request.user, params={"half": half, "format": fmt})
    return redirect("core:job_status", job.pk)
