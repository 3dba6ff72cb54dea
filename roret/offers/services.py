"""Writing the offer catalogue: providers, offers, places and tariffs, through the access layer.

Every write checks the actor's scope itself (roret.core.permissions: the catalogue editors change
providers, offers and tariffs; a centre leader changes the places of the own centre's offers),
runs in one transaction, and writes an audit row with who, why, before and after.

Versioned values are dated rows that are never edited or deleted. A new tariff or a change in
places from a date is a new row. A row that was wrong is corrected by new rows that point to it,
with the reason: the wrong row stays in the history. Anything that changes the past (a correction,
or a new row dated before today) needs a reason, and what it changes is re-costed explicitly after
the commit (roret.economy.services.recost_after_commit), with the number of placements re-costed
in the audit row, so last year's figures change only through a recorded correction.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext as _

from roret.core import audit, permissions, text_limits
from roret.core.permissions import OFFER_CHANGE, OFFER_PLACES
from roret.economy.services import recost_after_commit
from roret.offers.models import Offer, PlaceChange, Provider, Tariff, TariffUnit

MIN_REASON = 10
PROVIDER_FIELDS = ["kind", "name", "centre", "municipality_code", "cvr"]
OFFER_FIELDS = ["provider", "unit", "name", "legal_basis", "offer_type", "age_min", "age_max", "staircase_step",
                "requires_visitation", "account_function", "strategic_vacancy", "description", "closed_on"]
# What the cost segments carry of an offer: changing one of these re-costs its placements.
COSTED_FIELDS = {"provider", "offer_type", "account_function", "legal_basis"}
TARIFF_FIELDS = ["valid_from", "amount", "unit", "note", "reason", "corrects"]
PLACE_FIELDS = ["valid_from", "change", "reason", "corrects"]


class CatalogueError(ValidationError):
    """Input the catalogue refuses; the message says what is wrong and in which field."""


def _reason(reason: str, *, needed: bool, why: str) -> str:
    reason = (reason or "").strip()
    if needed and len(reason) < MIN_REASON:
        raise CatalogueError({"reason": _("%(why)s: give the reason in a sentence (at least %(n)d characters).")
                              % {"why": why, "n": MIN_REASON}})
    text_limits.check(_("Reason"), reason, text_limits.REASON, "reason", CatalogueError)
    return reason


def _amount(value) -> Decimal:
    """An amount in kroner: a Decimal, or text as a Dane writes it (2250, 2250,50, 2.250,50)."""
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise CatalogueError({"amount": _("Give the tariff in kroner, e.g. 2250,00.")}) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount >= 10**10:
        raise CatalogueError({"amount": _("A tariff is 0 kr. or more, with at most two decimals and below "
                                          "10.000.000.000 kr.")})
    return amount.quantize(Decimal("0.01"))  # as stored, so the audit row shows what the row holds


def _labels(model, names) -> str:
    """The Danish names of ``model``'s fields ``names``, for an audit summary."""
    with translation.override("da"):
        return ", ".join(str(model._meta.get_field(name).verbose_name) for name in names)


def _placements_of(offer: Offer) -> list[int]:
    return list(offer.placements.values_list("pk", flat=True))


# --- providers -------------------------------------------------------------------------------

@transaction.atomic
def save_provider(provider: Provider, *, actor, reason: str = "", channel: str = "web") -> Provider:
    """Create or change a provider (a catalogue editor), audited with before and after. A change
    needs a reason; a change that changes nothing writes nothing. Own or external, and the centre,
    are on the cost segments of its offers' placements: changing them re-costs those after the commit."""
    permissions.require_role(actor, permissions.CATALOGUE_EDITORS, "only a catalogue editor changes providers")
    creating = provider.pk is None
    if creating:
        before = None
    else:
        old = Provider.objects.select_for_update().filter(pk=provider.pk).first()
        if old is None:
            raise permissions.NotInScope("no such provider")
        before = audit.snapshot(old, PROVIDER_FIELDS)
    provider.full_clean()
    after = audit.snapshot(provider, PROVIDER_FIELDS)
    if before == after:
        return provider
    reason = _reason(reason, needed=not creating, why=_("A change to a provider"))
    provider.save()
    changed = sorted(k for k in after if before is None or before[k] != after[k])
    recosted = 0
    if not creating and {"kind", "centre"} & set(changed):
        from roret.placements.models import Placement

        ids = list(Placement.objects.filter(offer__provider=provider).values_list("pk", flat=True))
        recost_after_commit(ids)
        recosted = len(ids)
    audit.record(actor, "create" if creating else "change", obj=provider, channel=channel, reason=reason,
                 summary=(f"Leverandør oprettet: {provider.name}" if creating else
                          f"Leverandør ændret: {provider.name} ({_labels(Provider, changed)})"
                          + (f"; {recosted} placeringer genberegnes" if recosted else "")),
                 before=before, after=after)
    return provider


