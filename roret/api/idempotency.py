"""``Idempotency-Key`` on the API's unsafe requests: the same request sent again gets the first
answer and writes nothing again (docs/api.md, "Sending a request again").

A client that may send a request twice (a timeout, a retry after a lost answer) sends a key of its
own choosing in the ``Idempotency-Key`` header. The first request with a key inserts a row for
(user, key) with the request's fingerprint (method, path and a hash of the body), runs the endpoint
and stores its answer in the row, all in one transaction: the answer and the write commit together
or not at all. A second request with the key by the same user finds the row and gets the stored
status and body back, the endpoint not run. Two at the same time: the unique constraint on (user,
key) makes the second wait for the first's transaction and then read its answer. The same key with
another request is refused (422). An answer that says nothing about the request (401, 403: the
caller is not let in; 5xx: the transaction is rolled back) is not stored, so the request can be
sent again with the key. A stored answer sent again may name a citizen: the replay is audited as a
read (channel "api", the token's name, the request and its status), of the citizen in the path or
of those a stored search names; a citizen in the path the caller may no longer see answers 404
instead (the refusal audited), and a stored search that names one is run again, as a new request
would be. Keys are kept ``settings.IDEMPOTENCY_KEY_HOURS``; ``roret retention``
deletes older ones (they hold answers that may name citizens), and an older key is taken as new.

It wraps every operation of the API (``api.add_decorator(idempotent, mode="view")``), around
authentication, and lets safe methods and requests without the header through untouched.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from roret.api import errors
from roret.api.access import NOT_FOUND
from roret.api.auth import caller
from roret.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

BAD_KEY = f"{HEADER} skal være 1-255 synlige tegn (ASCII, uden mellemrum)."
OTHER_REQUEST = (f"{HEADER} er allerede brugt til en anden forespørgsel (en anden adresse eller et andet indhold). "
                 "Brug en ny nøgle til en ny forespørgsel.")
STILL_RUNNING = f"En forespørgsel med samme {HEADER} er ikke færdig endnu. Prøv igen om lidt."

PARAMETER = {
    "in": "header", "name": HEADER, "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "Your own unique key for this request (e.g. a UUID). Sent again with the same request, "
                   "it gets the first answer back without writing again; with another request, 422. "
                   "Keys are kept a day (RORET_IDEMPOTENCY_KEY_HOURS). See docs/api.md.",
}


def keep() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


def fingerprint(request) -> str:
    """The request as the key stands for it: method, path with query, and the body's hash."""
    body = hashlib.sha256(request.body).hexdigest()
    return hashlib.sha256(f"{request.method}\n{request.get_full_path()}\n{body}".encode()).hexdigest()


def _stored(status: int) -> bool:
    return 200 <= status < 500 and status not in (401, 403)


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(row.body.encode(), status=row.status, content_type=row.content_type or None)
    response[REPLAYED] = "true"
    return response


def _named_citizens(row: IdempotencyKey) -> list[int]:
    """The citizens a stored list of citizens names (a search's page of ``items`` with ``id``)."""
    try:
        body = json.loads(row.body)
    except ValueError:
        return []
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) and "cpr_masked" in i for i in items):
        return []
    return [i["id"] for i in items if isinstance(i.get("id"), int)]


def replay(request, user, row: IdempotencyKey, citizen_id) -> HttpResponse | None:
    """The stored answer, read again: audited as a read (channel "api", the token's name) of the
    citizen in the path, or of the citizens a stored search names, since the answer may name them.
    A citizen in the path the caller may no longer see answers 404 (the refusal audited), as a new
    request would; a stored search naming one is not replayed (None): it is run again."""
    from roret.citizens.models import Citizen
    from roret.core import audit
    from roret.core.models import AuditAction
    from roret.core.permissions import VIEW, citizen_scope

    what = f"{request.method} {request.path} -> {row.status}"
    if citizen_id is not None:
        if not Citizen.objects.filter(citizen_scope(user, VIEW), pk=citizen_id).exists():
            audit.refused(user, Citizen, citizen_id, action=VIEW, channel="api")
            return JsonResponse(errors.body(NOT_FOUND), status=404)
        audit.record(user, AuditAction.VIEW, citizen=citizen_id, channel="api", object_type="core.idempotencykey",
                     object_id=str(row.pk), summary=f"Gentaget svar vist ({HEADER}): {what}")
        audit.watch_mass_reads(user)
    else:
        named = _named_citizens(row)
        if named and Citizen.objects.filter(citizen_scope(user, VIEW), pk__in=named).count() < len(set(named)):
            return None  # not replayed: the caller runs the request again
        audit.record(user, AuditAction.LIST if named else AuditAction.VIEW, channel="api",
                     object_type="core.idempotencykey", object_id=str(row.pk),
                     citizen=named[0] if len(named) == 1 else None, citizen_count=len(named) or None,
                     summary=f"Gentaget svar vist ({HEADER}): {what}"
                             + (f" ({len(named)} {'borger' if len(named) == 1 else 'borgere'})" if named else ""))
    return _replay(row)


def _claim(user, key: str, print_: str) -> IdempotencyKey | None:
    """Insert the key (in a savepoint of the caller's transaction); None if it is there already.
    A key older than the keeping time is taken as new."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(user=user, key=key, fingerprint=print_)
        except IntegrityError:
            deleted, _rows = IdempotencyKey.objects.filter(user=user, key=key,
                                                           created__lt=timezone.now() - keep()).delete()
            if not deleted:
                return None
    return None


def idempotent(run):
    """Wrap an operation's run (django-ninja "view" mode: request in, HttpResponse out)."""

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if request.method not in UNSAFE or key is None:
            return run(request, *args, **kwargs)
        if not KEY.match(key):
            return JsonResponse(errors.body(BAD_KEY), status=400)
        user = caller(request)
        if user is None:  # not let in: the endpoint answers 401 itself
            return run(request, *args, **kwargs)
        print_ = fingerprint(request)
        with transaction.atomic():
            row = _claim(user, key, print_)
            if row is None:
                first = IdempotencyKey.objects.filter(user=user, key=key).first()
                if first is None or first.status is None:  # pragma: no cover (a first not yet committed)
                    return JsonResponse(errors.body(STILL_RUNNING), status=409)
                if first.fingerprint != print_:
                    return JsonResponse(errors.body(OTHER_REQUEST), status=422)
                answer = replay(request, user, first, kwargs.get("citizen_id"))
                if answer is not None:
                    return answer
                # A stored search names a citizen the caller may no longer see: the stored answer is
                # dropped and the request runs again, through the gate, as a new one would.
                first.delete()
                row = IdempotencyKey.objects.create(user=user, key=key, fingerprint=print_)
            response = run(request, *args, **kwargs)
            if _stored(response.status_code) and not response.streaming:
                row.status, row.content_type = response.status_code, response.get("Content-Type", "")[:100]
                row.body = response.content.decode("utf-8", errors="replace")
                row.save(update_fields=["status", "content_type", "body"])
            else:
                row.delete()
            return response

    return wrapper


def document(schema: dict) -> dict:
    """Declare the header on every unsafe operation of an OpenAPI schema."""
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if method.upper() in UNSAFE and isinstance(operation, dict):
                params = operation.setdefault("parameters", [])
                if not any(p.get("name") == HEADER for p in params):
                    params.append(dict(PARAMETER))
    return schema

