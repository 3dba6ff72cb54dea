"""The reason for access: roles listed in ``settings.ACCESS_REASON_ROLES`` say why before they open
a citizen's record, once per citizen and session, and the reason stands on the audit entries.

The audited reads (``citizens.services.get_citizen`` / ``get_record``) call :func:`require`, which
raises :class:`ReasonRequired` when the reason is missing; :class:`AccessReasonMiddleware` turns
that into a redirect to the reason page (``core:access_reason``), which stores the reason in the
session and goes back. An API client sends the reason in the ``X-Access-Reason`` header (an API
call without it answers 403 with a message saying so). Commands and background jobs have no
request and are not asked.
"""

from __future__ import annotations

import contextvars
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

SESSION_KEY = "roret_access_reasons"
HEADER = "X-Access-Reason"
MIN_LENGTH = 10
MAX_LENGTH = 300

_request = contextvars.ContextVar("roret_request", default=None)


class ReasonRequired(PermissionDenied):
    """The user's role gives a reason before opening a record, and none was given for this citizen."""

    def __init__(self, citizen_id: int):
        super().__init__("a reason for access is required")
        self.citizen_id = citizen_id


def required_for(user) -> bool:
    return bool(user is not None and getattr(user, "role", None) in set(settings.ACCESS_REASON_ROLES))


def current_request():
    return _request.get()


def given(citizen_id) -> str:
    """The reason the current request's user gave for ``citizen_id`` ("" when none, or no request)."""
    request = _request.get()
    if request is None or citizen_id is None:
        return ""
    header = clean(request.headers.get(HEADER, ""))
    if header:
        return header
    session = getattr(request, "session", None)
    if session is None:
        return ""
    return session.get(SESSION_KEY, {}).get(str(citizen_id), "")


def require(user, citizen_id) -> str:
    """The reason given for ``citizen_id``; ReasonRequired when ``user``'s role must give one and
    has not in this session. Outside a request (commands, jobs) no reason is asked for."""
    reason = given(citizen_id)
    if reason or _request.get() is None or not required_for(user):
        return reason
    raise ReasonRequired(citizen_id)


def clean(text: str) -> str:
    text = " ".join((text or "").split())
    return text[:MAX_LENGTH] if len(text) >= MIN_LENGTH else ""


def remember(request, citizen_id: int, reason: str) -> bool:
    """Store ``reason`` for ``citizen_id`` in the session; False when it is too short to be one."""
    reason = clean(reason)
    if not reason:
        return False
    reasons = dict(request.session.get(SESSION_KEY, {}))
    reasons[str(citizen_id)] = reason
    request.session[SESSION_KEY] = reasons
    return True


class AccessReasonMiddleware:
    """Makes the request known to the audit layer for its duration, and answers ReasonRequired
    on a page with the reason form (the API answers it itself)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)

    def process_exception(self, request, exception):
        if not isinstance(exception, ReasonRequired) or request.path.startswith("/api/"):
            return None
        query = urlencode({"citizen": exception.citizen_id, "next": request.get_full_path()})
        return redirect(f"{reverse('core:access_reason')}?{query}")
