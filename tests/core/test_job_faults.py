"""A background job whose worker is killed is shown as failed with its progress, and can be retried.

A real worker process (``db_worker``) runs the job on the test database and is killed with
SIGKILL halfway; the heartbeat lease (RORET["JOB_LEASE_SECONDS"]) is what lets roret notice."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

import tests.core.slow_jobs  # noqa: F401 (registers the test job kinds in this process too)
from roret.core.jobs import Job, JobStatus, mark_stale, start_job
from roret.core.models import AuditEntry

LEASE = 2  # seconds; the worker renews the heartbeat every half second
ROOT = Path(__file__).resolve().parents[2]
# The real worker command, in a process of its own, after importing the test job kinds.
WORKER = ("import sys, django; django.setup(); import tests.core.slow_jobs; "
          "from django.core.management import call_command; call_command('db_worker', *sys.argv[1:])")


@pytest.fixture(autouse=True)
def _short_lease(settings, tmp_path):
    settings.RORET = {**settings.RORET, "JOB_LEASE_SECONDS": LEASE}
    settings.VAR_DIR = tmp_path


def database_url() -> str:
    """The test database (not the development one) as the worker process reaches it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker(*args: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "RORET_JOB_LEASE_SECONDS": str(LEASE),
           "DJANGO_SETTINGS_MODULE": "roret.settings", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", WORKER, "--no-reload", "--no-startup-delay", "--interval", "0.1",
                             "-v", "0", *args], cwd=ROOT, env=env)


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_shows_the_job_failed_with_its_progress_and_a_retry_completes_it(world, client):
    economist = world.users["economist"]
    job = start_job("tests.slow", user=economist, params={"steps": 20, "delay": 0.15})
    process = worker()
    try:
        wait_for(lambda: Job.objects.get(pk=job.pk).progress > 0, 60, "the worker to report progress")
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    job.refresh_from_db()
    reached = job.progress
    assert job.status == JobStatus.RUNNING and 0 < reached < 100
    # Within the lease the job might still have a live worker (several workers run): not marked.
    assert mark_stale() == 0

    time.sleep(LEASE + 0.5)
    client.force_login(economist)
    page = client.get(reverse("core:job_status", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.progress == reached and job.finished
    assert "Fejlet" in page and "Arbejdsprocessen stoppede" in page
    assert f'value="{reached}"' in page  # the progress bar shows how far it came
    assert reverse("core:job_retry", args=[job.pk]) in page and "Prøv igen" in page
    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"
    old_task = job.task_id

    response = client.post(reverse("core:job_retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.task_id != old_task and not job.error
    assert AuditEntry.objects.filter(actor=economist, action="change", object_type="core.job",
                                     object_id=str(job.pk)).exists()

    fresh = worker("--batch")
    assert fresh.wait(120) == 0
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == 100 and job.attempts == 2
    assert job.result == {"steps": 20}


@pytest.mark.django_db(transaction=True)
def test_a_live_worker_in_one_long_step_keeps_its_lease(world):
    """The heartbeat is renewed beside the handler, so a step longer than the lease without a
    progress report is not taken for a dead worker by another worker's check."""
    job = start_job("tests.silent", user=world.users["economist"], params={"seconds": LEASE * 2})
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)
    job.refresh_from_db()
    assert job.result == {"marked_by_the_check": 0}
    assert job.status == JobStatus.DONE


def test_only_a_failed_job_can_be_retried_and_only_by_its_owner(world, client):
    job = start_job("tests.slow", user=world.users["economist"], params={"steps": 1, "delay": 0})
    client.force_login(world.users["economist"])
    response = client.post(reverse("core:job_retry", args=[job.pk]), follow=True)
    assert response.status_code == 200
    assert "Kun et fejlet job kan prøves igen" in response.content.decode()
    assert Job.objects.get(pk=job.pk).task_id == job.task_id  # nothing queued again
    client.force_login(world.users["committee"])
    assert client.post(reverse("core:job_retry", args=[job.pk])).status_code == 404


def test_a_running_job_without_a_heartbeat_is_judged_by_its_start(world):
    """Jobs already running when heartbeats came in (or from an older worker) are not immortal."""
    import datetime

    from django.utils import timezone

    job = start_job("tests.slow", user=world.users["economist"], params={"steps": 1, "delay": 0})
    long_ago = timezone.now() - datetime.timedelta(seconds=LEASE + 1)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started=timezone.now(), progress=40)
    assert mark_stale() == 0  # started just now
    Job.objects.filter(pk=job.pk).update(started=long_ago)
    assert mark_stale() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.progress == 40 and "40 %" in job.error
