"""Reading and writing citizen records through the permission gate, with audit entries."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from roret.citizens import cpr as cprlib
from roret.citizens.models import Citizen, Consent, MeetingParticipant, Relative, normalise_name
from roret.core import audit, permissions, text_limits
from roret.core.permissions import CHANGE, EXPORT, VIEW
from roret.core.validation import validate

SEARCH_LIMIT = 50
CITIZEN_FIELDS = ["first_name", "last_name", "address", "postcode", "city", "district", "team"]
# The team changes only by transfer_case or take_into_caseload, each with a reason.
EDITABLE_FIELDS = ["first_name", "last_name", "address", "postcode", "city", "district"]


def get_citizen(user, pk, *, action: str = VIEW, channel: str = "web", summary: str = "") -> Citizen:
    """The citizen ``pk`` if ``user`` may ``action`` them (else NotInScope, a 404, the attempt
    audited as refused), the read audited (with the reason for access where the role gives one)."""
    try:
        citizen = permissions.fetch(user, action, Citizen.objects.select_related("team"), pk)
    except permissions.NotInScope:
        audit.refused(user, Citizen, pk, action=action, channel=channel)
        raise
    audit.read(user, "export" if action == EXPORT else "view", citizen_id=citizen.pk, obj=citizen,
               summary=summary or f"Borgerjournal vist: {citizen.cpr_masked}", channel=channel)
    return citizen


def get_record(user, source, pk, *, summary: str, action: str = VIEW, channel: str = "web"):
    """A part of a citizen's record (an inquiry, a decision, a follow-up: ``source`` is its model or
    a queryset) if ``user`` may ``action`` its citizen (else NotInScope, a 404, the attempt audited
    as refused), the read audited."""
    try:
        obj = permissions.fetch(user, action, source, pk)
    except permissions.NotInScope:
        model = source if isinstance(source, type) else source.model
        audit.refused(user, model, pk, action=action, via="citizen", channel=channel)
        raise
    audit.read(user, "export" if action == EXPORT else "view", citizen_id=obj.citizen_id, obj=obj,
               summary=summary, channel=channel)
    return obj


def search(user, query: str, *, channel: str = "web", limit: int = SEARCH_LIMIT):
    """Citizens in ``user``'s scope matching a CPR number exactly or a name by prefix.

    A CPR search goes through the keyed hash (the number is never compared in clear) and is
    audited, since it tells whether a person is known to the department; a name search is
    audited as a list (how many citizens it named).
    """
    query = (query or "").strip()
    base = Citizen.objects.restrict(user, VIEW).select_related("team")
    if not query:
        return base.none()
    if cprlib.looks_like_cpr(query):
        found = base.with_cpr(query)
        # Audited against the citizen found, so the citizen's access log shows the look-up.
        audit.record(user, "search", citizen=found.values_list("pk", flat=True).first(),
                     summary=f"Søgning på CPR {cprlib.mask(query)}", channel=channel)
        return found
    tokens = normalise_name(query).split()
    qs = base
    # Each word must start the full name or the last name: range scans on indexed columns.
    for i, token in enumerate(tokens):
        upper = token + "\uffff"
        if i == 0:
            qs = qs.filter(Q(name_search__gte=token, name_search__lt=upper)
                           | Q(last_name_search__gte=token, last_name_search__lt=upper))
        else:
            qs = qs.filter(name_search__contains=token)
    found = list(qs.order_by("last_name", "first_name")[:limit])
    # A list that names citizens: one audit entry saying how many, not one per citizen.
    audit.listed(user, "name_search", [c.pk for c in found], channel=channel)
    return found


@transaction.atomic
def create_citizen(*, cpr: str, first_name: str, last_name: str, actor, team=None, address: str = "",
                   postcode: str = "", city: str = "", district: str = "", target_groups=(),
                   is_demo: bool = False, channel: str = "web") -> Citizen:
    """Register a citizen in the registering caseworker's team's caseload; the CPR number is
    validated, encrypted and hashed."""
    permissions.require_role(actor, permissions.CASEWORKERS, "only a caseworker registers citizens")
    if team is None:
        team = actor.team
    if team.pk != actor.team_id:
        raise permissions.NotInScope("a caseworker registers citizens into their own team's caseload")
    citizen = Citizen(first_name=first_name, last_name=last_name, team=team, address=address,
                      postcode=postcode, city=city, district=district, is_demo=is_demo)
    citizen.set_cpr(cpr)
    if Citizen.objects.with_cpr(cpr).exists():
        raise ValidationError({"cpr": _("A citizen with this CPR number is already registered.")},
                              code="duplicate")
    citizen.full_clean(exclude=["cpr_encrypted", "cpr_hash", "birth_date", "name_search", "last_name_search"])
    citizen.save()
    if target_groups:
        citizen.target_groups.set(target_groups)
    audit.record(actor, "create", citizen=citizen, obj=citizen, summary=f"Borger oprettet: {citizen.cpr_masked}",
                 after=audit.snapshot(citizen, CITIZEN_FIELDS), channel=channel)
    return citizen


@transaction.atomic
def update_citizen(citizen: Citizen, *, actor, channel: str = "web", **changes) -> Citizen:
    """Change the citizen's name or address (a caseworker of the citizen's team)."""
    citizen = permissions.fetch(actor, CHANGE, Citizen, citizen.pk, lock=True)
    before = audit.snapshot(citizen, CITIZEN_FIELDS)
    for field, value in changes.items():
        if field not in EDITABLE_FIELDS:
            raise ValueError(f"{field} cannot be changed here")
        setattr(citizen, field, value)
    citizen.full_clean(exclude=["cpr_encrypted", "cpr_hash", "birth_date", "name_search", "last_name_search"])
    citizen.save()
    audit.record(actor, "change", citizen=citizen, obj=citizen, summary="Stamdata ændret",
                 before=before, after=audit.snapshot(citizen, CITIZEN_FIELDS), channel=channel)
    return citizen


MIN_REASON = 10


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({field: _("Give the reason in a sentence (at least %(n)d characters).")
                               % {"n": MIN_REASON}}, code="reason")
    text_limits.check(_("Reason"), reason, text_limits.REASON, field)
    return reason


@transaction.atomic
def take_into_caseload(citizen_id: int, *, actor, reason: str, channel: str = "web") -> Citizen:
    """Take a citizen who has no responsible team into the caseworker's own team's caseload.

    An explicit, audited step with a reason: only a caseworker, only into their own team, and only
    a citizen without a team (a citizen of another team is transferred by that team)."""
    permissions.require_role(actor, permissions.CASEWORKERS, "only a caseworker takes a citizen into a caseload")
    reason = _reason(reason)
    citizen = Citizen.objects.select_for_update().filter(pk=citizen_id, team__isnull=True).first()
    if citizen is None:
        raise permissions.NotInScope("no citizen without a team by that id")
    citizen.team_id = actor.team_id
    citizen.save(update_fields=["team"])
    audit.record(actor, "change", citizen=citizen, obj=citizen, channel=channel, reason=reason,
                 summary=f"Borger uden ansvarligt team taget ind i {actor.team}s sagsstamme",
                 before={"team": None}, after={"team": actor.team_id})
    return citizen


@transaction.atomic
def transfer_case(citizen: Citizen, team, *, actor, reason: str, channel: str = "web") -> Citizen:
    """Hand the citizen's case to another team (a caseworker of the citizen's team), with a reason."""
    citizen = permissions.fetch(actor, CHANGE, Citizen, citizen.pk, lock=True)
    reason = _reason(reason)
    if team is None or team.pk == citizen.team_id:
        raise ValidationError({"team": _("Choose the team that takes over the case.")}, code="team")
    before = {"team": citizen.team_id}
    citizen.team = team
    citizen.save(update_fields=["team"])
    audit.record(actor, "change", citizen=citizen, obj=citizen, channel=channel, reason=reason,
                 summary=f"Sagen overdraget til {team}", before=before, after={"team": team.pk})
    return citizen


@transaction.atomic
def add_relative(citizen: Citizen, *, actor, name: str, relation: str, phone: str = "", email: str = "",
                 is_network_person: bool = False, channel: str = "web") -> Relative:
    citizen = permissions.fetch(actor, CHANGE, Citizen, citizen.pk)
    relative = Relative(citizen=citizen, name=name, relation=relation, phone=phone, email=email,
                        is_network_person=is_network_person)
    validate(relative)
    relative.save()
    audit.record(actor, "create", citizen=citizen, obj=relative, summary=f"Pårørende tilføjet: {relative}",
                 channel=channel)
    return relative


@transaction.atomic
def record_consent(citizen: Citizen, *, actor, subject: str, given_on: datetime.date, given_by: str,
                   expires_on: datetime.date | None = None, description: str = "", channel: str = "web") -> Consent:
    citizen = permissions.fetch(actor, CHANGE, Citizen, citizen.pk)
    consent = Consent(citizen=citizen, subject=subject, given_on=given_on, given_by=given_by,
                      expires_on=expires_on, description=description)
    validate(consent)
    consent.save()
    audit.record(actor, "create", citizen=citizen, obj=consent,
                 summary=f"Samtykke registreret: {consent.get_subject_display()}", channel=channel)
    return consent


@transaction.atomic
def withdraw_consent(consent: Consent, *, actor, on: datetime.date, channel: str = "web") -> Consent:
    consent = permissions.fetch(actor, CHANGE, Consent, consent.pk, lock=True)
    if consent.withdrawn_on:
        raise ValidationError(_("The consent was already withdrawn on %(day)s.")
                              % {"day": f"{consent.withdrawn_on:%d.%m.%Y}"}, code="withdrawn")
    if on < consent.given_on:
        raise ValidationError(_("A consent cannot be withdrawn before it was given."), code="before_given")
    consent.withdrawn_on = on
    consent.save(update_fields=["withdrawn_on"])
    audit.record(actor, "change", citizen=consent.citizen_id, obj=consent,
                 summary=f"Samtykke trukket tilbage: {consent.get_subject_display()}",
                 before={"withdrawn_on": None}, after={"withdrawn_on": on.isoformat()}, channel=channel)
    return consent


def access_log(citizen: Citizen):
    """Who has looked at or changed the citizen's record, newest first (the citizen's right of access)."""
    from roret.core.models import AuditEntry

    return AuditEntry.objects.filter(citizen_id=citizen.pk).order_by("-at", "-id")


# What each use of a relative needs the citizen's consent to, and how a refusal says it. Inviting a
# relative or network person to a follow-up or a network meeting needs consent to invite the
# network to meetings; naming them as a goal's supporter shares the plan with them, so it needs
# consent to share information with relatives.
CONSENT_REFUSALS = {
    "network_meeting": gettext_lazy("%(name)s cannot be invited: the citizen has no consent to invite their network to "
                         "meetings that is valid on %(day)s. Record the consent first."),
    "share_relatives": gettext_lazy("%(name)s cannot be named as a supporter: the citizen has no consent to share "
                         "information with relatives that is valid on %(day)s. Record the consent first."),
}


def valid_consent(citizen: Citizen, subject: str, day: datetime.date) -> Consent | None:
    """The citizen's consent about ``subject`` valid on ``day`` (the latest given), or None. The
    caller has fetched ``citizen`` through the gate."""
    for consent in Consent.objects.filter(citizen=citizen, subject=subject, given_on__lte=day).order_by("-given_on"):
        if consent.is_valid_on(day):
            return consent
    return None


def require_consent(citizen: Citizen, relative: Relative, subject: str, day: datetime.date,
                    field: str = "relative") -> Consent:
    """The citizen's consent about ``subject`` that is valid on ``day`` (given on or before it, not
    withdrawn and not expired by then: :meth:`Consent.is_valid_on`), for a use of ``relative``;
    a ValidationError on ``field`` naming the relative when there is none, or when ``relative`` is
    not the citizen's own. The caller has fetched ``citizen`` through the gate."""
    if relative is None or relative.citizen_id != citizen.pk:
        raise ValidationError({field: _("Choose one of the citizen's own relatives or network persons.")},
                              code="other_citizen")
    consent = valid_consent(citizen, subject, day)
    if consent is not None:
        return consent
    raise ValidationError({field: CONSENT_REFUSALS[subject] % {"name": relative.name, "day": f"{day:%d.%m.%Y}"}},
                          code="no_consent")


