"""How much text each kind of free-text field takes: one place for the limits, and the helpers that
give a model field, a form field and a service the same limit and the same message.

A caseworker writing by hand should never meet a limit; a pasted document, a stuck key or a script
should. The limits, from the shortest:

- ``SHORT`` (200): a name, a title, a unit, a "who" or "where to" line. A Danish address line or a
  unit's full name is well under 100 characters.
- ``REASON`` (300): a reason given in one or two sentences (why a correction, why an access change,
  why over-occupancy). It is copied into the audit row, whose reason column holds 300.
- ``NOTE`` (2,000): a note or a reason in a few paragraphs: a screening's reason, the citizen's
  hopes in their own words, a goal, a traffic light's remark. About a page of A4.
- ``LONG`` (8,000): the texts a case is argued in: a decision's justification, a journal note, what
  an inquiry is about, a follow-up's or a network meeting's notes. Some four pages of A4; a text
  longer than that belongs in the ESDH system as a document, not in a field.

The input gate (roret/core/input_guard.py, ``MAX_TEXT`` = 10,000) stays the outer backstop for any
value of any request, and is longer than every limit here, so a value one character over a field's
limit reaches the form or the service, which names the field.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

SHORT = 200
REASON = 300
NOTE = 2_000
LONG = 8_000


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def message(label, length: int, limit: int) -> str:
    """The refusal of an overlong value, naming the field: what a page lists at the top and at the field."""
    return _("“%(field)s” is %(length)s characters long; at most %(max)s are allowed.") % {
        "field": capfirst(str(label)), "length": _number(length), "max": _number(limit)}


def text_field(verbose_name, limit: int, **kwargs) -> models.TextField:
    """A model's free-text field that holds at most ``limit`` characters: its form field gets the
    limit (``maxlength`` in the page), and ``full_clean`` (``roret.core.validation.validate``, which
    every service calls before it saves) refuses a longer value. The database does not enforce it."""
    return models.TextField(verbose_name, max_length=limit, validators=[MaxLengthValidator(limit)], **kwargs)


def of(model, name: str) -> int:
    """The limit of ``model``'s field ``name``: for a hand-built form field that fills it."""
    return model._meta.get_field(name).max_length


def errors(model, **values) -> dict[str, str]:
    """The overlong ``values`` of ``model``'s fields (by the fields' ``max_length``), each with the
    message naming the field: for a service that saves without ``full_clean`` (a bulk insert) or
    that reports every problem of a form at once."""
    found = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        if isinstance(value, str) and field.max_length and len(value) > field.max_length:
            found[name] = message(field.verbose_name, len(value), field.max_length)
    return found


def check(label, value, limit: int, field: str, error=ValidationError) -> None:
    """Refuse ``value`` when it is longer than ``limit``, with ``error`` on ``field``: for a text
    that is no model field (a reason that goes only into the audit row)."""
    if isinstance(value, str) and len(value) > limit:
        raise error({field: message(label, len(value), limit)})


def name_overlong(exc: ValidationError, model) -> ValidationError:
    """``exc`` (from ``full_clean``) with each "too long" message replaced by one naming the field
    and the limit, so a page that lists the messages without their fields still says which."""
    if not hasattr(exc, "error_dict"):
        return exc
    renamed = {}
    for name, errors_ in exc.error_dict.items():
        renamed[name] = []
        for error in errors_:
            if error.code == "max_length" and name != "__all__":
                field = model._meta.get_field(name)
                error = ValidationError(message(field.verbose_name, error.params["show_value"],
                                                error.params["limit_value"]), code="max_length")
            renamed[name].append(error)
    return ValidationError(renamed)
