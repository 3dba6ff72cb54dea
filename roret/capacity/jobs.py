"""Background jobs of the capacity app (found by roret.core.jobs through autodiscovery)."""

from django.urls import reverse

from roret.capacity.models import PlanRun
from roret.capacity.runs import execute
from roret.core.jobs import handler, report


@handler("capacity.plan")
def run_plan(job):
    """The 5-year plan for one group and its scenarios; the result page is the run's page."""
    run = PlanRun.objects.get(pk=job.params["run"])
    job.result_url = reverse("capacity:run", args=[run.pk])
    results = execute(run, progress=lambda percent, message: report(job, percent, message))
    return {"run": run.pk, "scenarios": [s["name"] for s in results["scenarios"]],
            "total_cost": [s["total_cost"] for s in results["scenarios"]]}
