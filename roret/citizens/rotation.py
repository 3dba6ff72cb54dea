"""Key rotation for CPR numbers: re-encrypt every citizen's number with the active field key and
store its hash under that key, in batches, without downtime (``roret keys rotate``).

While it runs, a lookup asks for the number's hash under every configured key
(``Citizen.objects.with_cpr``), so a citizen is found whether their row has been rotated or not,
and every key decrypts. Each batch is its own transaction with its rows locked, and the progress
is stored (``core.KeyRotation``, one row per active key), so an interrupted run goes on from
where it stopped. Rows created meanwhile are written under the active key already.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from roret.citizens import cpr as cprlib
from roret.citizens.models import Citizen
from roret.core import audit
from roret.core.models import KeyRotation

FIELD = "citizens.Citizen.cpr"
BATCH = 500


def state() -> KeyRotation | None:
    return KeyRotation.objects.filter(field=FIELD, key_id=cprlib.active_key_id()).first()


def rotate(*, batch_size: int = BATCH, from_start: bool = False, limit: int | None = None,
           progress: Callable[[int, int], None] | None = None) -> KeyRotation:
    """Re-encrypt the rows not yet under the active key, going on from the stored progress.

    ``from_start`` checks every row again (after a restore, say); ``limit`` stops after so many
    batches (to spread the work, or in a test of resuming)."""
    rotation, _created = KeyRotation.objects.get_or_create(field=FIELD, key_id=cprlib.active_key_id())
    if from_start:
        rotation.last_pk, rotation.checked, rotation.changed, rotation.finished = 0, 0, 0, None
        rotation.started = timezone.now()
        rotation.save()
    total = Citizen.objects.count()
    batches, finished, seen = 0, False, Citizen.objects.filter(pk__lte=rotation.last_pk).count()
    while limit is None or batches < limit:
        with transaction.atomic():
            ids = list(Citizen.objects.filter(pk__gt=rotation.last_pk).order_by("pk")
                       .values_list("pk", flat=True)[:batch_size])
            # An anonymised citizen has no number left (roret/citizens/retention.py): nothing to rotate.
            if not ids:
                finished = True
                break
            rows = list(Citizen.objects.select_for_update().filter(pk__in=ids).exclude(cpr_encrypted="")
                        .order_by("pk").only("pk", "cpr_encrypted", "cpr_hash"))
            changed = []
            for row in rows:
                if not cprlib.is_current(row.cpr_encrypted, row.cpr_hash):
                    row.cpr_encrypted, row.cpr_hash = cprlib.reencrypt(row.cpr_encrypted)
                    changed.append(row)
            Citizen.objects.bulk_update(changed, ["cpr_encrypted", "cpr_hash"])
            rotation.last_pk = ids[-1]
            rotation.checked += len(rows)
            rotation.changed += len(changed)
            rotation.save(update_fields=["last_pk", "checked", "changed"])
        batches, seen = batches + 1, seen + len(ids)
        if progress is not None:
            progress(min(seen, total), total)
    if not finished:
        return rotation  # stopped by ``limit``: the next run goes on from here
    if rotation.finished is None:
        rotation.finished = timezone.now()
        rotation.save(update_fields=["finished"])
        audit.record(None, "change", channel="cli", object_type="core.keyrotation", object_id=str(rotation.pk),
                     summary=f"CPR-numre krypteret med den aktive nøgle {rotation.key_id}: "
                             f"{rotation.changed} af {rotation.checked} rækker genkrypteret",
                     after={"key": rotation.key_id, "checked": rotation.checked, "changed": rotation.changed})
    return rotation


def not_current(progress: Callable[[int, int], None] | None = None) -> int:
    """How many rows are still under an older key (each row decrypted: a full scan)."""
    total, done, stale, last = Citizen.objects.count(), 0, 0, 0
    while True:
        rows = list(Citizen.objects.filter(pk__gt=last).order_by("pk")
                    .values_list("pk", "cpr_encrypted", "cpr_hash")[:2000])
        if not rows:
            return stale
        rows_with_number = [r for r in rows if r[1]]
        stale += sum(not cprlib.is_current(token, digest) for _pk, token, digest in rows_with_number)
        last, done = rows[-1][0], done + len(rows)
        if progress is not None:
            progress(done, total)
