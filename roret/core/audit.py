"""Writing the audit log. Service functions call ``record`` explicitly, so the page, the API,
the command line and background tasks are audited alike."""

from roret.core.models import AuditAction, AuditEntry

SYSTEM_NAME = "system"


def record(actor, action: str, *, summary: str, citizen=None, obj=None, before=None, after=None,
           channel: str = "web", reason: str = "") -> AuditEntry:
    """Append one audit entry. ``citizen`` is the citizen whose data was touched (or None)."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    citizen_id = citizen if isinstance(citizen, int) or citizen is None else citizen.pk
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else SYSTEM_NAME,
        actor_role=getattr(actor, "role", "") or "",
        action=action,
        citizen_id=citizen_id,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        summary=summary[:300],
        channel=channel,
        reason=reason[:300],
        before=before,
        after=after,
    )


def snapshot(obj, fields) -> dict:
    """A JSON-safe before/after picture of ``fields`` on ``obj`` (dates and decimals as strings)."""
    out = {}
    for name in fields:
        value = getattr(obj, name)
        if hasattr(value, "pk"):
            value = value.pk
        elif value is not None and not isinstance(value, bool | int | str):
            value = str(value)
        out[name] = value
    return out
