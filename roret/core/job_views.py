"""A background job's status, polled by htmx while it runs, and its output file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from roret.core.jobs import Job, JobError, mark_stale, retry_job


def _own_job(request, pk) -> Job:
    """A job is its owner's: another user gets 404 (its existence is not revealed)."""
    return get_object_or_404(Job, pk=pk, created_by=request.user)


@login_required
def job_status(request, pk):
    """The whole page, or with htmx only the status partial that replaces itself every second."""
    job = _own_job(request, pk)
    mark_stale(job)  # a job whose worker died shows as failed, with the progress it reached
    template = "core/_job_status.html" if request.headers.get("HX-Request") else "core/job.html"
    return render(request, template, {"job": job})


@login_required
@require_POST
def job_retry(request, pk):
    """Queue a failed job again (its owner only); the page then follows the new attempt."""
    try:
        retry_job(_own_job(request, pk), actor=request.user)
    except JobError as exc:
        messages.error(request, str(exc))
    return redirect("core:job_status", pk=pk)


@login_required
def job_output(request, pk):
    job = _own_job(request, pk)
    if not job.output:
        raise Http404("this job has no output file")
    # The storage may add a suffix to keep names unique (a PDF made twice); a handler that names
    # the file in its result ("filename") gives the person that name.
    name = (job.result or {}).get("filename") if isinstance(job.result, dict) else None
    return FileResponse(job.output.open("rb"), as_attachment=True, filename=name or job.output.name.rsplit("/", 1)[-1])
