"""CPR numbers: validation, encryption at rest, keyed hash for exact lookup, masking.

Numbers without a valid modulus-11 check digit are valid (the CPR office stopped using it in
2007), so only format and the embedded birth date are checked, as python-stdnum does.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import logging
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _
from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError as StdnumError

if TYPE_CHECKING:
    from cryptography.fernet import Fernet, MultiFernet

# ``cryptography`` (OpenSSL bindings) is imported where a number is encrypted or decrypted, not
# here: this module is imported with the citizen models at every start-up, and a command that
# never touches a CPR number (``roret capacity plan``) should not pay for loading it
# (tests/core/test_startup_imports.py).

CPR_PATTERN = re.compile(r"(?<!\d)(\d{6})[- ]?(\d{4})(?!\d)")


def normalise(value: str) -> str:
    """Digits only: '010203-1234' and '0102031234' give '0102031234'."""
    return re.sub(r"[\s-]", "", value or "")


def validate(value: str) -> str:
    """The normalised CPR number, or ValidationError saying what is wrong with it."""
    number = normalise(value)
    if not number.isdigit():
        raise ValidationError(_("A CPR number has only digits (DDMMYY-SSSS)."), code="cpr_format")
    if len(number) != 10:
        raise ValidationError(_("A CPR number has 10 digits (DDMMYY-SSSS); this has %(n)d.") % {"n": len(number)},
                              code="cpr_length")
    try:
        stdnum_cpr.validate(number)
    except StdnumError as exc:
        raise ValidationError(_("The CPR number does not hold a valid birth date."), code="cpr_date") from exc
    return number


def looks_like_cpr(value: str) -> bool:
    return bool(re.fullmatch(r"\d{6}-?\d{4}", (value or "").strip()))


def birth_date(number: str) -> datetime.date:
    return stdnum_cpr.get_birth_date(normalise(number))


def has_check_digit(number: str) -> bool:
    """True when the number satisfies the old modulus-11 rule (informational only)."""
    digits = normalise(number)
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


def mask(number: str) -> str:
    """DDMMYY-xxxx: the form shown in lists and the only form allowed in logs."""
    digits = normalise(number)
    return f"{digits[:6]}-xxxx"


def mask_text(text: str) -> str:
    return CPR_PATTERN.sub(lambda m: f"{m.group(1)}-xxxx", text)


# --- the keys ----------------------------------------------------------------------------------
# settings.FIELD_ENCRYPTION_KEYS holds the field keys, newest first (settings.py): the first, the
# active key, encrypts and hashes new numbers; every key decrypts, and a lookup tries the hash
# under every key, so a citizen is found whether `roret keys rotate` has reached their row or not.


@lru_cache(maxsize=16)
def _keys(field_key: str) -> tuple[Fernet, bytes]:
    from cryptography.fernet import Fernet

    try:
        raw = base64.urlsafe_b64decode(field_key.encode())
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != 32:
        raise ValueError("a field-encryption key must be 32 url-safe base64-encoded bytes (a Fernet key)")
    # Separate keys for encryption and for the lookup hash, both derived from the one secret.
    enc = hmac.new(raw, b"roret-cpr-encryption", hashlib.sha256).digest()
    mac = hmac.new(raw, b"roret-cpr-lookup", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(enc)), mac


def keyring() -> list[str]:
    """The configured field keys, newest (active) first."""
    keys = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or [])
    if not keys and getattr(settings, "FIELD_ENCRYPTION_KEY", None):
        keys = [settings.FIELD_ENCRYPTION_KEY]
    if not keys:
        raise ImproperlyConfigured("no field-encryption key: set FIELD_ENCRYPTION_KEYS (or FIELD_ENCRYPTION_KEY)")
    return keys


def key_id(field_key: str) -> str:
    """A short fingerprint that names a key without revealing it (for logs, status and rotation)."""
    return hashlib.sha256(b"roret-key-id" + field_key.encode()).hexdigest()[:12]


def active_key_id() -> str:
    return key_id(keyring()[0])


def _hash_with(field_key: str, number: str) -> str:
    _fernet, mac = _keys(field_key)
    return hmac.new(mac, normalise(number).encode(), hashlib.sha256).hexdigest()


def lookup_hash(number: str) -> str:
    """Keyed hash (HMAC-SHA256) of the normalised number under the active key, for exact lookup
    without decryption; what new and re-encrypted rows store."""
    return _hash_with(keyring()[0], number)


def lookup_hashes(number: str) -> list[str]:
    """The number's hash under every configured key, active first: a row not yet rotated still
    carries an older key's hash, so a lookup asks for any of them."""
    return list(dict.fromkeys(_hash_with(key, number) for key in keyring()))


def encrypt(number: str) -> str:
    fernet, _mac = _keys(keyring()[0])
    return fernet.encrypt(normalise(number).encode()).decode()


def _multi() -> MultiFernet:
    from cryptography.fernet import MultiFernet

    return MultiFernet([_keys(key)[0] for key in keyring()])


def decrypt(token: str) -> str:
    from cryptography.fernet import InvalidToken

    try:
        return _multi().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("CPR ciphertext cannot be decrypted with any of the FIELD_ENCRYPTION_KEYS") from exc


def is_current(token: str, stored_hash: str) -> bool:
    """Whether a row's ciphertext and hash are both under the active key (nothing to rotate)."""
    from cryptography.fernet import InvalidToken

    fernet, _mac = _keys(keyring()[0])
    try:
        number = fernet.decrypt(token.encode()).decode()
    except InvalidToken:
        return False
    return hmac.compare_digest(_hash_with(keyring()[0], number), stored_hash)


def reencrypt(token: str) -> tuple[str, str]:
    """(ciphertext, hash) of the number in ``token`` under the active key."""
    number = decrypt(token)
    return encrypt(number), lookup_hash(number)


def formatted(number: str) -> str:
    digits = normalise(number)
    return f"{digits[:6]}-{digits[6:]}"


class MaskCprFilter(logging.Filter):
    """Logging filter that masks anything shaped like a CPR number before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        # A traceback is formatted once per record and kept in exc_text, which formatters reuse:
        # format it here, masked (a CPR number in a path or a value shows in the exception's text).
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
