"""Reading and writing citizen records through the permission gate, with audit entries."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from roret.citizens import cpr as cprlib
from roret.citizens.models import Citizen, Consent, Relative, normalise_name
from roret.core import audit
from roret.core.permissions import CHANGE, EXPORT, VIEW

SEARCH_LIMIT = 50
CITIZEN_FIELDS = ["first_name", "last_name", "address", "postcode", "city", "district", "team"]


def get_citizen(user, pk, *, action: str = VIEW, channel: str = "web", summary: str = "") -> Citizen:
    """The citizen ``pk`` if ``user`` may ``action`` them (else 404), with an audit entry."""
    try:
        citizen = Citizen.objects.restrict(user, action).select_related("team").get(pk=pk)
    except (Citizen.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such citizen") from exc
    audit_action = {VIEW: "view", EXPORT: "export", CHANGE: "view"}[action]
    audit.record(user, audit_action, citizen=citizen, obj=citizen,
                 summary=summary or f"Borgerjournal vist: {citizen.cpr_masked}", channel=channel)
    return citizen


def search(user, query: str, *, channel: str = "web", limit: int = SEARCH_LIMIT):
    """Citizens in ``user``'s scope matching a CPR number exactly or a name by prefix.

    A CPR search goes through the keyed hash (the number is never compared in clear) and is
    audited, since it tells whether a person is known to the department.
    """
    query = (query or "").strip()
    base = Citizen.objects.restrict(user, VIEW).select_related("team")
    if not query:
        return base.none()
    if cprlib.looks_like_cpr(query):
        audit.record(user, "search", summary=f"Søgning på CPR {cprlib.mask(query)}", channel=channel)
        return base.with_cpr(query)
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
    return qs.order_by("last_name", "first_name")[:limit]


@transaction.atomic
def create_citizen(*, cpr: str, first_name: str, last_name: str, actor, team=None, address: str = "",
                   postcode: str = "", city: str = "", district: str = "", target_groups=(),
                   is_demo: bool = False, channel: str = "web") -> Citizen:
    """Register a citizen; the CPR number is validated, encrypted and hashed."""
    citizen = Citizen(first_name=first_name, last_name=last_name, team=team, address=address,
                      postcode=postcode, city=city, district=district, is_demo=is_demo)
    citizen.set_cpr(cpr)
    if Citizen.objects.filter(cpr_hash=citizen.cpr_hash).exists():
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
    citizen = Citizen.objects.restrict(actor, CHANGE).select_for_update().get(pk=citizen.pk)
    before = audit.snapshot(citizen, CITIZEN_FIELDS)
    for field, value in changes.items():
        if field not in CITIZEN_FIELDS:
            raise ValueError(f"{field} cannot be changed here")
        setattr(citizen, field, value)
    citizen.full_clean(exclude=["cpr_encrypted", "cpr_hash", "birth_date", "name_search", "last_name_search"])
    citizen.save()
    audit.record(actor, "change", citizen=citizen, obj=citizen, summary="Stamdata ændret",
                 before=before, after=audit.snapshot(citizen, CITIZEN_FIELDS), channel=channel)
    return citizen


@transaction.atomic
def add_relative(citizen: Citizen, *, actor, name: str, relation: str, phone: str = "", email: str = "",
                 is_network_person: bool = False, channel: str = "web") -> Relative:
    Citizen.objects.restrict(actor, CHANGE).get(pk=citizen.pk)
    relative = Relative(citizen=citizen, name=name, relation=relation, phone=phone, email=email,
                        is_network_person=is_network_person)
    relative.full_clean()
    relative.save()
    audit.record(actor, "create", citizen=citizen, obj=relative, summary=f"Pårørende tilføjet: {relative}",
                 channel=channel)
    return relative


@transaction.atomic
def record_consent(citizen: Citizen, *, actor, subject: str, given_on: datetime.date, given_by: str,
                   expires_on: datetime.date | None = None, description: str = "", channel: str = "web") -> Consent:
    Citizen.objects.restrict(actor, CHANGE).get(pk=citizen.pk)
    consent = Consent(citizen=citizen, subject=subject, given_on=given_on, given_by=given_by,
                      expires_on=expires_on, description=description)
    consent.full_clean()
    consent.save()
    audit.record(actor, "create", citizen=citizen, obj=consent,
                 summary=f"Samtykke registreret: {consent.get_subject_display()}", channel=channel)
    return consent


@transaction.atomic
def withdraw_consent(consent: Consent, *, actor, on: datetime.date, channel: str = "web") -> Consent:
    Citizen.objects.restrict(actor, CHANGE).get(pk=consent.citizen_id)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
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
