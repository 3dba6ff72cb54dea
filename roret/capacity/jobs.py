"""Background jobs of the capacity app (found by roret.core.jobs through autodiscovery)."""

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from roret.capacity.models import PlanRun
from roret.capacity.pdf import pdf_name, render_run_pdf
from roret.capacity.runs import execute
from roret.core.jobs import handler, report


@handler("capacity.plan", label=gettext_lazy("Capacity plan"))
def run_plan(job):
    """The 5-year plan for one group and its scenarios; the result page is the run's page."""
    run = PlanRun.objects.get(pk=job.params["run"])
    job.result_url = reverse("capacity:run", args=[run.pk])
    results = execute(run, progress=lambda percent, message: report(job, percent, message))
    return {"run": run.pk, "scenarios": [s["name"] for s in results["scenarios"]],
            "total_cost": [s["total_cost"] for s in results["scenarios"]]}


@handler("capacity.pdf", label=gettext_lazy("Capacity plan as PDF"))
def run_pdf(job):
    """A finished plan run as a PDF, in the language of the person who asked; the file is the
    job's output (``core:job_output`` serves it to them)."""
    run = PlanRun.objects.get(pk=job.params["run"])
    with translation.override(job.params.get("language")):
        pdf = render_run_pdf(run, progress=lambda percent, message: report(job, percent, message))
    job.output.save(pdf_name(run), ContentFile(pdf), save=False)
    return {"run": run.pk, "bytes": len(pdf), "filename": pdf_name(run)}
