"""Audit rows for a bulk import: one per row written, as ``roret.core.audit.record`` would write
them one by one, chained in one append (``AuditEntry.objects.bulk_create``)."""

from roret.core import audit
from roret.core.models import AuditEntry


def audit_many(actor, entries, *, channel: str) -> None:
    """``entries``: (action, citizen id, object, summary, before, snapshot fields)."""
    rows = [
        AuditEntry(actor=actor, actor_name=actor.get_username(), actor_role=actor.role or "", action=action,
                   citizen_id=citizen_id, object_type=obj._meta.label_lower, object_id=str(obj.pk),
                   summary=summary[:300], channel=channel, before=before, after=audit.snapshot(obj, fields))
        for action, citizen_id, obj, summary, before, fields in entries
    ]
    AuditEntry.objects.bulk_create(rows, batch_size=2000)
