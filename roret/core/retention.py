"""Retention: what roret deletes or anonymises once it has been kept long enough.

``roret retention --dry-run`` shows what would go; ``roret retention`` does it (docs/security.md).
The periods are settings (``RETENTION_CASE_YEARS``, ``RETENTION_JOB_FILE_DAYS``,
``RETENTION_AUDIT_YEARS``) that the data protection officer sets after the municipality's archive
rules; the command can override them for one run.

The work is in steps, run in order: an app contributes a step by registering it in its
``retention`` module (found with ``autodiscover_modules("retention")``, like ``jobs``), so roret.core
need not know the case models; the citizens app anonymises closed cases. Core's own steps delete
background jobs' output files and the audit log's oldest entries, last, so that the entries the
other steps write are not among them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from roret.core import audit, audit_chain
from roret.core.jobs import Job
from roret.core.models import AuditAction, AuditChainHead, AuditEntry

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Policy:
    """How long things are kept, counted back from ``today``."""

    today: datetime.date
    case_years: int
    job_file_days: int
    audit_years: int

    @classmethod
    def from_settings(cls, today: datetime.date | None = None, **overrides) -> Policy:
        values = {"case_years": settings.RETENTION_CASE_YEARS, "job_file_days": settings.RETENTION_JOB_FILE_DAYS,
                  "audit_years": settings.RETENTION_AUDIT_YEARS}
        values.update({k: v for k, v in overrides.items() if v is not None})
        for name, value in values.items():
            if value < 1:
                raise ValueError(f"{name} must be at least 1, not {value}")
        return cls(today=today or timezone.localdate(), **values)

    @staticmethod
    def years_before(day: datetime.date, years: int) -> datetime.date:
        try:
            return day.replace(year=day.year - years)
        except ValueError:  # 29 February
            return day.replace(year=day.year - years, day=28)

    @property
    def case_cutoff(self) -> datetime.date:
        """A closed case whose last activity is before this day is anonymised."""
        return self.years_before(self.today, self.case_years)

    def days_back(self, days: int) -> datetime.datetime:
        """The start of the day ``days`` days before ``today``: what is older goes."""
        return _start_of(self.today - datetime.timedelta(days=days))

    @property
    def job_file_cutoff(self) -> datetime.datetime:
        return self.days_back(self.job_file_days)

    @property
    def audit_cutoff(self) -> datetime.datetime:
        return _start_of(self.years_before(self.today, self.audit_years))


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class StepResult:
    """What a step would do (dry run) or did: how many, what, and the lines to show."""

    name: str
    title: str
    count: int = 0
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    order: int
    run: Callable[[Policy, bool, Progress | None], StepResult]


_STEPS: dict[str, Step] = {}


def step(name: str, title: str, order: int):
    """Register ``fn(policy, dry_run, progress) -> StepResult`` as a retention step."""

    def register(fn):
        existing = _STEPS.get(name)
        if existing is not None and existing.run is not fn:
            raise ValueError(f"a retention step {name!r} is already registered")
        _STEPS[name] = Step(name, title, order, fn)
        return fn

    return register


def steps() -> list[Step]:
    autodiscover_modules("retention")
    return sorted(_STEPS.values(), key=lambda s: s.order)


def run(policy: Policy, *, dry_run: bool, only: set[str] | None = None,
        progress_for: Callable[[Step], Progress | None] = lambda s: None) -> list[StepResult]:
    known = steps()
    unknown = (only or set()) - {s.name for s in known}
    if unknown:
        raise ValueError(f"unknown retention step(s) {sorted(unknown)}; known: {[s.name for s in known]}")
    return [s.run(policy, dry_run, progress_for(s)) for s in known if not only or s.name in only]


def stray_files(storage, named: set[str], cutoff: datetime.datetime) -> list[str]:
    """The files in ``storage``'s folder that no row names (``named``: their names relative to it) and
    that were last changed before ``cutoff``: left by a crash or a deleted row, and kept by nothing."""
    root = Path(storage.location)
    found = []
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = path.relative_to(root).as_posix()
            modified = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
            if relative not in named and modified < cutoff:
                found.append(relative)
    return found


# --- background jobs' output files ---------------------------------------------------------------


@step("job_files", "Background jobs' output files", order=50)
def delete_job_files(policy: Policy, dry_run: bool, progress: Progress | None) -> StepResult:
    """Delete the output files (reports, exports) of jobs that finished before the cutoff, and any
    file in the jobs folder older than the cutoff that no job names. The job rows stay."""
    cutoff = policy.job_file_cutoff
    result = StepResult("job_files", f"Output files of jobs finished before {cutoff:%Y-%m-%d}")
    storage = Job._meta.get_field("output").storage  # where the jobs' files are (var/jobs)
    jobs = list(Job.objects.exclude(output="").filter(finished__lt=cutoff).order_by("pk"))
    orphans = stray_files(storage, set(Job.objects.exclude(output="").values_list("output", flat=True)), cutoff)
    result.count = len(jobs) + len(orphans)
    result.lines = [f"job #{j.pk} ({j.kind}, finished {j.finished:%Y-%m-%d}): {j.output.name}" for j in jobs]
    result.lines += [f"{name} (no job names it)" for name in orphans]
    if dry_run or not result.count:
        return result
    for done, job in enumerate(jobs, start=1):
        storage.delete(job.output.name)
        Job.objects.filter(pk=job.pk).update(output="")
        if progress:
            progress(done, result.count)
    for done, name in enumerate(orphans, start=len(jobs) + 1):
        storage.delete(name)
        if progress:
            progress(done, result.count)
    audit.record(None, AuditAction.DELETE, channel="cli", object_type="core.job",
                 summary=f"Opbevaring: {result.count} filer fra baggrundsjob slettet (færdige før {cutoff:%d.%m.%Y})",
                 after={"jobs": [j.pk for j in jobs], "files_without_job": len(orphans),
                        "cutoff": cutoff.date().isoformat()})
    return result


# --- form tokens -----------------------------------------------------------------------------------


@step("form_tokens", "Form tokens older than a day", order=40)
def delete_form_tokens(policy: Policy, dry_run: bool, progress: Progress | None) -> StepResult:
    """Delete the tokens of forms sent more than a day ago (roret.core.form_tokens): a form that
    old is not double-submitted, and the rows name who sent what where."""
    from roret.core import form_tokens

    result = StepResult("form_tokens", "Form tokens older than a day")
    result.count = form_tokens.delete_old(dry_run=dry_run)
    if result.count and not dry_run:
        audit.record(None, AuditAction.DELETE, channel="cli", object_type="core.formsubmission",
                     summary=f"Opbevaring: {result.count} formular-tokens ældre end et døgn slettet",
                     after={"deleted": result.count})
    return result


# --- idempotency keys ----------------------------------------------------------------------------


@step("idempotency_keys", "API idempotency keys older than their keeping time", order=41)
def delete_idempotency_keys(policy: Policy, dry_run: bool, progress: Progress | None) -> StepResult:
    """Delete the API's idempotency keys (roret.api.idempotency) older than
    ``settings.IDEMPOTENCY_KEY_HOURS``: past that a key is taken as new anyway, and a row holds the
    answer the API gave, which may name citizens."""
    from roret.core.models import IdempotencyKey

    result = StepResult("idempotency_keys", "API idempotency keys older than their keeping time")
    old = IdempotencyKey.objects.filter(
        created__lt=timezone.now() - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS))
    result.count = old.count() if dry_run else old.delete()[0]
    if result.count and not dry_run:
        audit.record(None, AuditAction.DELETE, channel="cli", object_type="core.idempotencykey",
                     summary=f"Opbevaring: {result.count} idempotens-nøgler til API'et slettet",
                     after={"deleted": result.count})
    return result


# --- the audit log -----------------------------------------------------------------------------


class ChainBroken(Exception):
    """Retention will not delete audit entries while the chain is broken: the evidence would go."""


@step("audit_log", "The audit log's oldest entries", order=90)
def delete_audit_entries(policy: Policy, dry_run: bool, progress: Progress | None) -> StepResult:
    """Delete the audit entries older than the audit period, as one run from the start of the
    chain, keeping the chain verifiable: the last deleted entry's id and hash become the head's
    checkpoint, and an entry in the chain records the deletion (what ``verify`` accepts a
    checkpoint by). Refuses while the chain is broken."""
    cutoff = policy.audit_cutoff
    result = StepResult("audit_log", f"Audit entries from before {cutoff:%Y-%m-%d}")
    first_kept = AuditEntry.objects.filter(at__gte=cutoff).order_by("pk").values_list("pk", flat=True).first()
    old = AuditEntry.objects.filter(at__lt=cutoff)
    # A prefix of the chain by id: an old entry written after a newer one (clocks, concurrent
    # writers) waits for the next run rather than cutting a hole in the chain.
    doomed = old.filter(pk__lt=first_kept) if first_kept is not None else old
    through = doomed.order_by("-pk").values_list("pk", flat=True).first()
    result.count = doomed.count()
    if not result.count:
        return result
    first = doomed.order_by("pk").values_list("pk", "at").first()
    result.lines = [f"{result.count} entries, #{first[0]} ({first[1]:%Y-%m-%d}) to #{through}"]
    if dry_run:
        return result
    check = audit_chain.verify()
    if not check.ok:
        raise ChainBroken(f"the audit chain is broken ({check.first_problem}); `roret audit verify` shows where. "
                          "Nothing was deleted.")
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().get(pk=1)
        last_hash = AuditEntry.objects.filter(pk=through).values_list("row_hash", flat=True).get()
        head.checkpoint_id, head.checkpoint_hash = through, last_hash
        head.save(update_fields=["checkpoint_id", "checkpoint_hash"])
        audit.record(None, AuditAction.DELETE, channel="cli", object_type=audit_chain.PURGE_OBJECT,
                     summary=f"Opbevaring: {result.count} logposter fra før {cutoff:%d.%m.%Y} slettet "
                             f"(#{first[0]}-#{through})",
                     after={"deleted": result.count, "first_id": first[0], "checkpoint_id": through,
                            "checkpoint_hash": last_hash, "before": cutoff.date().isoformat()})
        table = connection.ops.quote_name(AuditEntry._meta.db_table)
        done, low = 0, first[0]
        while low <= through:
            high = min(low + 5000, through + 1)
            with connection.cursor() as cursor:
                # The triggers let retention delete entries up to the checkpoint, and only those.
                cursor.execute(f"DELETE FROM {table} WHERE id >= %s AND id < %s", [low, high])
                done += cursor.rowcount
            if progress:
                progress(done, result.count)
            low = high
    return result
