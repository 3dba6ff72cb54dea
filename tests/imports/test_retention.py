"""A staged file that waits too long for its import is deleted (it may hold CPR numbers)."""

import datetime
import io
import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from roret.citizens.models import Citizen
from roret.core.models import AuditEntry
from roret.imports import services
from roret.imports.models import BatchStatus, ImportBatch
from roret.imports.services import ImportRefused
from tests.factories import make_cpr
from tests.imports.helpers import xlsx

pytestmark = pytest.mark.django_db


def staged(actor, days_old: int) -> ImportBatch:
    batch = services.stage(xlsx(("cpr", "fornavn", "efternavn"), [(make_cpr(), "Vent", "Hansen")]), "borgere.xlsx",
                           "citizens", actor=actor, background=False)
    assert batch.status == BatchStatus.STAGED and batch.upload
    ImportBatch.objects.filter(pk=batch.pk).update(created=timezone.now() - datetime.timedelta(days=days_old))
    return ImportBatch.objects.get(pk=batch.pk)


def test_a_staged_file_not_imported_in_time_is_deleted_and_the_batch_marked_expired(world, settings):
    settings.RETENTION_IMPORT_FILE_DAYS = 7
    caseworker = world.users["caseworker"]
    old, recent = staged(caseworker, 9), staged(caseworker, 2)
    storage = ImportBatch._meta.get_field("upload").storage
    stray = os.path.join(storage.location, "2020", "01", "stray-citizens")
    os.makedirs(os.path.dirname(stray), exist_ok=True)
    with open(stray, "wb") as f:
        f.write(b"x")
    os.utime(stray, (0, 0))

    out = io.StringIO()
    call_command("retention", "--dry-run", "--only", "import_files", stdout=out, verbosity=1)
    assert f"import #{old.pk}" in out.getvalue() and f"import #{recent.pk}" not in out.getvalue()
    assert storage.exists(old.upload.name) and os.path.exists(stray)  # a dry run deletes nothing

    old_file = old.upload.name
    call_command("retention", "--only", "import_files", verbosity=0)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.upload.name) == (BatchStatus.EXPIRED, "")
    assert not storage.exists(old_file)
    assert not os.path.exists(stray)
    assert recent.status == BatchStatus.STAGED and storage.exists(recent.upload.name)
    assert AuditEntry.objects.filter(object_type="imports.importbatch", action="delete").exists()
    # The expired batch stays in the history with its counts, and can no longer be imported.
    assert old.new == 1
    with pytest.raises(ImportRefused):
        services.commit(old, actor=caseworker, background=False)
    assert not Citizen.objects.filter(first_name="Vent").exists()