# --- offers ----------------------------------------------------------------------------------

@transaction.atomic
def save_offer(offer: Offer, *, actor, target_groups=None, reason: str = "", channel: str = "web") -> Offer:
    """Create or change an offer (a catalogue editor), audited with before and after. A change needs
    a reason; a change that changes nothing writes nothing. A change in what its placements are
    costed by (provider, offer type, account function, legal basis) re-costs them after the commit.

    The strategic vacancy is not changed here but by :func:`set_strategic_vacancy`, which the
    leader of the offer's centre may also call."""
    if offer.pk is None:
        permissions.require_role(actor, permissions.CATALOGUE_EDITORS, "only a catalogue editor creates offers")
        before = None
    else:
        old = permissions.fetch_offer(actor, OFFER_CHANGE, offer.pk, lock=True)
        offer.strategic_vacancy = old.strategic_vacancy
        before = {**audit.snapshot(old, OFFER_FIELDS), "target_groups": sorted(old.target_groups.values_list(
            "pk", flat=True))}
    creating = before is None
    offer.full_clean()
    groups = (sorted(t if isinstance(t, int) else t.pk for t in target_groups) if target_groups is not None
              else before["target_groups"] if before else [])
    after = {**audit.snapshot(offer, OFFER_FIELDS), "target_groups": groups}
    if before == after:
        return offer
    reason = _reason(reason, needed=not creating, why=_("A change to an offer"))
    offer.save()
    if target_groups is not None:
        offer.target_groups.set(groups)
    changed = sorted(k for k in after if before is None or before.get(k) != after[k])
    recosted = 0
    if not creating and COSTED_FIELDS & set(changed):
        ids = _placements_of(offer)
        recost_after_commit(ids)
        recosted = len(ids)
    audit.record(actor, "create" if creating else "change", obj=offer, channel=channel, reason=reason,
                 summary=(f"Tilbud oprettet: {offer.name}" if creating else
                          f"Tilbud ændret: {offer.name} ({_labels(Offer, changed)})"
                          + (f"; {recosted} placeringer genberegnes" if recosted else "")),
                 before=before, after=after)
    return offer


# --- tariffs ---------------------------------------------------------------------------------

def _check_tariff(amount, unit: str, valid_from) -> Decimal:
    if not isinstance(valid_from, datetime.date):
        raise CatalogueError({"valid_from": _("Give the date the tariff applies from.")})
    if unit not in TariffUnit.values:
        raise CatalogueError({"unit": _("Choose the tariff's unit (per day, month, hour or module).")})
    return _amount(amount)


@transaction.atomic
def add_tariff(offer: Offer, *, valid_from: datetime.date, amount, unit: str, actor, note: str = "",
               reason: str = "", channel: str = "web", today: datetime.date | None = None) -> Tariff:
    """A new standard tariff for ``offer`` from ``valid_from`` (a catalogue editor). A date before
    today changes costs already incurred: it needs a reason, and is a recorded correction."""
    offer = permissions.fetch_offer(actor, OFFER_CHANGE, offer.pk, lock=True)
    amount = _check_tariff(amount, unit, valid_from)
    today = today or datetime.date.today()
    backdated = valid_from < today
    reason = _reason(reason, needed=backdated, why=_("A tariff from a date before today changes past costs"))
    if Tariff.objects.filter(offer=offer, valid_from=valid_from).exists():
        raise CatalogueError({"valid_from": _("%(offer)s already has a tariff from %(day)s: correct that row "
                                              "instead.") % {"offer": offer, "day": f"{valid_from:%d.%m.%Y}"}})
    row = Tariff.objects.create(offer=offer, valid_from=valid_from, amount=amount, unit=unit, note=note.strip(),
                                reason=reason, recorded_by=actor)
    ids = _placements_of(offer)
    recost_after_commit(ids)
    audit.record(actor, "create", obj=row, channel=channel, reason=reason,
                 summary=(f"Takst for {offer.name}: {amount} kr. {row.get_unit_display()} fra {valid_from:%d.%m.%Y}"
                          + (f" (tilbagedateret; {len(ids)} placeringer genberegnes)" if backdated else "")),
                 after=audit.snapshot(row, TARIFF_FIELDS))
    return row


