"""API tokens: a user's keys to the API beside the browser session (docs/api.md, "Tokens").

A token is ``roret_<prefix>_<secret>``: ``prefix`` (8 hex digits) is stored as it is, to find the
token and to show which is which; of the whole token only its SHA-256 digest is stored, so the
token is shown once, when it is made, and never again. A token works until it expires (the user
picks how long, at most ``settings.API_TOKEN_MAX_DAYS``) or is revoked, by its user or by an
administrator, and only while its user is active: the user's role and scope apply as for the
session. Making and revoking are audited here; each use is audited by the endpoint's own entries,
which name the token (``roret.core.audit.record``).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from roret.core import audit, permissions
from roret.core.models import ApiToken, AuditAction, User

#: The lifetimes offered, in days; those above ``settings.API_TOKEN_MAX_DAYS`` are left out.
LIFETIMES = (30, 90, 365)
#: ``last_used`` is written at most this often per token, not at every request.
LAST_USED_EVERY = datetime.timedelta(minutes=1)
TOKEN = re.compile(r"^roret_([0-9a-f]{8})_([A-Za-z0-9_-]{40,64})$")
NAME_LENGTH = 100


def lifetimes() -> list[int]:
    """The lifetimes a user may pick, in days (the longest allowed always among them)."""
    longest = settings.API_TOKEN_MAX_DAYS
    return sorted({d for d in LIFETIMES if d <= longest} | {min(longest, max(LIFETIMES))})


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A token just made: the stored row and the token itself, to be shown once."""

    row: ApiToken
    token: str


@transaction.atomic
def create_token(*, actor, name: str, days: int, channel: str = "web") -> NewToken:
    """Make a token for ``actor`` (an active user) named ``name`` that lives ``days`` days (audited)."""
    if not permissions.is_active(actor):
        raise permissions.NotInScope("only an active user makes API tokens")
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = _("Give the token a name, e.g. what it is used for.")
    elif len(name) > NAME_LENGTH:
        errors["name"] = _("The name is at most %(limit)d characters.") % {"limit": NAME_LENGTH}
    if days not in lifetimes():
        errors["days"] = _("Choose how long the token lives.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    for _attempt in range(5):  # a prefix drawn twice (1 in 4 billion) draws again
        prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
        token = f"roret_{prefix}_{secret}"
        try:
            with transaction.atomic():
                row = ApiToken.objects.create(user=actor, name=name, prefix=prefix, digest=digest(token),
                                              created=now, expires=now + datetime.timedelta(days=days))
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover
        raise RuntimeError("no free token prefix")
    audit.record(actor, AuditAction.CREATE, obj=row, channel=channel,
                 summary=f"API-nøgle oprettet: {name} ({prefix}), udløber {row.expires:%d.%m.%Y}",
                 after={"name": name, "prefix": prefix, "expires": row.expires.isoformat()})
    return NewToken(row=row, token=token)


def tokens_for(actor, *, owner: User | None = None):
    """The tokens ``actor`` may see and revoke: their own; an administrator everyone's (or
    ``owner``'s). A deactivated user none."""
    if not permissions.is_active(actor):
        return ApiToken.objects.none()
    rows = ApiToken.objects.select_related("user", "revoked_by").order_by("-created")
    if permissions.has_role(actor, permissions.ADMINS):
        return rows.filter(user=owner) if owner is not None else rows
    return rows.filter(user=actor)


@transaction.atomic
def revoke_token(token: ApiToken, *, actor, channel: str = "web") -> ApiToken:
    """Revoke ``token`` (its own user, or an administrator): it answers 401 from now on (audited).
    A token that is revoked already stays as it was."""
    token = _fetch(actor, token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at, token.revoked_by = timezone.now(), actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    whose = "" if token.user_id == actor.pk else f" for brugeren {token.user.get_username()}"
    audit.record(actor, AuditAction.CHANGE, obj=token, channel=channel,
                 summary=f"API-nøgle tilbagekaldt{whose}: {token.name} ({token.prefix})",
                 before={"revoked": False}, after={"revoked": True})
    return token


def _fetch(actor, pk) -> ApiToken:
    """The token ``pk``, locked, if ``actor`` may revoke it; NotInScope (404) otherwise, so another
    user's token is not revealed."""
    token = tokens_for(actor).select_for_update(of=("self",)).filter(pk=pk).first()
    if token is None:
        raise permissions.NotInScope("not your token")
    return token


# --- using a token -------------------------------------------------------------------------------


class TokenRefused(Exception):
    """A token that does not authenticate: unknown, revoked, expired or its user deactivated."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def authenticate(token: str, *, note_use: bool = True) -> ApiToken:
    """The token's row (with its user) if ``token`` authenticates now; ``TokenRefused`` otherwise.
    Notes the use in ``last_used`` (unless ``note_use`` is false), at most once a minute."""
    match = TOKEN.match(token.strip())
    row = None
    if match:
        row = ApiToken.objects.select_related("user").filter(prefix=match[1]).first()
    if row is None or not hmac.compare_digest(row.digest, digest(token.strip())):
        raise TokenRefused("Ukendt API-nøgle.")
    now = timezone.now()
    if row.revoked_at is not None:
        raise TokenRefused("API-nøglen er tilbagekaldt.")
    if row.expires <= now:
        raise TokenRefused("API-nøglen er udløbet.")
    if not row.user.is_active:
        raise TokenRefused("Brugeren bag API-nøglen er deaktiveret.")
    if note_use and (row.last_used is None or row.last_used < now - LAST_USED_EVERY):
        ApiToken.objects.filter(pk=row.pk).update(last_used=now)
        row.last_used = now
    return row
