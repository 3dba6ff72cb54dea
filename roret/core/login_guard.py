"""Failed logins: the lockout page django-axes shows, the audit entries for failed and refused
logins, and the lockouts the administrator sees and lifts.

django-axes counts the failures (per user name and per address, AXES_LOCKOUT_PARAMETERS) on every
login that goes through ``django.contrib.auth.authenticate`` with a request: roret's login page and
Django admin's. Its backend, first in AUTHENTICATION_BACKENDS, refuses a locked-out name or address
before the password is checked, so the right password does not get through either.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max, Sum
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone

from roret.core import audit
from roret.core.models import AuditAction, User


class LoginHandler(AxesDatabaseHandler):
    """django-axes's database handler with a limit of its own for an address.

    Many staff of a town hall log in from one address (a proxy, a terminal server), so an address
    is locked only after AXES_IP_FAILURE_LIMIT failures (default ten times the user name's limit),
    not after one colleague's five typos. django-axes compares the larger of the per-name and the
    per-address count with one limit (AXES_FAILURE_LIMIT); this handler scales the address's count
    to that limit, so a name is locked at its limit and an address at its own."""

    def get_failures(self, request, credentials=None) -> int:
        by_name, by_address = (attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
                               for attempts in self.get_user_attempts(request, credentials))
        return max(by_name, by_address * settings.AXES_FAILURE_LIMIT // settings.AXES_IP_FAILURE_LIMIT)


def username_tried(request, credentials=None) -> str | None:
    """The user name a login tried, as django-axes counts it: cut to a user name's longest (150),
    so a pasted essay is counted as a failure instead of overflowing axes's column (a 500 on
    PostgreSQL). Django's login forms pass any length on to ``authenticate``."""
    if credentials:
        name = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        name = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return None if name is None else str(name)[:150]


def _limit(kind: str) -> int:
    return settings.AXES_IP_FAILURE_LIMIT if kind == "ip" else settings.AXES_FAILURE_LIMIT


def _minutes_left(request) -> int | None:
    cool_off = get_cool_off(request)
    return math.ceil(cool_off.total_seconds() / 60) if cool_off else None


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login gets (429): what happened, when to try again, whom to ask."""
    return render(request, "core/locked_out.html", {"minutes": _minutes_left(request),
                                                    "failures": settings.AXES_FAILURE_LIMIT}, status=429)


def _ip(request) -> str:
    if request is None:
        return ""
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request) or ""


def _user_named(username: str) -> User | None:
    return User.objects.filter(username=username).first() if username else None


@receiver(user_login_failed, dispatch_uid="roret_login_failed_audit")
def audit_failed_login(sender, credentials, request=None, **kwargs):
    """One audit entry per failed login: the name tried, the address, and the account if it exists
    (on its page's history). The password is never written. A single sign-on refused
    (roret.core.oidc) has written its own entry, with the reason; django-axes still counts it."""
    if "oidc_client" in credentials:
        return
    username = str(credentials.get("username") or "")[:150]
    audit.login_event(AuditAction.LOGIN_FAILED, username=username, ip=_ip(request), user=_user_named(username),
                      summary=f"Mislykket log-ind som »{username}« fra {_ip(request) or 'ukendt adresse'}")


@receiver(user_locked_out, dispatch_uid="roret_locked_out_audit")
def audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    """An audit entry each time a locked-out name or address is refused (the first one is the lockout)."""
    username = str(username or "")[:150]
    attempts, _cool_off = _recent()
    by_name = attempts.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0
    if by_name >= settings.AXES_FAILURE_LIMIT or not ip_address:
        why = f"brugernavnet spærret efter {settings.AXES_FAILURE_LIMIT} mislykkede forsøg"
    else:   # the address reached its own, higher limit (many names tried from it)
        why = f"adressen spærret efter {settings.AXES_IP_FAILURE_LIMIT} mislykkede forsøg fra den"
    audit.login_event(AuditAction.LOCKED, username=username, ip=ip_address or "", user=_user_named(username),
                      summary=f"Log-ind afvist, {why}: »{username}« fra {ip_address or 'ukendt adresse'}")


# --- what the administrator sees and lifts -----------------------------------------------------


@dataclass(frozen=True)
class Lockout:
    kind: str  # "username" or "ip"
    value: str
    failures: int
    last: datetime.datetime
    until: datetime.datetime | None


def _recent():
    attempts = AccessAttempt.objects.all()
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts, cool_off


def lockouts() -> list[Lockout]:
    """The user names and addresses locked out now, most recent first."""
    attempts, cool_off = _recent()
    found = []
    for kind, column in (("username", "username"), ("ip", "ip_address")):
        rows = attempts.exclude(**{f"{column}__isnull": True})
        if kind == "username":  # an address field turns "" into NULL, which the line above leaves out
            rows = rows.exclude(username="")
        rows = (rows.order_by().values(column)
                .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
                .filter(failures__gte=_limit(kind)))
        for row in rows:
            found.append(Lockout(kind, row[column], row["failures"], row["last"],
                                 row["last"] + cool_off if cool_off else None))
    return sorted(found, key=lambda lockout: lockout.last, reverse=True)


def is_locked(username: str) -> Lockout | None:
    return next((lo for lo in lockouts() if lo.kind == "username" and lo.value == username), None)
