"""Writing grants and placements. Every function runs in one transaction, checks the
invariants under row locks, and writes its own audit entry."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from roret.citizens.models import Citizen
from roret.core import audit, permissions
from roret.core.permissions import CHANGE
from roret.core.validation import validate
from roret.economy.services import recost_after_commit
from roret.offers.models import Offer, PlaceChange, ProviderKind
from roret.placements.models import EndReason, ExternalReason, Grant, Placement, PlacementTariff

GRANT_FIELDS = ["paragraph", "offer_type", "scope", "hours_per_week", "start", "end", "review_on", "preferred_offer"]
PLACEMENT_FIELDS = ["offer", "start", "end", "acting_municipality", "paying_municipality", "end_reason",
                    "over_occupancy", "over_occupancy_reason", "external_reason"]


class PlacementError(ValidationError):
    """A placement that would break an invariant; the message says which and where."""


def _compliance_changed(citizen_id: int) -> None:
    """The citizen's rows of the stored quality-of-life compliance list (a move-in counts from the
    placement's start to its end) are worked out again after the commit."""
    from roret.outcomes import compliance

    compliance.mark([citizen_id])


@transaction.atomic
def create_grant(citizen: Citizen, *, paragraph, offer_type, start: datetime.date, actor, scope: str = "",
                 hours_per_week: Decimal | None = None, end: datetime.date | None = None,
                 review_on: datetime.date | None = None, preferred_offer: Offer | None = None,
                 channel: str = "web") -> Grant:
    """Record a grant. Without a placement it stands on the waiting list."""
    citizen = permissions.fetch(actor, CHANGE, Citizen, citizen.pk)
    return grant_for(citizen, paragraph=paragraph, offer_type=offer_type, start=start, actor=actor, scope=scope,
                     hours_per_week=hours_per_week, end=end, review_on=review_on, preferred_offer=preferred_offer,
                     channel=channel)


def grant_for(citizen: Citizen, *, paragraph, offer_type, start: datetime.date, actor, scope: str = "",
              hours_per_week: Decimal | None = None, end: datetime.date | None = None,
              review_on: datetime.date | None = None, preferred_offer: Offer | None = None,
              channel: str = "web", decided_by=None) -> Grant:
    """:func:`create_grant` for a citizen the caller has already fetched for "change" (a decision).
    ``decided_by``: the caseworker the grant is decided in the name of when not the actor (the
    visitation meeting's approval); the audit row stays the actor's."""
    decided_by = decided_by or actor
    grant = Grant(citizen=citizen, paragraph=paragraph, offer_type=offer_type, start=start, end=end,
                  scope=scope, hours_per_week=hours_per_week, review_on=review_on,
                  preferred_offer=preferred_offer, team=citizen.team,
                  decided_by=decided_by if decided_by is not None and decided_by.is_authenticated else None)
    validate(grant)
    grant.save()
    audit.record(actor, "create", citizen=citizen, obj=grant, summary=f"Bevilling oprettet: {grant}",
                 after=audit.snapshot(grant, GRANT_FIELDS), channel=channel)
    return grant


def occupancy_conflicts(offer: Offer, start: datetime.date, end: datetime.date | None,
                        exclude_pk: int | None = None) -> list[tuple[datetime.date, int, int]]:
    """Days in [start, end) where one more citizen would exceed the offer's places.

    Occupancy only rises at a placement's start and places only fall at a dated change, so
    it is enough to look at those dates (and ``start``). Returns (day, occupied, places).
    """
    placements = list(
        Placement.objects.filter(offer=offer).overlapping(start, end).exclude(pk=exclude_pk)
        .values_list("start", "end")
    )
    changes = list(PlaceChange.objects.filter(offer=offer).values_list("valid_from", "change"))
    points = {start}
    points.update(s for s, _e in placements if s > start and (end is None or s < end))
    points.update(d for d, _c in changes if d > start and (end is None or d < end))
    conflicts = []
    for day in sorted(points):
        occupied = sum(1 for s, e in placements if s <= day and (e is None or e > day))
        places = sum(c for d, c in changes if d <= day)
        if occupied + 1 > places:
            conflicts.append((day, occupied, places))
    return conflicts


