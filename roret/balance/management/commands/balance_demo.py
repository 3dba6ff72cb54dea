"""``roret balance_demo [--seed S] [--today D]``: add the demo's staff figures (ten years per centre)
and balance targets to a demo database built without them (``roret demo`` adds them itself)."""

import datetime

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Add the demo municipality's staff figures and balance targets to an existing demo database."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same figures)")
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                            help="the day the figures run up to (YYYY-MM-DD, default today)")

    def handle(self, *args, seed, today, **options):
        from django.conf import settings
        from django.db import transaction

        from roret.balance.models import StaffMonth
        from roret.core.models import Centre
        from roret.demo.balance import build_balance

        if not settings.DEMO_ALLOWED:
            raise CommandError("roret balance_demo only runs with development settings (RORET_DEBUG=1).")
        if not Centre.objects.exists():
            raise CommandError("No centres: build the demo first (roret demo).")
        if StaffMonth.objects.exists():
            raise CommandError("The database has staff figures already; nothing was added.")
        with transaction.atomic():
            made = build_balance(seed, today or datetime.date.today())
        from roret.balance.figures import refresh

        refresh()  # the pages' record figures, counted ahead as the nightly refresh does
        self.stdout.write(f"Added {made['months']} staff months and {made['targets']} targets.")