@transaction.atomic
def correct_tariff(row: Tariff, *, amount, unit: str, actor, reason: str, channel: str = "web") -> Tariff:
    """Correct a tariff row that was wrong: a new row for the same offer and date that points to it
    (the wrong row stays in the history), with a reason; the offer's placements are re-costed."""
    row = Tariff.history.select_related("offer").filter(pk=row.pk).first()
    if row is None:
        raise permissions.NotInScope("no such tariff")
    offer = permissions.fetch_offer(actor, OFFER_CHANGE, row.offer_id, lock=True)
    if Tariff.history.filter(corrects=row).exists():
        raise CatalogueError(_("This tariff has already been corrected; correct the row that corrects it."))
    amount = _check_tariff(amount, unit, row.valid_from)
    reason = _reason(reason, needed=True, why=_("A correction"))
    if (amount, unit) == (row.amount, row.unit):
        raise CatalogueError({"amount": _("The correction is the same as the tariff it corrects.")})
    correction = Tariff.objects.create(offer=offer, valid_from=row.valid_from, amount=amount, unit=unit,
                                       note=row.note, reason=reason, corrects=row, recorded_by=actor)
    ids = _placements_of(offer)
    recost_after_commit(ids)
    audit.record(actor, "change", obj=correction, channel=channel, reason=reason,
                 summary=(f"Takst rettet for {offer.name} fra {row.valid_from:%d.%m.%Y}: {row.amount} -> {amount} kr."
                          f"; {len(ids)} placeringer genberegnes"),
                 before=audit.snapshot(row, TARIFF_FIELDS), after=audit.snapshot(correction, TARIFF_FIELDS))
    return correction


# --- places ----------------------------------------------------------------------------------

def places_on(offer: Offer, day: datetime.date) -> int:
    """The offer's places on ``day``: the sum of its dated changes up to it."""
    return offer.place_changes.filter(valid_from__lte=day).aggregate(n=Sum("change"))["n"] or 0


def places_besides(row: PlaceChange, day: datetime.date) -> int:
    """The places of ``row``'s offer on ``day`` from every change but ``row`` and its corrections:
    what a correction of ``row`` adds to, so a person can say the number of places it should give."""
    others = (PlaceChange.objects.filter(offer_id=row.offer_id, valid_from__lte=day)
              .exclude(pk=row.pk).exclude(corrects_id=row.pk))
    return others.aggregate(n=Sum("change"))["n"] or 0


@transaction.atomic
def set_places(offer: Offer, *, valid_from: datetime.date, places: int, actor, reason: str, channel: str = "web",
               today: datetime.date | None = None) -> PlaceChange:
    """The offer has ``places`` places from ``valid_from`` (a catalogue editor, or the leader of
    the centre that runs it): one new dated row with the difference, and the reason. A date before
    today changes past occupancy and vacancy figures and is recorded as such."""
    offer = permissions.fetch_offer(actor, OFFER_PLACES, offer.pk, lock=True)
    if not isinstance(valid_from, datetime.date):
        raise CatalogueError({"valid_from": _("Give the date the number of places applies from.")})
    if not isinstance(places, int) or not 0 <= places <= 10_000:
        raise CatalogueError({"places": _("Give the number of places, 0 to 10.000.")})
    today = today or datetime.date.today()
    backdated = valid_from < today
    reason = _reason(reason, needed=True, why=_("A change in places"))
    now = places_on(offer, valid_from)
    if places == now:
        raise CatalogueError({"places": _("%(offer)s already has %(n)d places on %(day)s.")
                              % {"offer": offer, "n": now, "day": f"{valid_from:%d.%m.%Y}"}})
    row = PlaceChange.objects.create(offer=offer, valid_from=valid_from, change=places - now, reason=reason,
                                     recorded_by=actor)
    audit.record(actor, "create", obj=row, channel=channel, reason=reason,
                 summary=(f"Pladser i {offer.name}: {now} -> {places} fra {valid_from:%d.%m.%Y}"
                          + (" (tilbagedateret)" if backdated else "")),
                 before={"places": now}, after={**audit.snapshot(row, PLACE_FIELDS), "places": places})
    return row


