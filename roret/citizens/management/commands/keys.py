"""``roret keys``: the field-encryption keys. ``status`` names them and what rotation has done,
``rotate`` re-encrypts the CPR numbers with the active key (resumable), ``generate`` makes a new
key. See docs/security.md for the whole procedure."""

import os
import time

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from roret.citizens import cpr as cprlib
from roret.citizens import rotation
from roret.citizens.checks import check_field_keys
from roret.citizens.models import Citizen


class Command(BaseCommand):
    help = "Field-encryption keys: status, rotate (re-encrypt CPR numbers with the active key), generate."
    # It is the tool for a key problem, so it runs when the key check fails; it checks itself.
    requires_system_checks = []

    def add_arguments(self, parser):
        # A positional choice rather than subcommands, so Django's own options (-v 0) go anywhere.
        parser.add_argument("what", choices=["status", "rotate", "generate", "pin"],
                            help="status: the keys (by fingerprint) and the rotation's progress; rotate: re-encrypt "
                                 "every CPR number with the active (first) key, in batches, going on from where an "
                                 "interrupted run stopped; generate: print a new key to put first in "
                                 "FIELD_ENCRYPTION_KEYS; pin: print PSEUDONYM_KEY and AUDIT_CHAIN_KEY as they are "
                                 "now, to set them before the oldest field key (they may be derived from) goes")
        parser.add_argument("--scan", action="store_true",
                            help="with status: decrypt every row and count those still under an older key")
        parser.add_argument("--batch-size", type=int, default=rotation.BATCH, help="with rotate: rows per batch")
        parser.add_argument("--from-start", action="store_true", help="with rotate: check every row again")
        parser.add_argument("--batches", type=int, default=None, help="with rotate: stop after so many batches")

    def handle(self, *args, what, **options):
        if what == "generate":
            self.stdout.write(Fernet.generate_key().decode())
            return
        if what == "pin":
            from django.conf import settings

            self.stdout.write(f"PSEUDONYM_KEY={settings.PSEUDONYM_KEY}\nAUDIT_CHAIN_KEY={settings.AUDIT_CHAIN_KEY}")
            return
        problems = check_field_keys()
        if problems:
            raise CommandError("; ".join(p.msg for p in problems))
        getattr(self, f"_{what}")(**options)

    def _bar(self, desc, options):
        bar = tqdm(desc=desc, unit=" citizens", disable=options["verbosity"] == 0)

        def progress(done, total):
            bar.total = total
            bar.update(done - bar.n)

        return bar, progress

    def _status(self, **options):
        keys = cprlib.keyring()
        self.stdout.write(f"Field keys ({len(keys)}), newest first:")
        for i, key in enumerate(keys):
            self.stdout.write(f"  {cprlib.key_id(key)}" + ("  active" if i == 0 else "  older: decrypts only"))
        for name in ("PSEUDONYM_KEY", "AUDIT_CHAIN_KEY"):
            source = "own setting" if os.environ.get(name) else "derived from the oldest field key"
            self.stdout.write(f"{name}: {source}")
        state = rotation.state()
        total = Citizen.objects.count()
        if state is None:
            self.stdout.write(f"No rotation to the active key has run ({total} citizens).")
        else:
            done = "finished " + f"{state.finished:%Y-%m-%d %H:%M}" if state.finished else "not finished"
            self.stdout.write(f"Rotation to {state.key_id}: {done}; {state.checked} rows checked, "
                              f"{state.changed} re-encrypted, up to citizen #{state.last_pk} of {total} citizens.")
        if options["scan"]:
            bar, progress = self._bar("Scanning", options)
            stale = rotation.not_current(progress=progress)
            bar.close()
            if stale:
                self.stdout.write(self.style.WARNING(f"{stale} rows are still under an older key: "
                                                     "run `roret keys rotate` before removing it."))
            else:
                self.stdout.write(self.style.SUCCESS(
                    "Every row is under the active key: the older keys can be removed from FIELD_ENCRYPTION_KEYS"
                    + ("" if len(keys) == 1 else
                       " (pin PSEUDONYM_KEY and AUDIT_CHAIN_KEY first if they are derived from the oldest key)")))

    def _rotate(self, **options):
        if len(cprlib.keyring()) == 1:
            self.stdout.write("One key only: rotation checks that every row is under it.")
        started = time.perf_counter()
        bar, progress = self._bar("Re-encrypting CPR", options)
        state = rotation.rotate(batch_size=options["batch_size"], from_start=options["from_start"],
                                limit=options["batches"], progress=progress)
        bar.close()
        what = (f"{state.checked} rows checked, {state.changed} re-encrypted with key {state.key_id} "
                f"in {time.perf_counter() - started:.1f} s")
        if state.finished is None:
            self.stdout.write(self.style.WARNING(f"Stopped at citizen #{state.last_pk}: {what}. "
                                                 "Run it again to go on."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Rotation finished: {what}."))
