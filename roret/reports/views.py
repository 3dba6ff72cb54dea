"""The half-yearly KPI report for the committee: page, PDF (WeasyPrint) and Excel (openpyxl),
all rendered from one report build (roret.reports.services). Thin: parse, call, respond."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from roret.core import periods
from roret.core.access import role_required
from roret.core.permissions import AGGREGATE_ROLES, suppresses
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
