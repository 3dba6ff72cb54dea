"""The second factor: a TOTP code (RFC 6238) from an authenticator app, with django-otp.

Who must use it: the administrator always, the roles in ``TWO_FACTOR_ROLES`` (``RORET_2FA_ROLES``),
and anyone who has set up a device of their own. Until such a user has given a code in this
session, :class:`TwoFactorMiddleware` sends every request but logging in and out, the code pages,
static files and the language switch to the code page (or to set-up, without a device); the API
answers 403. Django admin is behind the same middleware.

Wrong codes are throttled by django-otp (each failure doubles the wait, ``OTP_TOTP_THROTTLE_FACTOR``
seconds at first) and audited like failed passwords.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from roret.core import audit, permissions, sessions
from roret.core.models import AuditAction, User

PENDING_KEY = "roret_2fa_pending_key"
HAS_DEVICE = "roret_2fa_has_device"
#: Set by a staff single sign-on (roret.core.oidc) whose identity provider proved a second factor
#: (``amr`` containing ``mfa``): the code has then been given, at the identity provider.
IDP_MFA = "roret_2fa_by_idp"
DEVICE_NAME = "authenticator"
#: Paths a user who still owes the code may reach (prefixes); the code pages themselves by name.
EXEMPT_PREFIXES = ("/static/", "/i18n/", "/favicon")
EXEMPT_NAMES = ("login", "logout", "core:two_factor_verify", "core:two_factor_setup", "admin:login", "admin:logout")


def devices(user) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=True)) if user.is_authenticated else []


def required(user, session=None) -> bool:
    """Whether ``user`` must give a code after the password. With ``session``, whether the user has a
    device is read from it when known: it is noted at login, and a device is only added by the user's
    own set-up (in that session) or removed by a reset (which ends the sessions)."""
    if not user.is_authenticated:
        return False
    if session is not None and session.get(IDP_MFA):
        return False
    if user.role in settings.TWO_FACTOR_ROLES or user.role in permissions.ADMINS:
        return True
    if session is not None and HAS_DEVICE in session:
        return bool(session[HAS_DEVICE])
    has = bool(devices(user))
    if session is not None:
        session[HAS_DEVICE] = has
    return has


@receiver(user_logged_in, dispatch_uid="roret_two_factor_note_device")
def note_device_at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE] = bool(devices(user))


def is_verified(request) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


class TwoFactorMiddleware:
    """Sends a logged-in user who must give a code, and has not in this session, to the code page."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt_paths = None

    def _exempt(self, path: str) -> bool:
        if self._exempt_paths is None:
            self._exempt_paths = {reverse(name) for name in EXEMPT_NAMES}
        return path in self._exempt_paths or path.startswith(EXEMPT_PREFIXES)

    def __call__(self, request):
        user = request.user
        if (user.is_authenticated and not self._exempt(request.path) and not is_verified(request)
                and required(user, request.session)):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("Give your two-factor code at %(url)s first.")
                                     % {"url": reverse("core:two_factor_verify")}}, status=403)
            target = "core:two_factor_verify" if devices(user) else "core:two_factor_setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


# --- set-up: a new secret, shown as a QR code and as text, confirmed with a code ---------------


