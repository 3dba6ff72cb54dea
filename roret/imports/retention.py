"""Retention for staged imports: a file waiting to be imported may hold CPR numbers, so it is kept
only ``settings.RETENTION_IMPORT_FILE_DAYS`` days. The batch stays in the upload history, marked
expired, with its counts and error report; stray files no batch names go too."""

from __future__ import annotations

from django.conf import settings

from roret.core import audit
from roret.core.models import AuditAction
from roret.core.retention import Policy, Progress, StepResult, step, stray_files
from roret.imports.models import BatchStatus, ImportBatch


@step("import_files", "Staged import files not imported in time", order=45)
def delete_staged_files(policy: Policy, dry_run: bool, progress: Progress | None) -> StepResult:
    days = settings.RETENTION_IMPORT_FILE_DAYS
    if days < 1:
        raise ValueError(f"RETENTION_IMPORT_FILE_DAYS must be at least 1, not {days}")
    cutoff = policy.days_back(days)
    result = StepResult("import_files", f"Staged import files uploaded before {cutoff:%Y-%m-%d}")
    waiting = list(ImportBatch.objects.exclude(upload="").exclude(status=BatchStatus.RUNNING)
                   .filter(created__lt=cutoff).order_by("pk"))
    storage = ImportBatch._meta.get_field("upload").storage
    strays = stray_files(storage, set(ImportBatch.objects.exclude(upload="").values_list("upload", flat=True)), cutoff)
    result.count = len(waiting) + len(strays)
    result.lines = [f"import #{b.pk} ({b.kind}, {b.file_name}, uploaded {b.created:%Y-%m-%d}, {b.status})"
                    for b in waiting]
    result.lines += [f"{name} (no import names it)" for name in strays]
    if dry_run or not result.count:
        return result
    for done, batch in enumerate(waiting, start=1):
        # The row first: a file whose deletion fails is a stray file, and goes on the next run.
        # Only if the batch is still as it was read (not imported or started meanwhile).
        if ImportBatch.objects.filter(pk=batch.pk, status=batch.status, upload=batch.upload.name).update(
                upload="", status=BatchStatus.EXPIRED):
            storage.delete(batch.upload.name)
        if progress:
            progress(done, result.count)
    for done, name in enumerate(strays, start=len(waiting) + 1):
        storage.delete(name)
        if progress:
            progress(done, result.count)
    audit.record(None, AuditAction.DELETE, channel="cli", object_type="imports.importbatch",
                 summary=f"Opbevaring: {result.count} importfiler, der ikke blev importeret, slettet "
                         f"(uploadet før {cutoff:%d.%m.%Y})",
                 after={"batches": [b.pk for b in waiting], "files_without_batch": len(strays),
                        "cutoff": cutoff.date().isoformat()})
    return result
