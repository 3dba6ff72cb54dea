"""Validating a model instance before a service saves it."""

from django.core.exceptions import ValidationError

from roret.core.text_limits import name_overlong


def validate(obj, *, exclude=()) -> None:
    """``obj.full_clean()`` without re-reading the related rows the caller already holds.

    A service passes related objects it has fetched (most through the access layer), so Django's
    per-foreign-key existence query (one ``SELECT 1`` each) only repeats what is known; a field
    whose related instance is not attached is still checked. Field validators and the model's
    check and unique constraints run as in ``full_clean`` (a unique constraint over a skipped
    foreign key is left to the service's own check and the database). A text over its field's
    limit (roret/core/text_limits.py) is refused with a message that names the field."""
    held = [f.name for f in obj._meta.concrete_fields if f.is_relation and f.is_cached(obj)]
    try:
        obj.full_clean(exclude=[*held, *exclude])
    except ValidationError as exc:
        raise name_overlong(exc, type(obj)) from None
