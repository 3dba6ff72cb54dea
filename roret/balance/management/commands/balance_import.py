"""``roret balance_import FILE --user NAME [--dry-run]``: import the HR system's staff figures (CSV or
.xlsx) as the page does: every row checked, errors by row and column, every row or none."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm


class Command(BaseCommand):
    help = "Import staff figures per centre and month from the HR system's export (CSV or .xlsx); all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the export: CSV (semicolon or comma, UTF-8) or .xlsx")
        parser.add_argument("--user", required=True, help="the economist the import is made (and audited) as")
        parser.add_argument("--dry-run", action="store_true", help="check the file and say what it would do; write nothing")

    def handle(self, *args, file, user, dry_run, verbosity, **options):
        from roret.balance import services
        from roret.core.models import User
        from roret.core.permissions import NotInScope

        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"--user {user}: no active user of that name")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        if path.stat().st_size > services.MAX_BYTES:
            raise CommandError(f"{file}: larger than {services.MAX_BYTES // 2**20} MB")
        data = path.read_bytes()
        try:
            if dry_run:
                if actor.role not in services.IMPORTERS:
                    raise NotInScope("only the economist imports staff figures")
                parsed = services.parse(data, path.name)
                for error in parsed.errors:
                    self.stderr.write(error)
                self.stdout.write(f"{len(parsed.rows)} rows: {parsed.new} new, {parsed.changed} changed, "
                                  f"{parsed.unchanged} unchanged months; {len(parsed.errors)} errors (dry run: nothing written)")
                if parsed.errors:
                    raise CommandError(f"{len(parsed.errors)} errors: nothing would be imported")
                return
            bar = tqdm(total=None, desc="Personaletal", unit=" rækker", file=sys.stderr, disable=verbosity == 0)

            def progress(done, total):
                bar.total = total
                bar.update(done - bar.n)

            try:
                made = services.import_staff(data, actor=actor, file_name=path.name, channel="cli", on_row=progress)
            finally:
                bar.close()
        except NotInScope:
            raise CommandError(f"--user {user} may not import staff figures (the economist's task)") from None
        except services.StaffImportError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(exc.errors)} errors: nothing was imported") from None
        self.stdout.write(f"Imported {made.rows} rows: {made.new} new, {made.changed} changed, "
                          f"{made.unchanged} unchanged months")
