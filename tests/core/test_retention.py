"""Retention of background jobs' output files and of the audit log's oldest entries, which go with
the hash chain: a checkpoint keeps `roret audit verify` passing, and only retention can move it."""

import datetime
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from roret.core import audit, audit_chain, retention
from roret.core.jobs import Job, JobStatus
from roret.core.models import AuditChainHead, AuditEntry

NOW = timezone.now()


@pytest.fixture(autouse=True)
def _own_jobs_folder(monkeypatch, tmp_path):
    """Retention deletes old files in the jobs folder: a folder of the test's, never the developer's."""
    from django.core.files.storage import FileSystemStorage

    monkeypatch.setattr(Job._meta.get_field("output"), "storage", FileSystemStorage(location=tmp_path / "jobs"))


def job_storage():
    return Job._meta.get_field("output").storage


def finished_job(days_ago: int, name: str) -> Job:
    job = Job.objects.create(kind="reports.kpi", status=JobStatus.DONE, finished=NOW - datetime.timedelta(days=days_ago))
    job.output.save(name, ContentFile(b"%PDF- en rapport"), save=True)
    return job


def test_old_job_files_are_deleted_and_recent_ones_kept(db, settings):
    old, recent = finished_job(40, "gammel.pdf"), finished_job(5, "ny.pdf")
    storage = job_storage()
    stray = storage.save("2020/01/efterladt.xlsx", ContentFile(b"x"))
    past = (NOW - datetime.timedelta(days=90)).timestamp()
    os.utime(storage.path(stray), (past, past))
    out = io.StringIO()
    call_command("retention", "--dry-run", "--only", "job_files", stdout=out, verbosity=0)
    assert f"job #{old.pk}" in out.getvalue() and "efterladt.xlsx (no job names it)" in out.getvalue()
    assert f"job #{recent.pk}" not in out.getvalue() and storage.exists(old.output.name)
    call_command("retention", "--only", "job_files", verbosity=0)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.output and not storage.exists(stray)
    assert recent.output and storage.exists(recent.output.name)
    entry = AuditEntry.objects.get(object_type="core.job", action="delete")
    assert "2 filer" in entry.summary and entry.after["jobs"] == [old.pk]


def old_entries(n, days_ago):
    """``n`` entries written ``days_ago`` days ago (the clock set back, as if written then)."""
    at = NOW - datetime.timedelta(days=days_ago)
    return [AuditEntry.objects.create(at=at, actor_name="system", action="view", citizen_id=i,
                                      object_type="citizens.citizen", summary=f"gammel {i}") for i in range(n)]


def test_old_audit_entries_go_and_the_chain_still_verifies(db):
    old = old_entries(5, 6 * 365)
    kept = [audit.record(None, "view", citizen=99, summary="ny", channel="cli")]
    out = io.StringIO()
    call_command("retention", "--dry-run", "--only", "audit_log", stdout=out, verbosity=0)
    assert f"5 entries, #{old[0].pk}" in out.getvalue() and AuditEntry.objects.count() == 6
    call_command("retention", "--only", "audit_log", verbosity=0)
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEntry.objects.filter(pk=kept[0].pk).exists()
    head = AuditChainHead.objects.get(pk=1)
    assert (head.checkpoint_id, head.checkpoint_hash) == (old[-1].pk, old[-1].row_hash)
    purge = AuditEntry.objects.get(object_type="core.auditentry")
    assert purge.after["deleted"] == 5 and purge.after["checkpoint_id"] == old[-1].pk
    result = audit_chain.verify()
    assert result.ok, result.problems
    assert result.first_id == kept[0].pk and result.checkpoint_id == old[-1].pk
    call_command("audit", "verify", verbosity=0)
    # A second run later deletes up to the next checkpoint, and the chain still holds.
    call_command("retention", "--only", "audit_log", "--today",
                 (timezone.localdate() + datetime.timedelta(days=6 * 365)).isoformat(), verbosity=0)
    assert audit_chain.verify().ok


def test_deleting_the_oldest_entries_without_retention_is_found(db):
    """Someone deletes the first entries and moves the checkpoint as retention would, without
    the retention entry in the chain (which they cannot write without the key)."""
    old = old_entries(4, 10)
    audit.record(None, "view", citizen=1, summary="ny", channel="cli")
    AuditChainHead.objects.filter(pk=1).update(checkpoint_id=old[1].pk, checkpoint_hash=old[1].row_hash)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id <= %s", [old[1].pk])
    with pytest.raises(CommandError, match="not backed by a retention entry"):
        call_command("audit", "verify", verbosity=0)


def test_the_triggers_let_retention_delete_only_up_to_the_checkpoint(db):
    old = old_entries(3, 6 * 365)
    call_command("retention", "--only", "audit_log", verbosity=0)
    newest = AuditEntry.objects.order_by("-pk").first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=newest.pk)._raw_delete(connection.alias)
    assert AuditEntry.objects.filter(pk=newest.pk).exists() and len(old) == 3


def test_retention_refuses_to_delete_entries_of_a_broken_chain(db):
    old = old_entries(3, 6 * 365)
    audit.record(None, "view", citizen=1, summary="ny", channel="cli")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS audit_append_only ON core_auditentry")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_update")
        cursor.execute("UPDATE core_auditentry SET summary = 'skjult' WHERE id = %s", [old[1].pk])
    with pytest.raises(CommandError, match="the audit chain is broken"):
        call_command("retention", "--only", "audit_log", verbosity=0)
    assert AuditEntry.objects.filter(pk=old[0].pk).exists()  # the evidence is still there


def test_the_periods_come_from_the_settings_and_can_be_overridden(settings):
    settings.RETENTION_CASE_YEARS, settings.RETENTION_JOB_FILE_DAYS, settings.RETENTION_AUDIT_YEARS = 10, 7, 3
    policy = retention.Policy.from_settings(datetime.date(2030, 2, 28), audit_years=4)
    assert (policy.case_years, policy.job_file_days, policy.audit_years) == (10, 7, 4)
    assert policy.case_cutoff == datetime.date(2020, 2, 28)
    assert retention.Policy.years_before(datetime.date(2024, 2, 29), 1) == datetime.date(2023, 2, 28)
    with pytest.raises(ValueError):
        retention.Policy.from_settings(case_years=0)
