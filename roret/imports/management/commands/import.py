"""roret import FILE --kind KIND [--dry-run] [--user USERNAME]: the upload page's import from the
command line, with a progress bar; prints the counts and every error with sheet, row and column,
and exits non-zero when anything was wrong (then nothing is written)."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from roret.core.models import User
from roret.core.permissions import NotInScope
from roret.imports import services
from roret.imports.models import BatchStatus
from roret.imports.reading import FileRefused


class Command(BaseCommand):
    help = "Import a spreadsheet (.xlsx or .csv) of one kind: citizens, placements, catalogue, budgets."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True)
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--user", required=True, help="the username the import is made by (and audited as)")

    def handle(self, *args, file: Path, kind: str, dry_run: bool, user: str, verbosity: int, **options):
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {user!r}")
        if not file.is_file():
            raise CommandError(f"no file {file}")
        with file.open("rb") as handle:
            data = handle.read(settings.RORET["IMPORT_MAX_BYTES"] + 1)
        bar = tqdm(total=100, desc=f"Import {kind}", unit="%", file=sys.stderr, disable=verbosity == 0)

        def progress(fraction, message):
            bar.set_postfix_str(str(message)[:40], refresh=False)
            bar.update(int(fraction * 100) - bar.n)

        try:
            batch = services.stage(data, file.name, kind, actor=actor, channel="cli", check_only=dry_run,
                                   progress=progress, background=False)
            if batch.status == BatchStatus.STAGED:
                batch = services.commit(batch, actor=actor, channel="cli", progress=progress, background=False)
        except NotInScope:
            raise CommandError(f"{user} may not import {kind}") from None
        except (services.ImportRefused, FileRefused) as exc:
            raise CommandError(str(exc)) from None
        finally:
            bar.close()
        for sheet, row, column, header, message in batch.errors:
            where = f"{sheet}, række {row}, kolonne {column} ({header})" if row and column else (
                f"{sheet}, række {row}" if row else sheet or "fil")
            self.stderr.write(f"{where}: {message}")
        written = "kontrolleret, intet skrevet" if dry_run else (
            "importeret" if batch.status == BatchStatus.COMMITTED else "intet importeret")
        self.stdout.write(f"{batch.rows} rækker: {batch.new} nye, {batch.changed} ændrede, {batch.unchanged} uændrede, "
                          f"{batch.error_count} fejl ({written}; import {batch.pk})")
        if batch.error_count:
            raise CommandError(f"{batch.error_count} fejl: intet importeret")
