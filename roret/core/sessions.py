"""Sessions: the idle timeout, and ending all of a user's sessions at once.

A session ends when the browser closes (SESSION_EXPIRE_AT_BROWSER_CLOSE), after ``IDLE_MINUTES``
without a request (:class:`IdleTimeoutMiddleware`), at the latest ``SESSION_COOKIE_AGE`` after it
began, and everywhere at once when the user's ``session_generation`` is raised (:func:`end_all`):
it is part of the hash Django checks each session against (``User._get_session_auth_hash``), so
every session made before, on any browser, no longer matches.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from django.utils.translation import gettext as _

from roret.core import audit
from roret.core.models import AuditAction, User

LAST_ACTIVITY = "roret_last_activity"
#: The stamp is written at most this often, not on every request (each write is a session save).
STAMP_EVERY = 60


class IdleTimeoutMiddleware:
    """Logs out a user whose last request is more than ``IDLE_MINUTES`` ago; the login page says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            if isinstance(last, int) and now - last > settings.IDLE_MINUTES * 60:
                logout(request)
                messages.info(request, _("You were logged out after %(minutes)d minutes without activity. "
                                         "Log in again.") % {"minutes": settings.IDLE_MINUTES})
            elif not isinstance(last, int) or now - last >= STAMP_EVERY:
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="roret_idle_stamp_at_login")
def stamp_at_login(sender, request, user, **kwargs):
    """The idle clock starts at login (so the first page after it does not write the session)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())


def end_all(user: User) -> None:
    """End every session of ``user`` on every browser (raise the generation in the database)."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])


@transaction.atomic
def logout_everywhere(request, *, keep_this: bool = False) -> None:
    """The user ends all their sessions (a lost laptop, a shared computer), this one too unless
    ``keep_this``. Audited."""
    user = request.user
    end_all(user)
    audit.record(user, AuditAction.CHANGE, obj=user, summary=f"Logget ud overalt: {user.get_username()}",
                 after={"session_generation": user.session_generation})
    if keep_this:
        update_session_auth_hash(request, user)
    else:
        logout(request)
