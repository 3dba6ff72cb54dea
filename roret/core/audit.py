"""Writing the audit log. Service functions call ``record`` explicitly, so the page, the API,
the command line and background tasks are audited alike.

Beside ``record``: ``read`` for an audited read of a citizen's record (asks for the reason for
access where the role must give one, and watches for mass reads), ``listed`` for a list that
names citizens (one entry per list shown, with how many), and ``refused`` for an attempt to open
a record outside the user's scope. Every entry is chained (roret/core/audit_chain.py).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone, translation

from roret.core import access_reasons
from roret.core.models import LISTS, AuditAction, AuditEntry, MassReadAlarm, User

SYSTEM_NAME = "system"
#: Set on the user of a request authenticated by an API token (roret.api.auth) to the token's name,
#: which ``record`` then writes on the request's entries with channel "api".
API_TOKEN_ATTRIBUTE = "api_token_name"


def _is_user(actor) -> bool:
    return actor is not None and actor.is_authenticated


def record(actor, action: str, *, summary: str, citizen=None, obj=None, before=None, after=None,
           channel: str = "web", reason: str = "", citizen_count: int | None = None,
           object_type: str = "", object_id: str = "") -> AuditEntry:
    """Append one audit entry. ``citizen`` is the citizen whose data was touched (or None).

    An entry about a citizen carries the reason for access given in this session, unless the
    caller gives a reason of its own. An API entry of a request made with a token names the token
    in its summary."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    citizen_id = citizen if isinstance(citizen, int) or citizen is None else citizen.pk
    if obj is not None:
        object_type, object_id = obj._meta.label_lower, str(obj.pk) if obj.pk is not None else ""
    summary = summary[:300]
    if channel == "api" and (token_name := getattr(actor, API_TOKEN_ATTRIBUTE, "")):
        # A request authenticated by an API token (roret.api.auth) names the token on every entry.
        suffix = f" [API-nøgle: {token_name}]"
        summary = summary[:300 - len(suffix)] + suffix
    return AuditEntry.objects.create(
        actor=actor if _is_user(actor) else None,
        actor_name=actor.get_username() if _is_user(actor) else SYSTEM_NAME,
        actor_role=getattr(actor, "role", "") or "",
        action=action,
        citizen_id=citizen_id,
        citizen_count=citizen_count,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
        channel=channel,
        reason=(reason or access_reasons.given(citizen_id))[:300],
        before=before,
        after=after,
    )


def login_event(action: str, *, username: str, ip: str, user=None, summary: str) -> AuditEntry:
    """A failed or refused login (``login_failed``, ``locked``): no one is logged in, so the entry
    names no actor; it is about the account tried, if one has that name, so it stands in the
    history on the account's page. The address is kept in ``after``; the password never."""
    if action not in (AuditAction.LOGIN_FAILED, AuditAction.LOCKED):
        raise ValueError(f"not a login action: {action!r}")
    return record(None, action, summary=summary, obj=user, after={"username": username, "ip": ip})


def read(actor, action: str, *, citizen_id: int, obj=None, summary: str, channel: str = "web") -> AuditEntry:
    """An audited read (or export) of a citizen's record the gate has let through.

    Asks for the reason first where ``actor``'s role must give one (``ReasonRequired``), and
    raises the mass-read alarm when ``actor`` has opened too many records in a short time."""
    access_reasons.require(actor, citizen_id)
    entry = record(actor, action, citizen=citizen_id, obj=obj, summary=summary, channel=channel)
    watch_mass_reads(actor)
    return entry


def listed(actor, name: str, citizen_ids, *, channel: str = "web", detail: str = "") -> AuditEntry | None:
    """One entry for a list that names citizens: which list (a key of ``LISTS``) and how many
    citizens it named, not one entry per citizen. A list that names nobody is not written."""
    if name not in LISTS:
        raise ValueError(f"unknown list {name!r}; known: {sorted(LISTS)}")
    count = len({c for c in citizen_ids if c is not None})
    if not count:
        return None
    with translation.override("da"):  # summaries are written in Danish, as everywhere in the log
        summary = f"Liste vist: {LISTS[name]} ({count} {'borger' if count == 1 else 'borgere'})"
    return record(actor, AuditAction.LIST, summary=f"{summary}{f', {detail}' if detail else ''}",
                  object_type="list", object_id=name, citizen_count=count, channel=channel)


