"""Staging and committing spreadsheet imports: upload -> check every row -> preview (counts of new,
changed and unchanged rows, and every error by sheet, row and column) -> commit, all or nothing.

A batch is checked again when it is committed (the database may have changed since the preview),
and written in one transaction by its kind, through the apps' services or in bulk with the same
audit rows and after-commit side effects. Large files run as a background job ("imports.run").
"""

from __future__ import annotations

import hashlib
import io
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from roret.core import audit, permissions
from roret.imports import kinds as registry
from roret.imports.kinds.base import Plan, Progress, _quiet
from roret.imports.models import BatchStatus, ImportBatch
from roret.imports.reading import FileRefused, checked, read_table

logger = logging.getLogger(__name__)


class ImportRefused(ValueError):
    """The person may not import this kind, or the batch cannot be committed now."""


def kind_for(user, name: str):
    """The kind ``name`` if ``user`` may import it (else NotInScope: 404 on a page)."""
    registry.load()
    kind = registry.KINDS.get(name)
    if kind is None:
        raise ImportRefused(_("Unknown import kind %(kind)s; choose one of: %(known)s.")
                            % {"kind": name, "known": ", ".join(sorted(registry.KINDS))})
    permissions.require_role(user, kind.roles, f"{user} may not import {name}")
    return kind


def batches_of(user):
    """The upload history ``user`` sees: their own imports (the administrator: everyone's)."""
    batches = ImportBatch.objects.select_related("created_by")
    return batches if permissions.has_role(user, permissions.ADMINS) else batches.filter(created_by_id=user.pk)


def get_batch(user, pk, *, lock: bool = False, own: bool = False) -> ImportBatch:
    """A batch of ``user``'s (404 for anyone else's: a file may name citizens; the administrator
    sees every batch, but ``own``: only the uploader's own, for importing it)."""
    found = (ImportBatch.objects.filter(created_by_id=user.pk) if own else batches_of(user)).filter(pk=pk)
    batch = (found.select_for_update(of=("self",)) if lock else found).first()
    if batch is None:
        raise permissions.NotInScope("no such import")
    return batch


def estimate_rows(data: bytes, file_name: str) -> int:
    """A cheap guess of the file's rows before reading it: the sheet's stated dimension, else lines."""
    if file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
            return int(sheet.max_row or 0)
        except Exception:  # the checks that follow refuse the file with a message
            return 0
    return data.count(b"\n")


def stage(data: bytes, file_name: str, kind_name: str, *, actor, channel: str = "web", check_only: bool = False,
          progress: Progress = _quiet, background: bool | None = None) -> ImportBatch:
    """Record an uploaded file as a batch and check it (in the background when it is large:
    ``background`` None decides by the file's rows); its errors are recorded on the batch. A file
    refused before it is opened (:func:`roret.imports.reading.checked`) raises FileRefused and is
    not staged."""
    kind = kind_for(actor, kind_name)
    try:
        checked(data, file_name)
    except FileRefused as exc:
        # Not a file roret opens (too large, not what its name says, a zip bomb, an XML entity): it is
        # not staged, and the attempt is audited as refused.
        audit.record(actor, "refused", channel=channel, object_type="imports.importbatch",
                     summary=f"Import af {kind.name} afvist: {file_name[-100:]}: {exc}")
        raise
    batch = ImportBatch(kind=kind.name, file_name=file_name[-200:], size=len(data), created_by=actor, channel=channel,
                        sha256=hashlib.sha256(data).hexdigest(),
                        status=BatchStatus.CHECKED if check_only else BatchStatus.STAGED)
    batch.upload.save(f"{batch.sha256[:16]}-{kind.name}", ContentFile(data), save=False)
    batch.save()
    audit.record(actor, "create", obj=batch, channel=channel,
                 summary=f"Import af {kind.name} modtaget: {batch.file_name} ({batch.size} byte)")
    if background is None:
        background = estimate_rows(data, file_name) > settings.RORET["IMPORT_BACKGROUND_ROWS"]
    if background:
        _start(batch, "check", actor)
        return batch
    check(batch, progress=progress)
    return batch


def _start(batch: ImportBatch, step: str, actor) -> None:
    from roret.core.jobs import start_job

    status = batch.status
    batch.job = start_job("imports.run", user=actor, params={"batch": batch.pk, "step": step, "status": status})
    batch.status = BatchStatus.RUNNING
    batch.save(update_fields=["job", "status"])


def _plan(batch: ImportBatch, progress: Progress):
    """Read and check the batch's file: (the kind's worker, its plan), or None for a refused file
    (recorded on the batch). Each import has its own worker: a kind keeps what it read meanwhile."""
    kind = type(kind_for(batch.created_by, batch.kind))()
    try:
        with batch.upload.open("rb") as stored:
            data = stored.read()
        table = read_table(data, batch.file_name, sheet_names=kind.sheet_names, columns=kind.accepted(),
                           required=kind.required)
    except FileRefused as exc:
        _record(batch, Plan(errors=[["", 0, "", "", str(exc)]]), BatchStatus.REFUSED)
        return None
    return kind, kind.plan(table, actor=batch.created_by, progress=progress)