@transaction.atomic
def start_placement(grant: Grant, offer: Offer, start: datetime.date, *, actor, end: datetime.date | None = None,
                    agreed_amount: Decimal | None = None, agreed_unit: str | None = None,
                    paying_municipality: str | None = None, acting_municipality: str | None = None,
                    over_occupancy_reason: str = "", external_reason: str = "",
                    channel: str = "web") -> Placement:
    """Place the citizen of ``grant`` in ``offer`` from ``start``.

    A placement in an external offer needs ``external_reason`` (an ``ExternalReason``): why an
    own place does not serve the citizen. The capacity plan counts only some reasons as demand
    on own places. A placement in an own offer has none.

    Locks the offer and the citizen rows first, so two caseworkers filling the last free place
    at the same moment are served one after the other: the second sees the place taken.
    """
    # Lock order offer -> citizen everywhere, so two placements cannot deadlock.
    offer = Offer.objects.select_for_update(of=("self",)).select_related("provider").get(pk=offer.pk)
    # The grant's citizen, through the gate: the grant is this citizen's by construction.
    citizen = permissions.fetch(actor, CHANGE, Citizen, grant.citizen_id, lock=True)
    if end is not None and end <= start:
        raise PlacementError(_("A placement must end after it starts (start %(start)s, end %(end)s).")
                             % {"start": start, "end": end}, code="period")
    if grant.start > start or (grant.end is not None and (end is None or end > grant.end)):
        raise PlacementError(_("The placement must lie within the grant's period."), code="grant_period")
    if offer.closed_on and (end is None or end > offer.closed_on):
        raise PlacementError(_("%(offer)s closes on %(day)s.") % {"offer": offer, "day": offer.closed_on},
                             code="closed")
    is_external = not offer.is_own
    if is_external and external_reason not in ExternalReason.values:
        raise PlacementError(
            _("%(offer)s is an external offer: choose why the citizen is placed there rather than in an own "
              "offer (%(choices)s).")
            % {"offer": offer, "choices": ", ".join(str(label).lower() for label in ExternalReason.labels)},
            code="external_reason")
    if not is_external and external_reason:
        raise PlacementError(
            _("%(offer)s is an own offer: a reason for an external placement does not apply.") % {"offer": offer},
            code="external_reason")
    if offer.is_residential:
        clash = (Placement.objects.filter(citizen=citizen, is_residential=True).overlapping(start, end)
                 .select_related("offer").first())
        if clash is not None:
            raise PlacementError(
                _("%(name)s already lives in %(offer)s from %(start)s; a citizen cannot have two residential "
                  "places at once. End that stay first.")
                % {"name": citizen.name, "offer": clash.offer, "start": f"{clash.start:%d.%m.%Y}"},
                code="residential_overlap")
    # Own offers have places; a purchased place is bought per citizen unless the contract
    # reserves a number of places (then it has place rows and the same rule applies).
    limited = offer.provider.kind == ProviderKind.OWN or PlaceChange.objects.filter(offer=offer).exists()
    conflicts = occupancy_conflicts(offer, start, end) if limited else []
    if conflicts and not over_occupancy_reason.strip():
        day, occupied, places = conflicts[0]
        raise PlacementError(
            _("%(offer)s has no free place on %(day)s (%(occupied)d of %(places)d places taken). Choose another "
              "offer, put the grant on the waiting list, or record an over-occupancy with a reason.")
            % {"offer": offer, "day": f"{day:%d.%m.%Y}", "occupied": occupied, "places": places},
            code="full")
    own_code = settings.RORET["MUNICIPALITY_CODE"]
    placement = Placement(
        grant=grant, citizen=citizen, offer=offer, start=start, end=end, is_residential=offer.is_residential,
        acting_municipality=acting_municipality or own_code, paying_municipality=paying_municipality or own_code,
        over_occupancy=bool(conflicts), over_occupancy_reason=over_occupancy_reason.strip() if conflicts else "",
        is_external=is_external, external_reason=external_reason,
    )
    validate(placement)
    placement.save()
    if agreed_amount is not None:
        PlacementTariff.objects.create(placement=placement, valid_from=start, amount=agreed_amount,
                                       unit=agreed_unit or offer.tariff_on(start).unit,
                                       hours_per_week=grant.hours_per_week)
    recost_after_commit([placement.pk])
    _compliance_changed(placement.citizen_id)
    audit.record(actor, "create", citizen=citizen, obj=placement,
                 summary=f"Placering i {offer} fra {start:%d.%m.%Y}"
                 + (f" (ekstern: {placement.get_external_reason_display()})" if is_external else ""),
                 after=audit.snapshot(placement, PLACEMENT_FIELDS), channel=channel)
    return placement


@transaction.atomic
def end_placement(placement: Placement, end: datetime.date, reason: str, *, actor, channel: str = "web") -> Placement:
    """End a placement on ``end`` (the first day the citizen no longer occupies the place)."""
    placement = permissions.fetch(actor, CHANGE, Placement.objects.select_related("offer"), placement.pk, lock=True)
    if reason not in EndReason.values:
        raise PlacementError(_("Choose an end reason."), code="end_reason")
    if end <= placement.start:
        raise PlacementError(_("A placement must end after it starts (%(start)s).")
                             % {"start": f"{placement.start:%d.%m.%Y}"}, code="period")
    if placement.end is not None and end > placement.end:
        # Ending moves an end earlier, never later: a later end could run into the citizen's next stay
        # or over the offer's places, which only starting a placement checks.
        raise PlacementError(_("The placement already ends on %(end)s; it can be ended earlier, not later.")
                             % {"end": f"{placement.end:%d.%m.%Y}"}, code="period")
    before = audit.snapshot(placement, PLACEMENT_FIELDS)
    placement.end, placement.end_reason = end, reason
    placement.save(update_fields=["end", "end_reason"])
    recost_after_commit([placement.pk])
    _compliance_changed(placement.citizen_id)
    audit.record(actor, "change", citizen=placement.citizen_id, obj=placement,
                 summary=f"Placering i {placement.offer} afsluttet {end:%d.%m.%Y}",
                 before=before, after=audit.snapshot(placement, PLACEMENT_FIELDS), channel=channel)
    return placement