@transaction.atomic
def invite_relative(participants: type[MeetingParticipant], meeting, relative: Relative | None, *, actor,
                    day, what: str, role: str = "", channel: str = "web") -> MeetingParticipant:
    """Invite one of the citizen's relatives or network persons to ``meeting`` (a follow-up, a
    network meeting): a new row of ``participants``, a :class:`MeetingParticipant` model, whose
    ``meeting_field`` and ``citizen_path`` say where its meeting and the meeting's citizen are.

    The meeting is taken through the gate for "change" (locked), and with it its citizen. Needs the
    citizen's consent to invite their network to meetings (ConsentSubject.NETWORK_MEETING) valid on
    ``day(meeting)``, the meeting's day; a relative of another citizen is never attached, nor one
    already invited. Audited, ``what`` naming the meeting in the row's summary ("opfølgning").
    outcomes.services.invite_to_follow_up and visitation.services.invite_to_meeting are this."""
    from roret.citizens.models import ConsentSubject

    field = participants.meeting_field
    meetings = participants._meta.get_field(field).related_model.objects.select_related(participants.citizen_path)
    meeting = permissions.fetch(actor, CHANGE, meetings, meeting.pk, via=participants.citizen_path, lock=True)
    citizen = meeting
    for step in participants.citizen_path.split("__"):
        citizen = getattr(citizen, step)
    when = day(meeting)
    consent = require_consent(citizen, relative, ConsentSubject.NETWORK_MEETING, when)
    if participants.objects.filter(**{field: meeting}, relative=relative).exists():
        raise ValidationError({"relative": _("%(name)s is already invited.") % {"name": relative.name}},
                              code="invited")
    row = participants(**{field: meeting}, relative=relative, role=(role or "").strip(),
                       invited_on=min(datetime.date.today(), when), invited_by=actor)
    validate(row)
    row.save()
    audit.record(actor, "create", citizen=citizen, obj=row, channel=channel,
                 summary=f"{relative.name} inviteret til {what} {when:%d.%m.%Y} (samtykke af {consent.given_on:%d.%m.%Y})",
                 after={"relative": relative.pk, field: meeting.pk, "consent": consent.pk, "role": row.role})
    return row


def apply_attendance(participants, attendance: dict) -> dict:
    """Set who took part among a meeting's invited ``participants`` (follow-up or network meeting
    rows with ``took_part``) from ``attendance`` ({participant id: Attendance value}), saving the
    rows that change; {participant: (before, after)} of those. A ValidationError on ``took_part``
    for a participant not invited to this meeting or a value that is no answer; the caller audits."""
    from roret.citizens.models import Attendance

    by_id = {p.pk: p for p in participants}
    changed = {}
    for pid, value in attendance.items():
        row = by_id.get(pid)
        if row is None:
            raise ValidationError({"took_part": _("Only those invited to this meeting can be recorded as taking "
                                                  "part.")}, code="not_invited")
        if value not in Attendance.values:
            raise ValidationError({"took_part": _("%(name)s: choose whether they took part.")
                                   % {"name": row.relative.name}}, code="attendance")
        if row.took_part != value:
            changed[row] = (row.took_part, value)
            row.took_part = value
            row.save(update_fields=["took_part"])
    return changed