@transaction.atomic
def correct_place_change(row: PlaceChange, *, valid_from: datetime.date, change: int, actor, reason: str,
                         channel: str = "web") -> list[PlaceChange]:
    """Correct a change in places that was wrong (its date, its size, or both; a change of 0 takes it
    back): rows that point to it add what makes the sum right. The wrong row stays."""
    row = PlaceChange.objects.select_related("offer").filter(pk=row.pk).first()
    if row is None:
        raise permissions.NotInScope("no such change in places")
    offer = permissions.fetch_offer(actor, OFFER_PLACES, row.offer_id, lock=True)
    if row.corrects_id is not None:
        raise CatalogueError(_("This row is itself a correction; correct the original change."))
    if not isinstance(valid_from, datetime.date):
        raise CatalogueError({"valid_from": _("Give the date the change should have applied from.")})
    if not isinstance(change, int) or abs(change) > 10_000:
        raise CatalogueError({"change": _("Give the change in places it should have been (e.g. 10 or -2).")})
    reason = _reason(reason, needed=True, why=_("A correction"))
    # What the row and its earlier corrections add up to now, per date.
    current: dict[datetime.date, int] = {}
    for day, n in [(row.valid_from, row.change)] + list(row.corrections.values_list("valid_from", "change")):
        current[day] = current.get(day, 0) + n
    wanted = {valid_from: change} if change else {}
    rows = []
    for day in sorted(set(current) | set(wanted)):
        delta = wanted.get(day, 0) - current.get(day, 0)
        if delta:
            rows.append(PlaceChange.objects.create(offer=offer, valid_from=day, change=delta, reason=reason,
                                                   corrects=row, recorded_by=actor))
    if not rows:
        raise CatalogueError({"change": _("The correction is the same as the change it corrects.")})
    audit.record(actor, "change", obj=row, channel=channel, reason=reason,
                 summary=f"Pladsændring i {offer.name} rettet: {row.change:+d} fra {row.valid_from:%d.%m.%Y} -> "
                         f"{change:+d} fra {valid_from:%d.%m.%Y}",
                 before={"changes": {str(d): n for d, n in current.items()}},
                 after={"changes": {str(d): n for d, n in wanted.items()},
                        "rows": [r.pk for r in rows]})
    return rows


@transaction.atomic
def set_strategic_vacancy(offer: Offer, *, places: int, actor, reason: str, channel: str = "web") -> Offer:
    """The number of places held empty on purpose for the municipality's own urgent needs (the
    catalogue editors, or the leader of the centre that runs the offer)."""
    offer = permissions.fetch_offer(actor, OFFER_PLACES, offer.pk, lock=True)
    if not isinstance(places, int) or not 0 <= places <= 1000:
        raise CatalogueError({"strategic_vacancy": _("Give the number of places held empty, 0 or more.")})
    reason = _reason(reason, needed=True, why=_("A change in strategic vacancy"))
    if places == offer.strategic_vacancy:
        raise CatalogueError({"strategic_vacancy": _("%(offer)s already holds %(n)d places empty on purpose.")
                              % {"offer": offer, "n": places}})
    today = datetime.date.today()
    if places > places_on(offer, today):
        raise CatalogueError({"strategic_vacancy": _("%(offer)s has %(n)d places today: it cannot hold more than "
                                                     "that empty.") % {"offer": offer, "n": places_on(offer, today)}})
    before = {"strategic_vacancy": offer.strategic_vacancy}
    offer.strategic_vacancy = places
    offer.save(update_fields=["strategic_vacancy"])
    audit.record(actor, "change", obj=offer, channel=channel, reason=reason,
                 summary=f"Strategisk tomgang i {offer.name}: {before['strategic_vacancy']} -> {places}",
                 before=before, after={"strategic_vacancy": places})
    return offer
