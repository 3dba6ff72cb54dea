"""Background jobs of the reports app (found by roret.core.jobs through autodiscovery)."""

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy

from roret.core.jobs import handler, report
from roret.core.permissions import suppresses
from roret.reports.services import parse_half_value, record_export, render_report, report_context


@handler("reports.kpi_report", label=gettext_lazy("Half-yearly KPI report"))
def make_kpi_report(job):
    """The half-yearly KPI report as PDF or Excel, for the user who asked (their scope, their suppression)."""
    user = get_user_model().objects.get(pk=job.created_by_id)
    fmt = job.params.get("format", "pdf")
    period, half = parse_half_value(job.params.get("half", ""), completed_only=suppresses(user))
    context = report_context(user, period, half, progress=lambda percent, message: report(job, percent * 0.8, message))
    report(job, 85, "PDF" if fmt == "pdf" else "Excel")
    data = render_report(context, fmt)
    # The storage may add a suffix to keep stored names unique (kpi-2026-H1_nfDWDEp.pdf); the person
    # downloads it under the plain name (core:job_output serves result["filename"]).
    filename = f"kpi-rapport-{half}.{fmt}"
    job.output.save(filename, ContentFile(data), save=False)
    record_export(user, context, fmt, channel="task")
    return {"half": half, "format": fmt, "bytes": len(data), "filename": filename}
