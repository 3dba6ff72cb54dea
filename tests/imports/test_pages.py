"""The import pages as a person uses them, and a large file checked and imported in the background."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from roret.citizens.models import Citizen
from roret.core.jobs import Job, JobStatus
from roret.core.models import AuditEntry
from roret.imports.models import ImportBatch
from tests.factories import PASSWORD, make_cpr
from tests.imports.helpers import xlsx

HEADER = ("cpr", "fornavn", "efternavn")


def rows(n):
    return [(make_cpr(datetime.date(1950, 1, 1) + datetime.timedelta(days=i)), f"Navn{i}", "Larsen") for i in range(n)]


def upload(client, data, kind="citizens", **extra):
    return client.post(reverse("imports:stage", args=[kind]),
                       {"file": SimpleUploadedFile("borgere.xlsx", data), **extra})


@pytest.mark.django_db
def test_upload_preview_and_import_as_a_caseworker(world, client):
    assert client.login(username="caseworker", password=PASSWORD)
    home = client.get(reverse("imports:upload")).content.decode()
    assert reverse("imports:stage", args=["citizens"]) in home
    assert reverse("imports:stage", args=["budgets"]) not in home  # the economist's kind
    response = upload(client, xlsx(HEADER, rows(3)))
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("imports:batch", args=[batch.pk])
    preview = client.get(response["Location"]).content.decode()
    assert "Importér (3 nye, 0 ændrede)" in preview  # Danish, as the caseworker sees it
    assert Citizen.objects.count() == 0
    done = client.post(reverse("imports:commit", args=[batch.pk]), follow=True).content.decode()
    assert "Importeret: 3 nye, 0 ændrede, 0 uændrede rækker." in done
    assert Citizen.objects.count() == 3
    # A second commit of the same batch writes nothing again.
    client.post(reverse("imports:commit", args=[batch.pk]))
    assert Citizen.objects.count() == 3
    history = client.get(reverse("imports:history")).content.decode()
    assert "borgere.xlsx" in history and "Importeret" in history
    assert "<td>Borgere</td>" in history and "<td>citizens</td>" not in history  # the kind as people read it
    assert "Borgere" in client.get(reverse("imports:batch", args=[batch.pk])).content.decode()


@pytest.mark.django_db
def test_check_only_imports_nothing_and_offers_no_import_button(world, client):
    assert client.login(username="caseworker", password=PASSWORD)
    upload(client, xlsx(HEADER, rows(2)), check_only="1")
    batch = ImportBatch.objects.get()
    assert batch.status == "checked" and batch.new == 2
    assert not batch.upload  # a file checked only is never imported from here: its CPR numbers are not kept
    assert reverse("imports:commit", args=[batch.pk]) not in client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    client.post(reverse("imports:commit", args=[batch.pk]))
    assert Citizen.objects.count() == 0


@pytest.mark.django_db
def test_the_error_report_names_sheet_row_and_column_in_danish_with_formulas_escaped(world, client):
    assert client.login(username="caseworker", password=PASSWORD)
    data = xlsx(HEADER, [("=1+1", "A", "B"), (make_cpr(), "=cmd|' /C calc'!A0", "B")], title="Borgere")
    upload(client, data)
    batch = ImportBatch.objects.get()
    assert batch.status == "refused" and batch.error_count == 2
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "Formler læses ikke" in page and "Borgere" in page
    report = client.get(reverse("imports:errors", args=[batch.pk]))
    sheet = load_workbook(io.BytesIO(report.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["Ark", "Række", "Kolonne", "Overskrift", "Fejl"]
    assert values[1][:4] == ["Borgere", 2, "A", "cpr"] and values[2][:4] == ["Borgere", 3, "B", "fornavn"]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert AuditEntry.objects.filter(action="export", object_type="imports.importbatch").exists()


@pytest.mark.django_db
def test_another_users_batch_is_404_and_a_role_that_may_not_import_is_403(world, client):
    assert client.login(username="caseworker", password=PASSWORD)
    upload(client, xlsx(HEADER, rows(1)))
    batch = ImportBatch.objects.get()
    client.logout()
    assert client.login(username="outsider", password=PASSWORD)
    assert client.get(reverse("imports:batch", args=[batch.pk])).status_code == 404
    assert client.post(reverse("imports:commit", args=[batch.pk])).status_code == 404
    client.logout()
    assert client.login(username="economist", password=PASSWORD)
    assert upload(client, xlsx(HEADER, rows(1))).status_code == 404
    client.logout()
    assert client.login(username="centre_staff", password=PASSWORD)
    assert client.get(reverse("imports:upload")).status_code == 403
    assert Citizen.objects.count() == 0


def work_off():
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_checked_and_imported_in_the_background_with_progress(world, client, settings, monkeypatch):
    import roret.imports.jobs as import_jobs

    settings.RORET = {**settings.RORET, "IMPORT_BACKGROUND_ROWS": 50}
    seen = []
    real_report = import_jobs.report
    monkeypatch.setattr(import_jobs, "report", lambda job, p, m="": (seen.append((job.kind, int(p))),
                                                                       real_report(job, p, m)))
    assert client.login(username="caseworker", password=PASSWORD)
    upload(client, xlsx(HEADER, rows(400)))
    batch = ImportBatch.objects.get()
    assert batch.status == "running" and batch.job.status == JobStatus.QUEUED
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "<progress" in page
    work_off()
    batch.refresh_from_db()
    assert (batch.status, batch.new) == ("staged", 400)
    client.post(reverse("imports:commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "running" and Citizen.objects.count() == 0
    work_off()
    batch.refresh_from_db()
    assert batch.status == "committed" and Citizen.objects.count() == 400
    job = Job.objects.get(pk=batch.job_id)
    assert job.status == JobStatus.DONE and job.progress == 100 and job.result["new"] == 400
    # Once done, the batch's page says what came of it, not the finished job's progress bar again.
    done = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "Importeret" in done and "<progress" not in done
    # Progress was reported along the way, checking then writing, not only at the end.
    steps = sorted({p for _kind, p in seen})
    assert len(steps) > 10 and steps[0] < 10 and any(50 < p < 100 for p in steps)


@pytest.mark.django_db
def test_a_hostile_file_is_refused_on_the_page_with_a_danish_message_and_nothing_staged(world, client):
    assert client.login(username="caseworker", password=PASSWORD)
    response = upload(client, b"MZ\x90\x00 not a workbook")
    assert response.status_code == 400
    assert "Filen hedder .xlsx, men er ikke en Excel-projektmappe" in response.content.decode()
    assert not ImportBatch.objects.exists()
