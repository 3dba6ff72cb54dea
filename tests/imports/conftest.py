import pytest
from django.core.files.storage import FileSystemStorage

from roret.imports.models import ImportBatch


@pytest.fixture(autouse=True)
def _staged_files(tmp_path, monkeypatch):
    """Staged uploads go to the test's own directory, not the worktree's var/."""
    monkeypatch.setattr(ImportBatch._meta.get_field("upload"), "storage", FileSystemStorage(location=tmp_path))
