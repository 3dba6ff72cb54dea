"""CPR numbers: validation, encryption at rest, keyed hash for exact lookup, masking.

Numbers without a valid modulus-11 check digit are valid (the CPR office stopped using it in
2007), so only format and the embedded birth date are checked, as python-stdnum does.
"""

import base64
import datetime
import hashlib
import hmac
import logging
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError as StdnumError

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


@lru_cache(maxsize=4)
def _keys(field_key: str) -> tuple[Fernet, bytes]:
    raw = base64.urlsafe_b64decode(field_key.encode())
    if len(raw) != 32:
        raise ValueError("FIELD_ENCRYPTION_KEY must be 32 url-safe base64-encoded bytes (a Fernet key)")
    # Separate keys for encryption and for the lookup hash, both derived from the one secret.
    enc = hmac.new(raw, b"roret-cpr-encryption", hashlib.sha256).digest()
    mac = hmac.new(raw, b"roret-cpr-lookup", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(enc)), mac


def lookup_hash(number: str) -> str:
    """Keyed hash (HMAC-SHA256) of the normalised number, for exact lookup without decryption."""
    _fernet, mac = _keys(settings.FIELD_ENCRYPTION_KEY)
    return hmac.new(mac, normalise(number).encode(), hashlib.sha256).hexdigest()


def encrypt(number: str) -> str:
    fernet, _mac = _keys(settings.FIELD_ENCRYPTION_KEY)
    return fernet.encrypt(normalise(number).encode()).decode()


def decrypt(token: str) -> str:
    fernet, _mac = _keys(settings.FIELD_ENCRYPTION_KEY)
    try:
        return fernet.decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("CPR ciphertext cannot be decrypted with this FIELD_ENCRYPTION_KEY") from exc


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
        return True
