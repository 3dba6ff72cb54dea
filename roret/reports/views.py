"""The half-yearly KPI report for the committee: page, PDF (WeasyPrint) and Excel (openpyxl),
all rendered from one report build (roret.reports.services). Thin: parse, call, respond."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roret.core import audit, periods
from roret.core.access import role_required
from roret.core.permissions import AGGREGATE_ROLES, DST_EXPORTERS, suppresses
from roret.reports import dst
from roret.reports.services import FORMATS, parse_half_value, record_export, render_report, report_context


def parse_half(request) -> tuple[periods.Period, str]:
    """?half=2025-H1 (default: the latest completed half-year); anything else gives the default."""
    return parse_half_value(request.GET.get("half") or request.POST.get("half") or "",
                            completed_only=suppresses(request.user))


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
    response["Content-Disposition"] = f'attachment; filename="kpi-rapport-{half}.{fmt}"'
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


def _dst_month(request) -> tuple[dst.Month, str]:
    """?month=2026-10 (default: the last full month); a bad value gives the default and says so."""
    text = request.GET.get("month") or request.POST.get("month") or ""
    try:
        return dst.parse_month(text), ""
    except dst.MonthError:
        return dst.last_full_month(), (_("“%(month)s” is not a month; showing the last full month.") % {"month": text}
                                       if text else "")


@role_required(DST_EXPORTERS)
def dst_page(request):
    """The month's reporting to Statistics Denmark: counts per service and the problems that stop it."""
    month, warning = _dst_month(request)
    shown = dst.summary(month)
    audit.listed(request.user, "dst_problems", [p.citizen_id for p in shown.problems],
                 detail=f"Danmarks Statistik {month.value}")
    return render(request, "reports/dst.html", {
        "month": month, "warning": warning, "counts": shown.counts, "problems": shown.problems,
        "records": shown.records, "citizens": shown.citizens, "columns": dst.COLUMNS})


@role_required(DST_EXPORTERS)
@require_POST
def dst_download(request):
    """The month's file for Statistics Denmark (CPR numbers): audited; refused while any record breaks a rule."""
    month, _warning = _dst_month(request)
    try:
        _built, data = dst.export(request.user, month)
    except dst.Refused as refused:
        messages.error(request, _("The file was not made: %(count)s problem(s) must be corrected first.")
                       % {"count": len(refused.problems)})
        return redirect(f"{reverse('reports:dst')}?month={month.value}")
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{dst.filename(month)}"'
    return response