def pending_device(request) -> TOTPDevice:
    """An unsaved device with the secret offered in this session (made once, kept until confirmed),
    so showing the set-up page writes nothing to the database."""
    key = request.session.get(PENDING_KEY)
    if not key:
        key = secrets.token_hex(20)
        request.session[PENDING_KEY] = key
    return TOTPDevice(user=request.user, name=DEVICE_NAME, key=key, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (no script, no image request)."""
    import segno  # the QR code only on the enrolment page, not at every start-up

    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1a1a1a", light="#ffffff",
                                                               omitsize=False)


def base32_secret(device: TOTPDevice) -> str:
    import base64

    text = base64.b32encode(device.bin_key).decode()
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


class CodeError(ValidationError):
    """A code that is wrong, malformed, or tried while throttled; the message says which."""


def _clean_token(token: str) -> str:
    token = "".join((token or "").split())
    if not token.isdigit() or len(token) != 6:
        raise CodeError({"token": _("Type the 6 digits the app shows, e.g. 123456.")})
    return token


def _throttled(device: TOTPDevice) -> None:
    allowed, detail = device.verify_is_allowed()
    if not allowed:
        until = (detail or {}).get("locked_until")
        raise CodeError({"token": _("Too many wrong codes. Wait until %(time)s and try again.")
                         % {"time": until.astimezone().strftime("%H:%M:%S")} if until else
                         _("Too many wrong codes. Wait a moment and try again.")})


def _failed(request, user, device=None) -> None:
    ip = request.META.get("REMOTE_ADDR", "")
    audit.login_event(AuditAction.LOGIN_FAILED, username=user.get_username(), ip=ip, user=user,
                      summary=f"Forkert kode til totrinslogin for »{user.get_username()}« fra {ip or 'ukendt adresse'}")


@transaction.atomic
def confirm_setup(request, token: str) -> TOTPDevice:
    """Save the session's pending secret as the user's device when ``token`` matches it, and count
    this session as verified. Audited. A user who has a device already resets it first."""
    user = request.user
    if devices(user):
        raise CodeError({"token": _("You have an authenticator already. An administrator can reset it.")})
    token = _clean_token(token)
    device = pending_device(request)
    # Checked by the bare algorithm: django-otp's verify_token saves the device on a wrong code (to
    # count it), and nothing is saved before the code is right.
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    code.time = time.time()
    if not code.verify(int(token), device.tolerance):
        _failed(request, user)
        raise CodeError({"token": _("The code is not right. Check that the phone's clock is right and type the "
                                    "newest code.")})
    device.last_t = code.t()  # the code used here cannot be used again to log in
    device.confirmed = True
    device.save()
    request.session.pop(PENDING_KEY, None)
    request.session[HAS_DEVICE] = True
    otp_login(request, device)
    audit.record(user, AuditAction.CREATE, obj=device, summary=f"Totrinslogin sat op: {user.get_username()}")
    return device


def verify(request, token: str) -> TOTPDevice:
    """Count this session as verified when ``token`` matches one of the user's devices; throttled
    (django-otp) and audited when wrong."""
    user = request.user
    found = devices(user)
    if not found:
        raise CodeError({"token": _("You have no authenticator yet: set one up.")})
    token = _clean_token(token)
    for device in found:
        _throttled(device)
    for device in found:
        if device.verify_token(token):
            otp_login(request, device)
            return device
    _failed(request, user)
    raise CodeError({"token": _("The code is not right. Type the newest code from the app.")})


@transaction.atomic
def reset(user: User, *, actor, reason: str, channel: str = "web") -> int:
    """Remove a user's authenticator (an administrator; e.g. a lost phone): they set up a new one
    at their next login. Their sessions end. Audited with the reason."""
    from roret.core.services import UserError, lock_for_admin, reason_given

    user = lock_for_admin(actor, user)
    reason = reason_given(reason, why=_("Resetting two-factor login"))
    removed = list(TOTPDevice.objects.filter(user=user))
    if not removed:
        raise UserError(_("%(user)s has no authenticator to reset.") % {"user": user.get_username()})
    TOTPDevice.objects.filter(user=user).delete()
    sessions.end_all(user)
    audit.record(actor, AuditAction.CHANGE, obj=user, channel=channel, reason=reason,
                 summary=f"Totrinslogin nulstillet: {user.get_username()} (alle sessioner afsluttet)",
                 before={"devices": len(removed)}, after={"devices": 0})
    return len(removed)


def session_device_id(request) -> str | None:
    return request.session.get(DEVICE_ID_SESSION_KEY)
