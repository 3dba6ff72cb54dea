"""``roret catalogue export --format csv|xlsx|json --out FILE [--day YYYY-MM-DD] [--as USERNAME]``:
the offer catalogue in Tilbudsportalen's terms from the command line, through the same function
as the catalogue page's downloads (roret.offers.catalogue_export), audited as an export from the
command line. As the system by default (the figures unsuppressed, as the economist sees them);
``--as`` a user gives that user's file (the committee's: today and suppressed)."""

import datetime
import pathlib

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from roret.core import permissions
from roret.offers import catalogue_export


class Command(BaseCommand):
    help = "The offer catalogue in Tilbudsportalen's terms: `export` it as CSV, .xlsx or JSON."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the catalogue with places, vacancies and tariffs to a file")
        export.add_argument("--format", dest="fmt", required=True, choices=catalogue_export.FORMATS)
        export.add_argument("--out", required=True, help="write the file here")
        export.add_argument("--day", default="", help="the day of the figures, YYYY-MM-DD (default today)")
        export.add_argument("--as", dest="username", default="",
                            help="export as this user (a role that reads the catalogue); by default as the system")

    def handle(self, *args, action, fmt, out, day, username, **options):
        try:
            the_day = datetime.date.fromisoformat(day) if day else None
        except ValueError:
            raise CommandError(f"--day {day!r} is not a date YYYY-MM-DD") from None
        actor = self.actor(username)
        if actor is not None and permissions.suppresses(actor) and the_day not in (None, datetime.date.today()):
            raise CommandError(f"{username} sees the catalogue of today only (suppressed figures): leave out --day")
        path = pathlib.Path(out)
        if not path.resolve().parent.is_dir():
            raise CommandError(f"the folder of {path} does not exist")
        built, data = catalogue_export.export(actor, fmt, the_day, channel="cli")
        path.write_bytes(data)
        self.stdout.write(f"{built.day.isoformat()}: {len(built.rows)} offers, {len(built.tariff_rows)} tariff rows "
                          f"written to {path}" + (" (suppressed)" if built.suppressed else ""))

    def actor(self, username):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or not permissions.has_role(user, catalogue_export.EXPORT_ROLES):
            raise CommandError(f"{username} is not an active user who reads the offer catalogue")
        return user
