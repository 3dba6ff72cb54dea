"""A form sent twice writes once: every POST form carries a fresh token, and the first submit of a
token is the only one that runs the view.

The form holds ``{% form_token %}`` beside ``{% csrf_token %}``: a hidden field with a random token,
new at every rendering. :class:`FormTokenMiddleware` records the token of a logged-in user's POST
with an insert into a table with a unique constraint on the token, committed before the view runs,
so of two submits of the same token (a double click, a reload that resends, two tabs) exactly one
gets in, on PostgreSQL and SQLite alike:

- the first runs the view. A redirect (the answer to a write that succeeded) is stored with the
  token; any other answer (the form again with its errors, a refusal, an error) deletes the token,
  so the user can correct the form and send it again;
- a later submit of a stored token does not run the view: it gets the first submit's redirect again,
  with a message that the form had been sent already, so the user sees the first result;
- a submit while the first is still running waits for it (up to :data:`WAIT_SECONDS`) and then
  answers as above; if the first is still not done, it answers 409 with a page saying so.

A POST without a token (or with a malformed one) is let through as before: API clients (``/api/``
is a channel of its own), tests that post directly, and a page opened before the tokens came.
Tokens are kept a day; ``roret retention`` deletes older ones (docs/security.md, "Double submits").
"""

from __future__ import annotations

import datetime
import re
import secrets
import time

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from roret.core.models import FormSubmission

FIELD = "form_token"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
WAIT_SECONDS = 15.0
POLL_SECONDS = 0.1
KEEP = datetime.timedelta(days=1)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _token(request) -> str | None:
    if request.method != "POST" or request.path.startswith("/api/"):
        return None
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return None
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return None
    token = request.POST.get(FIELD, "")
    return token if TOKEN.match(token) else None


def _claim(token: str, request) -> bool:
    """Insert the token, committed at once; False if a submit of it got in first."""
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=token, user=request.user, path=request.path[:500])
    except IntegrityError:
        return False
    return True


def _replay(request, token: str):
    """The answer to a token submitted before: the first submit's redirect, once it has one."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        first = FormSubmission.objects.filter(token=token).first()
        if first is None:  # the first submit failed and gave the token back: this one runs
            return None
        if first.user_id != request.user.pk:
            return _conflict(request, _("This form was sent by another user. Open the page again and fill it in."))
        if first.status is not None:
            messages.info(request, _("The form had already been sent; it is saved only once."))
            response = HttpResponseRedirect(first.location)
            response.status_code = first.status
            return response
        if time.monotonic() >= deadline:
            return _conflict(request, _("The form is still being saved from the first time it was sent. "
                                        "Wait a moment and open the page again; do not send it again."))
        time.sleep(POLL_SECONDS)


def _refused(request) -> bool:
    """Whether the view refused the submit with an error message shown on the page it redirects to
    (a refusal wrote nothing, so the same form may be sent again once corrected). The messages
    added during this request wait in the storage's queue until the messages middleware, outside
    this one, stores them."""
    queued = getattr(getattr(request, "_messages", None), "_queued_messages", ())
    return any(message.level >= messages.ERROR for message in queued)


def _conflict(request, message: str):
    return render(request, "core/form_sent.html", {"message": message}, status=409)


class FormTokenMiddleware:
    """Runs a form's first submit and answers later submits of its token with the first's result.

    Placed last in ``MIDDLEWARE``, around the view alone, after the login and the messages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _token(request)
        if token is None:
            return self.get_response(request)
        while not _claim(token, request):
            replay = _replay(request, token)
            if replay is not None:
                return replay
        try:
            response = self.get_response(request)
        except BaseException:
            FormSubmission.objects.filter(token=token).delete()
            raise
        if 300 <= response.status_code < 400 and response.has_header("Location") \
                and not getattr(request, "_form_token_release", False) and not _refused(request):
            FormSubmission.objects.filter(token=token).update(status=response.status_code,
                                                              location=response["Location"][:2000])
        else:
            FormSubmission.objects.filter(token=token).delete()
        return response

    def process_exception(self, request, exception):
        # A view that raised (e.g. for a reason for access, which a later middleware turns into a
        # redirect to the reason page) did not write: the token is given back, not stored.
        request._form_token_release = True


def delete_old(now: datetime.datetime | None = None, *, dry_run: bool = False) -> int:
    """Delete the tokens older than a day (``roret retention``); the number deleted (or due)."""
    old = FormSubmission.objects.filter(created__lt=(now or timezone.now()) - KEEP)
    return old.count() if dry_run else old.delete()[0]
