"""``roret balance_refresh``: count the balance figures from the case record again (the last eight
half-years, the department and every centre) and store them; run nightly beside economy_refresh,
and after back-dated corrections should show at once."""

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Count the balance model's figures from the case record again and store them."

    def handle(self, *args, **options):
        from roret.balance.figures import refresh

        started = time.perf_counter()
        scopes = refresh()
        self.stdout.write(f"Balance figures counted for {scopes} scopes in {time.perf_counter() - started:.1f} s.")