def _record(batch: ImportBatch, plan: Plan, status: str) -> None:
    batch.rows, batch.new, batch.changed, batch.unchanged = plan.rows, plan.new, plan.changed, plan.unchanged
    batch.errors, batch.error_count, batch.status = plan.errors, len(plan.errors), status
    # A file checked only is never imported from its batch (it is uploaded again to import it).
    if status in (BatchStatus.REFUSED, BatchStatus.COMMITTED, BatchStatus.FAILED, BatchStatus.CHECKED):
        batch.committed = timezone.now() if status == BatchStatus.COMMITTED else None
        # The file may name citizens: kept only while it waits, deleted once the outcome is committed.
        name, storage = batch.upload.name, batch.upload.storage
        if name:
            transaction.on_commit(lambda: storage.delete(name))
        batch.upload = ""
    batch.save()


def check(batch: ImportBatch, *, status: str | None = None, progress: Progress = _quiet) -> Plan | None:
    """Check the staged file and record the counts and errors (a file with errors is refused)."""
    planned = _plan(batch, progress)
    if planned is None:
        return None
    plan = planned[1]
    wanted = status or (batch.status if batch.status != BatchStatus.RUNNING else BatchStatus.STAGED)
    _record(batch, plan, BatchStatus.REFUSED if plan.errors else wanted)
    return plan


def commit(batch: ImportBatch, *, actor, channel: str = "web", progress: Progress = _quiet,
           background: bool | None = None) -> ImportBatch:
    """Import a staged batch: checked again, then every row or none, in one transaction."""
    with transaction.atomic():
        batch = get_batch(actor, batch.pk, lock=True, own=True)
        if batch.status != BatchStatus.STAGED:
            raise ImportRefused(_("This import is %(status)s; only a checked file waiting to be imported can be "
                                  "imported.") % {"status": batch.get_status_display().lower()})
        if background is None:
            background = batch.rows > settings.RORET["IMPORT_BACKGROUND_ROWS"]
        if background:
            _start(batch, "commit", actor)
            return batch
        # Claimed under the lock: a second commit of the same batch (another tab, the command line) now
        # finds it running and is refused, instead of writing every row again; retention leaves it alone.
        batch.status = BatchStatus.RUNNING
        batch.save(update_fields=["status"])
    try:
        return write(batch, channel=channel, progress=progress)
    except Exception as exc:
        _record(batch, Plan(errors=[["", 0, "", "", _("The import stopped and nothing was written: %(error)s")
                                     % {"error": type(exc).__name__}]]), BatchStatus.FAILED)
        raise


def write(batch: ImportBatch, *, channel: str, progress: Progress = _quiet) -> ImportBatch:
    actor = batch.created_by
    planned = _plan(batch, lambda f, m: progress(f * 0.5, m))
    if planned is None:
        return batch
    kind, plan = planned
    if plan.errors:
        _record(batch, plan, BatchStatus.REFUSED)
        return batch
    try:
        with transaction.atomic():
            kind.apply(plan, actor=actor, channel=channel, progress=lambda f, m: progress(0.5 + f * 0.5, m))
            _record(batch, plan, BatchStatus.COMMITTED)
            audit.record(actor, "change", obj=batch, channel=channel,
                         summary=f"Import af {kind.name} gennemført: {batch.file_name}: {plan.new} nye, "
                                 f"{plan.changed} ændrede, {plan.unchanged} uændrede rækker")
    except (DatabaseError, permissions.NotInScope, ValidationError, ValueError) as exc:
        # A row the checks let through was refused by a service (its ValidationError: CatalogueError,
        # PlacementError, ...) or by the database: nothing is written, and the batch says why.
        logger.warning("import %s stopped by %s", batch.pk, type(exc).__name__, exc_info=True)
        batch.refresh_from_db()
        message = "; ".join(getattr(exc, "messages", None) or [str(exc)])
        _record(batch, Plan(rows=plan.rows, errors=[["", 0, "", "", _("The import stopped and nothing was written: "
                                                                       "%(error)s") % {"error": message[:500]}]]),
                BatchStatus.FAILED)
    return batch


def run_step(batch_pk: int, step: str, status: str, progress: Progress) -> ImportBatch:
    """The background job's work (roret.imports.jobs): check, or commit, a batch."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_pk)
    try:
        if step == "check":
            check(batch, status=status, progress=progress)
        else:
            write(batch, channel="task", progress=progress)
    except Exception as exc:
        # The job is marked failed by roret.core.jobs; the batch must not stay "running" either.
        _record(batch, Plan(errors=[["", 0, "", "", _("The import stopped and nothing was written: %(error)s")
                                     % {"error": type(exc).__name__}]]), BatchStatus.FAILED)
        raise
    batch.refresh_from_db()
    return batch


def error_report(user, batch: ImportBatch) -> bytes:
    """The batch's errors as an .xlsx sheet (cells that look like formulas escaped); audited as an export."""
    from openpyxl import Workbook

    from roret.reports.toolkit import excel

    book = Workbook()
    sheet = book.active
    sheet.title = "Fejl"
    sheet.append([_("Sheet"), _("Row"), _("Column"), _("Header"), _("Error")])
    for error in batch.errors:
        sheet.append([error[0], error[1] or None, error[2], error[3], error[4]])
    audit.record(user, "export", obj=batch, summary=f"Fejlrapport for import {batch.pk} hentet ({batch.error_count} fejl)")
    return excel.save(book)
