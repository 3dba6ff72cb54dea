"""The background job that checks or commits a large import (roret.core.jobs)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from roret.core.jobs import handler, report


@handler("imports.run", label=_("Spreadsheet import"))
def run_import(job):
    from roret.imports.services import run_step

    params = job.params
    batch = run_step(params["batch"], params["step"], params.get("status", "staged"),
                     lambda fraction, message: report(job, fraction * 100, message))
    job.result_url = reverse("imports:batch", args=[batch.pk])
    return {"batch": batch.pk, "status": batch.status, "new": batch.new, "changed": batch.changed,
            "unchanged": batch.unchanged, "errors": batch.error_count}
