"""``roret backup FILE``: a consistent copy of the whole database while roret runs (SQLite's online
backup API, or pg_dump on PostgreSQL), with FILE.manifest.json beside it (docs/security.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from roret.core import audit, backup


class Command(BaseCommand):
    help = "Back up the database to FILE (SQLite online backup or pg_dump), with a manifest to check a restore."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--database", default="default")
        parser.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")

    def handle(self, *args, file, database, overwrite, **options):
        if file.exists() and not overwrite:
            raise CommandError(f"{file} exists: choose another name or say --overwrite")
        if not file.parent.is_dir():
            raise CommandError(f"no folder {file.parent}")
        settings_dict = backup.database_settings(database)
        # Written first, so the backup holds the entry that says it was taken.
        audit.record(None, "export", channel="cli", object_type="core.backup",
                     summary=f"Sikkerhedskopi af hele databasen taget til {file.name}")
        bar = tqdm(desc="Backup", unit=" steps", disable=options["verbosity"] == 0)

        def progress(done, total):
            bar.total = total
            bar.update(done - bar.n)

        try:
            manifest = backup.backup(file, settings_dict, progress=progress)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        rows = sum(manifest.counts.values())
        self.stdout.write(self.style.SUCCESS(
            f"Backed up {len(manifest.counts)} tables ({rows} rows) to {file}; manifest "
            f"{backup.manifest_path(file).name}. Audit chain head {manifest.audit_head}."))