def refused(actor, model, pk, *, action: str, via: str = "", channel: str = "web") -> AuditEntry | None:
    """An attempt to open a record of ``model`` outside ``actor``'s scope (the gate said no): the
    actor, what was asked for and, if the record exists, whose it is. The user is told nothing
    more than the 404 they got; this entry is for the administrator."""
    if not _is_user(actor):
        return None
    from roret.core.parsing import id_or_none

    key = id_or_none(pk)
    citizen_id = None
    if key is not None:
        column = f"{via}_id" if via else "pk"
        citizen_id = model._base_manager.filter(pk=key).values_list(column, flat=True).first()
    label = model._meta.label_lower
    shown = key if key is not None else str(pk)[:40]
    entry = record(actor, AuditAction.REFUSED, citizen=citizen_id, object_type=label,
                   object_id=str(key) if key is not None else "", channel=channel,
                   summary=f"Adgang nægtet ({action}): {model._meta.verbose_name} #{shown} "
                           + ("er uden for brugerens adgang" if citizen_id is not None else "findes ikke"))
    watch_mass_reads(actor)
    return entry


# --- the mass-read alarm -----------------------------------------------------------------------


def recent_reads(actor, since: datetime.datetime) -> tuple[int, int]:
    """(distinct citizens whose records ``actor`` opened or exported, distinct records ``actor`` was
    refused) since ``since``. Opening one record many times is one record."""
    figures = AuditEntry.objects.filter(actor=actor, at__gte=since).aggregate(
        opened=Count("citizen_id", distinct=True, filter=Q(action__in=[AuditAction.VIEW, AuditAction.EXPORT])),
        refused=Count(Concat("object_type", Value("#"), "object_id"), distinct=True,
                      filter=Q(action=AuditAction.REFUSED)))
    return figures["opened"], figures["refused"]


def watch_mass_reads(actor) -> MassReadAlarm | None:
    """Raise the mass-read alarm when ``actor`` has opened (or tried to open) more records than
    ``MASS_READ_RECORDS`` within ``MASS_READ_MINUTES``: an alarm for the administrator and an audit
    entry, once per window. The account is deactivated only if ``MASS_READ_DEACTIVATE`` says so."""
    if not _is_user(actor):
        return None
    threshold, minutes = settings.MASS_READ_RECORDS, settings.MASS_READ_MINUTES
    now = timezone.now()
    since = now - datetime.timedelta(minutes=minutes)
    opened, refused_count = recent_reads(actor, since)
    if opened + refused_count <= threshold:
        return None
    if MassReadAlarm.objects.filter(user=actor, raised_at__gte=since).exists():
        return None
    deactivate = bool(settings.MASS_READ_DEACTIVATE) and actor.is_active
    alarm = MassReadAlarm.objects.create(user=actor, raised_at=now, records=opened, refused=refused_count,
                                         threshold=threshold, minutes=minutes, deactivated=deactivate)
    what = f"{opened} borgerjournaler" + (f" og {refused_count} afviste forsøg" if refused_count else "")
    record(None, AuditAction.ALARM, obj=alarm, channel="task",
           summary=f"Alarm for masselæsning: {actor.get_username()} har åbnet {what} på {minutes} minutter "
                   f"(grænse {threshold})",
           after={"user": actor.pk, "records": opened, "refused": refused_count, "threshold": threshold,
                  "minutes": minutes, "deactivated": deactivate})
    if deactivate:
        User.objects.filter(pk=actor.pk).update(is_active=False)
        actor.is_active = False
        record(None, AuditAction.CHANGE, obj=actor, channel="task", summary="Konto deaktiveret af masselæsningsalarm",
               before={"is_active": True}, after={"is_active": False})
    return alarm


@transaction.atomic
def handle_alarm(alarm: MassReadAlarm, *, actor, note: str, channel: str = "web") -> MassReadAlarm:
    """The administrator marks an alarm as looked into, with what was found (audited)."""
    from roret.core.permissions import ADMINS, require_role

    require_role(actor, ADMINS, "only an administrator handles alarms")
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from roret.core.text_limits import errors

    note = " ".join((note or "").split())
    if len(note) < 10:
        raise ValidationError(_("Say in a sentence what was found (at least 10 characters)."), code="note")
    if found := errors(MassReadAlarm, note=note):
        raise ValidationError(found["note"], code="note")
    alarm = MassReadAlarm.objects.select_for_update().get(pk=alarm.pk)
    if alarm.handled_at is not None:
        return alarm
    alarm.handled_at, alarm.handled_by, alarm.note = timezone.now(), actor, note
    alarm.save(update_fields=["handled_at", "handled_by", "note"])
    record(actor, AuditAction.CHANGE, obj=alarm, channel=channel, reason=note,
           summary=f"Alarm for masselæsning behandlet ({alarm.user.get_username()})",
           before={"handled": False}, after={"handled": True})
    return alarm


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
