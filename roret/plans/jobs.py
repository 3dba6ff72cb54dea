"""Background jobs of the plans app (found by roret.core.jobs through autodiscovery)."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy

from roret.core.jobs import handler, report
from roret.plans.models import Plan
from roret.plans.services import make_status_report


@handler("plans.status_report", label=gettext_lazy("Status report on the development plan"))
def make_status(job):
    """The half-yearly status report as PDF and Word, for the user who asked (their suppression)."""
    user = get_user_model().objects.get(pk=job.created_by_id)
    plan = Plan.objects.get(pk=job.params["plan"])
    stored = make_status_report(plan, job.params["half"], actor=user, channel="task",
                                progress=lambda percent, message: report(job, percent, message))
    job.result_url = reverse("plans:status_report", args=[plan.pk, stored.pk])
    return {"report": stored.pk, "half": stored.half, "seconds": stored.seconds}
