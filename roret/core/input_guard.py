"""One gate for what no field of roret accepts, before any view, form, service or API schema reads it.

Every value of a query string, a form and an API's JSON body is checked:

- control characters (a NUL byte, a bell ...; tab, line feed and carriage return are text): PostgreSQL
  cannot store a NUL, and none of them is anything a person types;
- more than ``MAX_TEXT`` characters: the outer backstop. Each field has its own, lower limit
  (roret/core/text_limits.py; the longest, a decision's justification or a journal note, is 8,000),
  checked by its form and its service with a message on the field;
- a whole number that does not fit a database key (above 2^63 - 1): no id, count or amount in roret
  is that large, and the database or Python's int conversion fails on it;
- a date outside ``FIRST_DAY``..``LAST_DAY``: a year 0 or 10000 cannot be a Python date, and the
  period and grant arithmetic ends at 2200.

A refused request answers 400 with a Danish page (or JSON for the API) that names the field and says
what is wrong; the view never runs, so nothing is written. Forms and services still check their own
limits (each text field's, a budget's 14 digits) with messages on the field.
"""

import datetime
import json
import re

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from roret.core.parsing import MAX_ID

MAX_TEXT = 10_000
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2200, 12, 31)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
WHOLE_NUMBER = re.compile(r"\s*[-+]?\d+\s*")
# ISO (the date inputs), and day-month-year as a Dane types it (31-12-2024, 31.12.2024, 31/12/2024).
ISO_DATE = re.compile(r"\s*(\d{1,5})-(\d{1,2})-(\d{1,2})\s*")
DANISH_DATE = re.compile(r"\s*(\d{1,2})[-./](\d{1,2})[-./](\d{3,5})\s*")  # not 5.38.50, an account


def problem(value: str) -> str | None:
    """What is wrong with a posted value, in Danish, or None when the gate lets it through."""
    if CONTROL.search(value):
        return _("contains a control character (e.g. a NUL byte) that cannot be saved; remove it and try again.")
    if len(value) > MAX_TEXT:
        return _("is %(length)s characters long; at most %(max)s are allowed.") % {
            "length": f"{len(value):,}".replace(",", "."), "max": f"{MAX_TEXT:,}".replace(",", ".")}
    if WHOLE_NUMBER.fullmatch(value) and abs(int(value)) > MAX_ID:
        return _("is a number too large for any field (%(digits)s digits).") % {"digits": len(value.strip(" +-"))}
    year = None
    if match := ISO_DATE.fullmatch(value):
        year = int(match[1])
    elif match := DANISH_DATE.fullmatch(value):
        year = int(match[3])
    if year is not None and not FIRST_DAY.year <= year <= LAST_DAY.year:
        return _("is a date in the year %(year)s; dates must lie between %(first)s and %(last)s.") % {
            "year": year, "first": FIRST_DAY.strftime("%d-%m-%Y"), "last": LAST_DAY.strftime("%d-%m-%Y")}
    return None


def _json_values(data, path=""):
    """(field path, text) for every string and number in a parsed JSON document."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _json_values(value, f"{path}.{key}" if path else str(key))
            yield path or str(key), str(key)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _json_values(value, f"{path}[{i}]")
    elif isinstance(data, str):
        yield path, data
    elif isinstance(data, int) and not isinstance(data, bool):
        yield path, str(data)


def refusal(request) -> tuple[str, str] | None:
    """The first (field, problem) of the request's query string, form or JSON body."""
    sources = [request.GET]
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            sources.append(request.POST)
        elif content_type == "application/json" and request.body:
            try:
                document = json.loads(request.body)
            except ValueError:
                document = None  # the API answers malformed JSON itself (400)
            for field, value in _json_values(document):
                if reason := problem(value):
                    return field, reason
    for source in sources:
        for field, values in source.lists():
            for value in [field, *values]:
                if reason := problem(value):
                    return field, reason
    return None


class InputGuardMiddleware:
    """Refuses a request carrying a value no field accepts (see the module's docstring) with 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            found = refusal(request)
        except Exception:  # noqa: BLE001 (a body Django cannot parse: the view answers it as it would)
            found = None
        if found is None:
            return self.get_response(request)
        field, reason = found
        field = CONTROL.sub("?", field)[:80]
        message = _("The field “%(field)s” %(problem)s") % {"field": field, "problem": reason}
        if request.path.startswith("/api/"):
            # The API's one error body (roret/api/errors.py), written out here: core imports no other app.
            return JsonResponse({"detail": message, "errors": [{"field": field, "message": reason}]}, status=400)
        return render(request, "core/refused_input.html", {"message": message}, status=400)
