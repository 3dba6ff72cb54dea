"""``roret restore FILE``: put a backup from ``roret backup`` into an empty database (refuses one
with tables in it unless --force) and check the result against the backup's manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from roret.core import audit, backup


class Command(BaseCommand):
    help = "Restore a backup made by `roret backup` into an empty database, and check it against its manifest."
    # The database may be empty (no tables yet): the system checks have nothing to look at.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--database", default="default")
        parser.add_argument("--force", action="store_true",
                            help="restore into a database that is not empty, replacing what is there")

    def handle(self, *args, file, database, force, **options):
        settings_dict = backup.database_settings(database)
        bar = tqdm(desc="Restore", unit=" steps", disable=options["verbosity"] == 0)

        def progress(done, total):
            bar.total = total
            bar.update(done - bar.n)

        try:
            expected, comparison = backup.restore(file, settings_dict, force=force, progress=progress)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        from django.db import connections

        connections[database].close()  # whatever Django knew of the old database goes
        if comparison is None:
            self.stdout.write(self.style.WARNING(f"Restored {file}; no manifest beside it, so nothing was checked."))
            return
        if not comparison.ok:
            for line in comparison.differences:
                self.stderr.write(f"  - {line}")
            raise CommandError(f"The restored database differs from the backup in {len(comparison.differences)} "
                               "place(s)")
        audit.record(None, "change", channel="cli", object_type="core.backup",
                     summary=f"Databasen gendannet fra sikkerhedskopien {file.name} (taget {expected.created})")
        self.stdout.write(self.style.SUCCESS(
            f"Restored {file}: {comparison.tables} tables, every row count and the checksums of "
            f"{', '.join(sorted(expected.checksums))} as in the backup. Audit chain head at the backup: "
            f"{expected.audit_head}. Run `roret audit verify`."))
