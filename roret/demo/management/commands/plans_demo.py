"""``roret plans_demo [--seed S] [--today D]``: add the demo's development plans (the 2020-2024
catalogue and the 2025-2029 plan with rules, realised events, entries and lights) to a demo
database built before the plans app (``roret demo`` adds them itself). For the benchmarks' large
demo (benchmarks/status_report.py)."""

import datetime
from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Add the demo municipality's development plans to an existing demo database."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same plans and events)")
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                            help="the day the demo runs up to (YYYY-MM-DD, default today)")

    def handle(self, *args, seed, today, **options):
        from django.conf import settings
        from django.db import transaction

        from roret.core.models import Centre
        from roret.demo.plans import build_plans
        from roret.plans.models import Plan

        if not settings.DEMO_ALLOWED:
            raise CommandError("roret plans_demo only runs with development settings (RORET_DEBUG=1).")
        if not Centre.objects.exists():
            raise CommandError("No centres: build the demo first (roret demo).")
        if Plan.objects.exists():
            raise CommandError("The database has development plans already; nothing was added.")
        with transaction.atomic():
            made = build_plans(SimpleNamespace(seed=seed, today=today or datetime.date.today()))
        self.stdout.write(f"Added {made['plans']} plans, {made['events']} realised events and {made['lights']} lights.")
