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

import datetime
import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _
from django_tasks import task

logger = logging.getLogger(__name__)

__all__ = ["Job", "JobError", "JobStatus", "handler", "mark_stale", "report", "retry_job", "run_job", "start_job"]


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
    # The running worker's sign of life, renewed by a thread beside the handler (see run_job); a
    # running job whose heartbeat is older than the lease has lost its worker (mark_stale).
    heartbeat = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

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
    def label(self) -> str:
        """What the job is, for a person: its registered label, else its kind."""
        if self.kind not in _LABELS:
            autodiscover_modules("jobs")
        return str(_LABELS.get(self.kind, self.kind))

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


_HANDLERS: dict[str, Callable[[Job], dict | None]] = {}
#: kind -> what a person calls it ("Statusrapport"), shown on the job's page.
_LABELS: dict[str, str] = {}


def handler(kind: str, label=None):
    """Register ``fn(job) -> dict | None`` as the work behind jobs of ``kind`` (``label``: its name
    for a person, a lazy translation)."""

    def register(fn):
        if _HANDLERS.get(kind, fn) is not fn:
            raise ValueError(f"a handler for job kind {kind!r} is already registered")
        _HANDLERS[kind] = fn
        if label is not None:
            _LABELS[kind] = label
        return fn

    return register


def _handler_for(kind: str):
    if kind not in _HANDLERS:
        autodiscover_modules("jobs")
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise ValueError(f"unknown job kind {kind!r}; known: {sorted(_HANDLERS)}") from None


class WorkerStopped(Exception):
    """Recorded on a task whose worker process stopped while running it (see mark_stale)."""


class JobError(ValueError):
    """A job that cannot be retried (it has not failed); the message says why."""


def start_job(kind: str, *, user, params: dict | None = None) -> Job:
    """Create a queued job and enqueue the task that runs it (one transaction: both or neither)."""
    _handler_for(kind)  # refuse unknown kinds now, not in the worker
    with transaction.atomic():
        job = Job.objects.create(kind=kind, params=params or {}, created_by=user, message=str(_("Waiting for a worker")))
        _enqueue(job)
    return job


def _enqueue(job: Job) -> None:
    result = run_job.enqueue(job.pk)
    job.task_id = str(result.id)
    job.save(update_fields=["task_id"])


def lease() -> datetime.timedelta:
    """How long a running job may go without a heartbeat before its worker counts as gone."""
    return datetime.timedelta(seconds=settings.RORET["JOB_LEASE_SECONDS"])


def mark_stale(job: Job | None = None) -> int:
    """Mark running jobs whose worker has stopped (no heartbeat within the lease) as failed.

    The job keeps the progress it had reached. Several workers may run: a live worker renews its
    job's heartbeat every quarter lease, so only a job whose worker died (killed, out of memory,
    the machine gone) grows older than the lease. ``job`` limits the check to one job (the job
    page); without it every job is checked (a worker starting a task). Returns how many were marked.
    """
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    cutoff = now - lease()
    # A job started before heartbeats existed (or by an older worker) is judged by its start.
    stale = Job.objects.filter(Q(heartbeat__lt=cutoff) | Q(heartbeat__isnull=True, started__lt=cutoff),
                               status=JobStatus.RUNNING)
    if job is not None:
        stale = stale.filter(pk=job.pk)
    marked = 0
    for pk, progress, heartbeat, started, task_id in stale.values_list("pk", "progress", "heartbeat", "started",
                                                                       "task_id"):
        error = str(_("The worker process stopped at %(progress)d %% (last sign of life %(time)s).")) % {
            "progress": progress, "time": timezone.localtime(heartbeat or started).strftime("%d.%m.%Y %H:%M:%S")}
        # The same condition again in the UPDATE: a heartbeat that arrived since the read wins.
        marked += Job.objects.filter(pk=pk, status=JobStatus.RUNNING, heartbeat=heartbeat).update(
            status=JobStatus.FAILED, finished=now, message=str(_("The worker process stopped")), error=error)
        # The task row stays RUNNING when its worker is killed; close it so it reads as it ended.
        DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
            status="FAILED", finished_at=now, exception_class_path="roret.core.jobs.WorkerStopped",
            traceback=error)
    if job is not None and marked:
        job.refresh_from_db()
    return marked


def retry_job(job: Job, *, actor, channel: str = "web") -> Job:
    """Queue a failed job again, with the same kind and parameters (audited: who retried what)."""
    from roret.core import audit

    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status != JobStatus.FAILED:
            raise JobError(_("Only a failed job can be retried; this one is %(status)s.")
                           % {"status": locked.get_status_display().lower()})
        locked.status, locked.started, locked.finished, locked.heartbeat = JobStatus.QUEUED, None, None, None
        locked.error, locked.message = "", str(_("Waiting for a worker"))
        locked.save(update_fields=["status", "started", "finished", "heartbeat", "error", "message"])
        _enqueue(locked)
        audit.record(actor, "change", obj=locked, channel=channel,
                     summary=f"Background job {locked.kind} #{locked.pk} retried (attempt {locked.attempts + 1})")
    return locked


def report(job: Job, progress: float, message: str = "") -> None:
    """Record how far ``job`` has come (0-100) and what it is doing; visible at once to the page."""
    job.progress = max(0, min(100, int(progress)))
    job.message = str(message)[:300]
    Job.objects.filter(pk=job.pk).update(progress=job.progress, message=job.message, heartbeat=timezone.now())


class _Heartbeat(threading.Thread):
    """Renews a running job's heartbeat every quarter lease, on its own database connection, so a
    handler busy in one long step (a simulation) still shows its worker is alive."""

    def __init__(self, job_pk: int):
        super().__init__(name=f"job-{job_pk}-heartbeat", daemon=True)
        self.job_pk, self.stopped = job_pk, threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(lease().total_seconds() / 4):
                try:
                    Job.objects.filter(pk=self.job_pk, status=JobStatus.RUNNING).update(heartbeat=timezone.now())
                except DatabaseError:  # a dropped connection: try again next beat with a fresh one
                    logger.warning("job %s: heartbeat not written", self.job_pk, exc_info=True)
                    connection.close()
        finally:
            connection.close()

    def stop(self):
        self.stopped.set()
        self.join()


@task()
def run_job(job_id: int) -> dict | None:
    """The one django-tasks task behind every job: mark running, call the handler, record the end.

    Only a queued job is started, and a run records its end only while the job is still that run's
    (same start time, still running): a run whose job was meanwhile marked failed, and perhaps
    retried, does not overwrite what the person now sees."""
    mark_stale()  # a worker taking a task also notices jobs whose worker died
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started=now, heartbeat=now, progress=0, attempts=models.F("attempts") + 1)
    if not claimed:
        logger.warning("job %s is not queued; its task is skipped", job_id)
        return None
    job = Job.objects.get(pk=job_id)
    mine = Job.objects.filter(pk=job_id, started=now, status=JobStatus.RUNNING)
    heartbeat = _Heartbeat(job.pk)
    heartbeat.start()
    try:
        result = _handler_for(job.kind)(job)
    except Exception as exc:
        heartbeat.stop()
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        mine.update(status=JobStatus.FAILED, finished=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000],
                    message=str(_("Failed")))
        raise
    heartbeat.stop()
    if not mine.update(status=JobStatus.DONE, finished=timezone.now(), progress=100, result=result,
                       result_url=job.result_url, message=str(_("Done")), output=job.output):
        logger.warning("job %s: marked failed while it ran (no heartbeat within the lease); result dropped", job.pk)
        return None
    return result
