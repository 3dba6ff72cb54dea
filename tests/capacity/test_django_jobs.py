"""The generic background job (roret.core.jobs) run for real through the database task backend."""

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from roret.core.jobs import Job, JobStatus, handler, report, start_job
from tests.factories import PASSWORD


@handler("tests.square")
def _square(job):
    report(job, 50, "halfway")
    seen_mid = Job.objects.get(pk=job.pk)  # what a polling page would read now
    job.result_url = "/result/"
    job.output.save("square.txt", ContentFile(b"%d" % (job.params["n"] ** 2)), save=False)
    return {"square": job.params["n"] ** 2, "seen": [seen_mid.progress, seen_mid.message, seen_mid.status]}


@handler("tests.fail")
def _fail(job):
    report(job, 30, "about to fail")
    raise ValueError("the input has no places in month 3")


# The worker closes and reopens database connections between tasks, as in production, so
# tests that run it use real transactions (not the rolled-back test transaction).
worker = pytest.mark.django_db(transaction=True)


def work_off():
    """What `roret db_worker --batch` does: run every queued task, then stop."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)


@pytest.fixture(autouse=True)
def _job_files(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def test_a_started_job_is_queued_with_its_task_in_the_database(world):
    job = start_job("tests.square", user=world.users["economist"], params={"n": 7})
    assert job.status == JobStatus.QUEUED and job.progress == 0
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.task_path == "roret.core.jobs.run_job"
    assert task.args_kwargs["args"] == [job.pk]


@worker
def test_the_worker_runs_the_job_and_records_progress_result_and_output(world):
    job = start_job("tests.square", user=world.users["economist"], params={"n": 7})
    work_off()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == 100
    assert job.result == {"square": 49, "seen": [50, "halfway", "running"]}
    assert job.result_url == "/result/"
    assert job.started <= job.finished
    assert job.output.read() == b"49"
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"


@worker
def test_a_failing_job_is_marked_failed_with_the_reason(world):
    job = start_job("tests.fail", user=world.users["economist"])
    work_off()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "ValueError: the input has no places in month 3"
    assert job.progress == 30 and job.finished is not None
    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"


def test_an_unknown_kind_is_refused_before_anything_is_queued(world):
    with pytest.raises(ValueError, match="unknown job kind 'tests.nothing'"):
        start_job("tests.nothing", user=world.users["economist"])
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


def test_report_clamps_progress_to_0_100(world):
    job = start_job("tests.square", user=world.users["economist"], params={"n": 1})
    report(job, 140, "x" * 400)
    job.refresh_from_db()
    assert job.progress == 100 and len(job.message) == 300
    report(job, -5)
    job.refresh_from_db()
    assert job.progress == 0


@worker
def test_the_status_partial_polls_until_done_then_links_the_result(world, client):
    job = start_job("tests.square", user=world.users["economist"], params={"n": 3})
    client.login(username="economist", password=PASSWORD)
    url = reverse("core:job_status", args=[job.pk])
    running = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in running and "<progress" in running and "<html" not in running
    work_off()
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and 'value="100"' in done
    assert 'href="/result/"' in done and reverse("core:job_output", args=[job.pk]) in done
    page = client.get(url).content.decode()
    assert "<html" in page and 'href="/result/"' in page
    download = client.get(reverse("core:job_output", args=[job.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"9"


def test_a_job_is_its_owners_alone(world, client):
    job = start_job("tests.square", user=world.users["economist"], params={"n": 3})
    client.login(username="committee", password=PASSWORD)
    assert client.get(reverse("core:job_status", args=[job.pk])).status_code == 404
    assert client.get(reverse("core:job_output", args=[job.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("core:job_status", args=[job.pk])).status_code == 302
