"""A wrong or missing field key fails loudly at start: Django's system checks (run by runserver,
migrate, `roret check` and most commands; docs/deploy.md runs `roret check --deploy` before the
application starts) decrypt a sample of stored CPR numbers with the configured keys."""

from django.core import checks
from django.db import DatabaseError

from roret.citizens import cpr as cprlib


def _sample():
    from roret.citizens.models import Citizen

    # An anonymised citizen has no CPR number left to decrypt (roret/citizens/retention.py).
    rows = Citizen.objects.exclude(cpr_encrypted="").order_by("pk").values_list("pk", "cpr_encrypted", "cpr_hash")
    first, last = rows.first(), rows.order_by("-pk").first()
    if first is None:
        return []
    middle = rows.filter(pk__gte=(first[0] + last[0]) // 2).first()
    return list({row[0]: row for row in (first, middle, last) if row is not None}.values())


def check_field_keys(**kwargs) -> list[checks.CheckMessage]:
    """The keys parse, and decrypt and find a sample of the stored numbers."""
    try:
        keys = cprlib.keyring()
        for key in keys:
            cprlib._keys(key)
    except Exception as exc:  # noqa: BLE001 - ImproperlyConfigured or ValueError, reported as such
        return [checks.Error(f"field-encryption keys: {exc}", id="roret.E101",
                             hint="FIELD_ENCRYPTION_KEYS holds Fernet keys, newest first (roret keys generate)")]
    try:
        sample = _sample()
    except DatabaseError:  # no database or no tables yet (before migrate): nothing stored to check
        return []
    errors = []
    for pk, token, digest in sample:
        try:
            number = cprlib.decrypt(token)
        except ValueError:
            errors.append(checks.Error(
                f"citizen #{pk}'s CPR number cannot be decrypted with any of the {len(keys)} configured "
                "field-encryption key(s): a key is wrong or missing", id="roret.E102",
                hint="put back the key the data was written with (keys are tried in FIELD_ENCRYPTION_KEYS order)"))
            continue
        if digest not in cprlib.lookup_hashes(number):
            errors.append(checks.Error(
                f"citizen #{pk}'s lookup hash was made with a key that is not configured: CPR searches would "
                "not find them", id="roret.E103", hint="put back the older key until `roret keys rotate` has run"))
    return errors
