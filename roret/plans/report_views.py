"""The half-yearly status report's pages: the reports made of a plan, making a new one as a
background job, reading one in the browser, and downloading its PDF and Word files (audited)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roret.core import audit, periods
from roret.core.access import role_required
from roret.core.models import AuditAction
from roret.core.permissions import STATUS_REPORT_ROLES, suppresses
from roret.plans.models import Plan, StatusReportFile
from roret.plans.status_report import HalfError, half_value, parse_half

CONTENT_TYPES = {"pdf": "application/pdf",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _plan(pk) -> Plan:
    plan = Plan.objects.filter(pk=pk).first()
    if plan is None:
        raise Http404("no such plan")
    return plan


def _reports(request, plan):
    """The reports ``request.user`` may read: the committee only those made for it (suppressed)."""
    reports = StatusReportFile.objects.filter(plan=plan).select_related("made_by")
    return reports.filter(suppressed=True) if suppresses(request.user) else reports


def _halves(plan: Plan, today: datetime.date, *, completed_only: bool = False) -> list[str]:
    """The plan's half-years up to the current one (the committee: the latest completed), newest first."""
    current = periods.period_of("half", today)
    if completed_only:
        current = current.previous(1)[0]
    out = []
    for year in range(plan.first_year, plan.last_year + 1):
        for start in (datetime.date(year, 1, 1), datetime.date(year, 7, 1)):
            if start <= current.start:
                out.append(half_value(periods.period_of("half", start)))
    return out[::-1]


@role_required(STATUS_REPORT_ROLES)
def status_reports(request, pk):
    plan = _plan(pk)
    today = datetime.date.today()
    return render(request, "plans/status_reports.html", {
        "plan": plan, "reports": _reports(request, plan)[:50],
        "halves": _halves(plan, today, completed_only=suppresses(request.user)),
        "default_half": half_value(periods.period_of("half", today).previous(1)[0]),
        "suppress": suppresses(request.user),
    })


@role_required(STATUS_REPORT_ROLES)
@require_POST
def status_report_start(request, pk):
    from roret.core.jobs import start_job

    plan = _plan(pk)
    half = request.POST.get("half", "")
    try:
        period = parse_half(half)
    except HalfError as exc:
        messages.error(request, str(exc))
        return redirect("plans:status_reports", pk=plan.pk)
    if half_value(period) not in _halves(plan, datetime.date.today(), completed_only=suppresses(request.user)):
        messages.error(request, _("Choose a half-year of the plan's period, up to the current one."))
        return redirect("plans:status_reports", pk=plan.pk)
    job = start_job("plans.status_report", user=request.user, params={"plan": plan.pk, "half": half_value(period)})
    return redirect("core:job_status", job.pk)


def _stored(request, pk, report_pk) -> StatusReportFile:
    stored = _reports(request, _plan(pk)).filter(pk=report_pk).first()
    if stored is None:
        raise Http404("no such report for this user")
    return stored


@role_required(STATUS_REPORT_ROLES)
def status_report(request, pk, report_pk):
    stored = _stored(request, pk, report_pk)
    # The HTML was rendered by roret's own template when the report was made (values escaped there).
    return render(request, "plans/status_report.html", {"stored": stored, "plan": stored.plan,
                                                        "body": mark_safe(stored.html)})  # noqa: S308


@role_required(STATUS_REPORT_ROLES)
def status_report_file(request, pk, report_pk, fmt):
    stored = _stored(request, pk, report_pk)
    if fmt not in CONTENT_TYPES:
        raise Http404("no such format")
    audit.record(request.user, AuditAction.EXPORT, obj=stored,
                 summary=_("Status report downloaded: %(half)s (%(fmt)s)") % {"half": stored.half, "fmt": fmt})
    return FileResponse(getattr(stored, fmt).open("rb"), as_attachment=fmt == "docx",
                        filename=f"{stored.filename}.{fmt}", content_type=CONTENT_TYPES[fmt])
