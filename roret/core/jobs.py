"""Background jobs with visible progress, for any app: simulations, reports, imports.

A :class:`Job` row is what a person sees (kind, status, progress 0-100, a message, the result
and an optional output file); the work itself runs as a django-tasks task on the database
backend, picked up by ``roret db_worker``.

An app offers a kind of job by registering a handler in its ``jobs`` module (found with
Django's ``autodiscover_modules("jobs")``, like ``admin.py``)::

    from roret.core.jobs import handler, report

    @handler("capacity.plan")
    def run_plan(job):
        report(job, 10, "Building the plan's inputs")
        ...
        job.result_url = reverse("capacity:run", args=[run.pk])
        return {"run": run.pk}          # stored as job.result (JSON)

and starts one with ``start_job("capacity.plan", user=request.user, params={...})``. The page
that started it includes ``core/_job_status.html`` (or links to ``core:job_status``), which
polls with htmx every second until the job is done or failed, and then links to
``job.result_url``. A handler may attach a file with ``job.output.save(name, ContentFile(...))``;
``core:job_output`` serves it to the job's owner, under ``result["filename"]`` when the handler
returns one (the storage may have added a suffix to keep the stored name unique).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _
from django_tasks import task

logger = logging.getLogger(__name__)

__all__ = ["Job", "JobStatus", "handler", "report", "run_job", "start_job"]


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def job_storage() -> FileSystemStorage:
    """Job output files live under the var directory, outside static and media; the job's
    owner downloads them through ``core:job_output``."""
    return FileSystemStorage(location=settings.VAR_DIR / "jobs")


class Job(models.Model):
    """One piece of background work a person started, with its progress and result."""

    kind = models.CharField(_("kind"), max_length=60)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    result_url = models.CharField(_("result page"), max_length=300, blank=True)
    output = models.FileField(_("output file"), storage=job_storage, upload_to="%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("started by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        app_label = "core"
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(name="job_progress_0_100", condition=Q(progress__lte=100)),
            models.CheckConstraint(
                name="job_finished_when_done_or_failed",
                condition=~Q(status__in=["done", "failed"]) | Q(finished__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


_HANDLERS: dict[str, Callable[[Job], dict | None]] = {}


def handler(kind: str):
    """Register ``fn(job) -> dict | None`` as the work behind jobs of ``kind``."""

    def register(fn):
        if _HANDLERS.get(kind, fn) is not fn:
            raise ValueError(f"a handler for job kind {kind!r} is already registered")
        _HANDLERS[kind] = fn
        return fn

    return register


def _handler_for(kind: str):
    if kind not in _HANDLERS:
        autodiscover_modules("jobs")
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise ValueError(f"unknown job kind {kind!r}; known: {sorted(_HANDLERS)}") from None


def start_job(kind: str, *, user, params: dict | None = None) -> Job:
    """Create a queued job and enqueue the task that runs it (one transaction: both or neither)."""
    _handler_for(kind)  # refuse unknown kinds now, not in the worker
    with transaction.atomic():
        job = Job.objects.create(kind=kind, params=params or {}, created_by=user, message=str(_("Waiting for a worker")))
        result = run_job.enqueue(job.pk)
        job.task_id = str(result.id)
        job.save(update_fields=["task_id"])
    return job


def report(job: Job, progress: float, message: str = "") -> None:
    """Record how far ``job`` has come (0-100) and what it is doing; visible at once to the page."""
    job.progress = max(0, min(100, int(progress)))
    job.message = str(message)[:300]
    Job.objects.filter(pk=job.pk).update(progress=job.progress, message=job.message)


@task()
def run_job(job_id: int) -> dict | None:
    """The one django-tasks task behind every job: mark running, call the handler, record the end."""
    job = Job.objects.get(pk=job_id)
    job.status, job.started, job.progress = JobStatus.RUNNING, timezone.now(), 0
    job.save(update_fields=["status", "started", "progress"])
    try:
        result = _handler_for(job.kind)(job)
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        job.status, job.finished = JobStatus.FAILED, timezone.now()
        job.error = f"{type(exc).__name__}: {exc}"[:2000]
        job.message = str(_("Failed"))
        job.save(update_fields=["status", "finished", "error", "message"])
        raise
    job.status, job.finished, job.progress = JobStatus.DONE, timezone.now(), 100
    job.result = result
    job.message = str(_("Done"))
    job.save(update_fields=["status", "finished", "progress", "result", "result_url", "message", "output"])
    return result
