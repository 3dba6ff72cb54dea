"""The offer catalogue: reads of the offers with places, occupancy, vacancy, waiting list and
tariffs over time (the Tilbudsportalen view of roret/offers/catalogue_export.py, so the API, the
page and the exported files give the same figures and the committee's hide the same cells), and
the catalogue's writes as dated rows: a new offer, a tariff from a date, a number of places from a
date, each through the same service as the offer's page (roret/offers/services.py), which checks
the scope (the catalogue editors; a centre leader the places of the own centre's offers) and
writes the audit row."""

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from roret.api.access import require
from roret.api.caseflow import TermOut
from roret.api.errors import refusals, renamed
from roret.api.pagination import Page, Paging, page
from roret.core import permissions
from roret.core.models import Term
from roret.core.permissions import CATALOGUE_EDITORS, PLACE_EDITORS, suppresses
from roret.offers import catalogue_export
from roret.offers import services as offer_services
from roret.offers.models import Offer, Provider, Tariff

router = Router(tags=["offers"])
CHANNEL = "api"
OFFER_NOT_FOUND = "Tilbuddet findes ikke, eller det er ikke åbent på dagen."
OFFER_NOT_YOURS = "Tilbuddet findes ikke, eller du har ikke adgang til at ændre det."


def _offer_for(request, action: str, offer_id: int) -> Offer:
    """The offer if the caller may ``action`` it (the gate's offer scope), else 404 saying so."""
    try:
        return permissions.fetch_offer(request.user, action, offer_id)
    except permissions.NotInScope as exc:
        raise HttpError(404, OFFER_NOT_YOURS) from exc


class TariffOut(Schema):
    valid_from: datetime.date
    valid_through: datetime.date | None = Field(description="The day before the next tariff; null: the latest.")
    amount: Decimal
    unit: str


class OfferOut(Schema):
    id: int
    name: str
    provider: str
    provider_kind: str
    own: bool
    legal_basis: str
    paragraph: str = Field(description="The legal basis as the paragraph is written (SEL § 108).")
    offer_type: TermOut
    target_groups: list[TermOut]
    staircase_step: int
    places: int | None
    occupied: int | None = Field(description="Citizens placed in the offer; null when suppressed.")
    vacancy: int | None = Field(description="Places less occupied; null without places or when suppressed.")
    strategic_vacancy: int
    waiting: int | None = Field(description="Grants waiting for this offer; null when suppressed.")
    tariff_amount: Decimal | None
    tariff_unit: str | None
    tariff_from: datetime.date | None
    closes_on: datetime.date | None
    suppressed: list[Literal["occupied", "vacancy", "waiting"]] = Field(
        description="Fields hidden from the committee (null above): counts of 1-4 citizens, and as few "
                    "others as needed so that none can be worked out from the totals (docs/suppression.md).")
    tariffs: list[TariffOut] = Field(description="The standard tariff over time, oldest first.")


class PlacesOut(Schema):
    valid_from: datetime.date
    places: int = Field(description="The offer's places from this day (the sum of its dated changes).")


class OfferDetailOut(OfferOut):
    places_over_time: list[PlacesOut]


def _catalogue(request, day: datetime.date | None) -> catalogue_export.Catalogue:
    """The catalogue on ``day`` as the caller may see it: for the committee always today's and
    suppressed, as on the pages (two days' figures set side by side could give a hidden cell away)."""
    require(request, catalogue_export.EXPORT_ROLES)
    suppress = suppresses(request.user)
    today = datetime.date.today()
    return catalogue_export.build(today if suppress or day is None else day, suppress=suppress)


def _kroner(amount: Decimal | None) -> Decimal | None:
    """An amount with its two decimals (SQLite's subquery gives 2250 for 2250.00)."""
    return None if amount is None else Decimal(amount).quantize(Decimal("0.01"))


def offer_row(r: catalogue_export.Row, steps: dict) -> dict:
    return {"id": r.id, "name": r.name, "provider": r.provider_name, "provider_kind": r.provider_kind,
            "own": r.provider_kind == "own", "legal_basis": r.legal_basis, "paragraph": r.paragraph,
            "offer_type": {"code": r.offer_type_code, "display": r.offer_type},
            "target_groups": [{"code": c, "display": d} for c, d in r.target_groups],
            "staircase_step": steps.get(r.id, 0), "places": r.places, "occupied": r.occupied, "vacancy": r.vacancy,
            "strategic_vacancy": r.strategic_vacancy, "waiting": r.waiting, "tariff_amount": _kroner(r.tariff_amount),
            "tariff_unit": r.tariff_unit, "tariff_from": r.tariff_from, "closes_on": r.closes_on,
            "suppressed": list(r.hidden),
            "tariffs": [{"valid_from": t.valid_from, "valid_through": t.valid_through, "amount": t.amount,
                         "unit": t.unit} for t in r.tariffs]}


def _rows(request, day):
    """(catalogue rows, offer id -> staircase step) for ``day``."""
    built = _catalogue(request, day)
    steps = dict(Offer.objects.filter(pk__in=[r.id for r in built.rows]).values_list("pk", "staircase_step"))
    return built.rows, steps


@router.get("/offers", response=Page[OfferOut])
def list_offers(request, paging: Query[Paging], day: datetime.date | None = None, legal_basis: str | None = None,
                own: bool | None = Query(None, description="true: own offers only; false: external ones only."),
                target_group: str | None = Query(None, description="KL's code of an FFB target group."),
                offer_type: str | None = Query(None, description="KL's code of the FFB offer type."),
                closing: bool | None = Query(None, description="true: offers with a closing date set; "
                                                                "false: offers that stay open.")):
    """The offers open on ``day`` (default today), by name, with places, occupancy, vacancy, waiting
    list and the tariff in force and over time, filtered on legal basis, own or external, target
    group and offer type.

    For the committee, ``day`` is ignored (always today), and small cells are null with their names
    in ``suppressed``, as on the pages. The suppression is worked out on the whole catalogue before
    the filters, so a filtered list hides the same cells as the page."""
    rows, steps = _rows(request, day)
    rows = [r for r in rows
            if (legal_basis is None or r.legal_basis == legal_basis)
            and (own is None or (r.provider_kind == "own") == own)
            and (target_group is None or target_group in {c for c, _d in r.target_groups})
            and (offer_type is None or r.offer_type_code == offer_type)
            and (closing is None or (r.closes_on is not None) == closing)]
    return page(rows, paging, lambda r: offer_row(r, steps))


def places_over_time(offer_id: int) -> list[dict]:
    """The offer's places from each day a dated change (or its correction) applies, oldest first."""
    by_day = (Offer.objects.get(pk=offer_id).place_changes.values("valid_from").order_by("valid_from")
              .annotate(n=Sum("change")))
    out, total = [], 0
    for row in by_day:
        total += row["n"]
        out.append({"valid_from": row["valid_from"], "places": total})
    return out


@router.get("/offers/{int:offer_id}", response=OfferDetailOut)
def get_offer(request, offer_id: int, day: datetime.date | None = None):
    """One offer open on ``day`` (default today) as in the list, with its places over time."""
    rows, steps = _rows(request, day)
    row = next((r for r in rows if r.id == offer_id), None)
    if row is None:
        raise HttpError(404, OFFER_NOT_FOUND)
    return {**offer_row(row, steps), "places_over_time": places_over_time(row.id)}


# --- writes: the catalogue editors (a centre leader: the places of the own centre's offers) ------

def _created(out):
    return {201: out, **refusals()}


class OfferIn(Schema):
    provider_id: int
    name: str = Field(max_length=200)
    legal_basis: str = Field(description="The legal basis code (e.g. SEL108).")
    offer_type: str = Field(description="KL's code of the FFB offer type.")
    target_groups: list[str] = Field(default_factory=list, description="KL's codes of FFB target groups.")
    staircase_step: int = Field(ge=0, le=32767)
    age_min: int = Field(18, ge=0, le=32767)
    age_max: int | None = Field(None, ge=0, le=32767)
    requires_visitation: bool = True
    account_function: str = Field(description="The account function (e.g. 5.38.50).")
    description: str = ""


class OfferCreatedOut(Schema):
    id: int
    name: str
    provider_id: int
    legal_basis: str
    offer_type: TermOut
    target_groups: list[TermOut]


@router.post("/offers", response=_created(OfferCreatedOut), url_name="list_offers")
def create_offer(request, payload: OfferIn):
    """Create an offer (the catalogue editors, as the new-offer page); its places and tariffs are
    dated rows added after (``/offers/{id}/places``, ``/offers/{id}/tariffs``)."""
    require(request, CATALOGUE_EDITORS)
    provider = Provider.objects.filter(pk=payload.provider_id).first()
    if provider is None:
        raise ValidationError({"provider_id": _("%(field)s: choose one of the list's options.")
                               % {"field": _("Provider")}})
    offer_type = Term.objects.filter(group="offer_type", code=payload.offer_type).first()
    groups = list(Term.objects.filter(group="target_group", code__in=payload.target_groups))
    unknown = sorted(set(payload.target_groups) - {t.code for t in groups})
    if unknown:
        raise ValidationError({"target_groups": _("Unknown FFB target groups: %(ids)s.") % {"ids": unknown}})
    offer = Offer(provider=provider, name=payload.name, legal_basis=payload.legal_basis, offer_type=offer_type,
                  staircase_step=payload.staircase_step, age_min=payload.age_min, age_max=payload.age_max,
                  requires_visitation=payload.requires_visitation, account_function=payload.account_function,
                  description=payload.description)
    try:
        offer = offer_services.save_offer(offer, actor=request.user, target_groups=groups, channel=CHANNEL)
    except ValidationError as exc:
        raise renamed(exc, {"provider": "provider_id", "offer_type_id": "offer_type"}) from exc
    return 201, {"id": offer.pk, "name": offer.name, "provider_id": offer.provider_id, "legal_basis": offer.legal_basis,
                 "offer_type": {"code": offer_type.code, "display": offer_type.display},
                 "target_groups": [{"code": t.code, "display": t.display} for t in groups]}


class TariffIn(Schema):
    valid_from: datetime.date
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2, description="The tariff (kr.) in its unit.")
    unit: str = Field(description="day, month, hour or module.")
    note: str = Field("", max_length=200)
    reason: str = Field("", description="Needed for a tariff from a day before today (it changes past costs).")


class TariffRowOut(Schema):
    id: int
    offer_id: int
    valid_from: datetime.date
    amount: Decimal
    unit: str
    note: str


@router.post("/offers/{int:offer_id}/tariffs", response=_created(TariffRowOut))
def add_tariff(request, offer_id: int, payload: TariffIn):
    """A new standard tariff for the offer from ``valid_from`` (the catalogue editors, as the offer's
    page); a row, never an edit. A day before today needs a reason and re-costs the placements."""
    require(request, CATALOGUE_EDITORS)
    offer = _offer_for(request, permissions.OFFER_CHANGE, offer_id)
    row: Tariff = offer_services.add_tariff(offer, valid_from=payload.valid_from, amount=payload.amount,
                                            unit=payload.unit, note=payload.note, reason=payload.reason,
                                            actor=request.user, channel=CHANNEL)
    return 201, {"id": row.pk, "offer_id": row.offer_id, "valid_from": row.valid_from, "amount": row.amount,
                 "unit": row.unit, "note": row.note}


class PlacesIn(Schema):
    valid_from: datetime.date
    places: int = Field(ge=0, le=10_000, description="The offer's number of places from valid_from.")
    reason: str = Field(description="Why (at least 10 characters).")


class PlaceChangeOut(Schema):
    id: int
    offer_id: int
    valid_from: datetime.date
    change: int = Field(description="The dated row's change in places.")
    places: int = Field(description="The offer's places from valid_from.")


@router.post("/offers/{int:offer_id}/places", response=_created(PlaceChangeOut))
def set_places(request, offer_id: int, payload: PlacesIn):
    """The offer has ``places`` places from ``valid_from``: a new dated row with the difference (the
    catalogue editors, and the leader of the centre that runs the offer, as the offer's page)."""
    require(request, PLACE_EDITORS)
    offer = _offer_for(request, permissions.OFFER_PLACES, offer_id)
    row = offer_services.set_places(offer, valid_from=payload.valid_from, places=payload.places,
                                    reason=payload.reason, actor=request.user, channel=CHANNEL)
    return 201, {"id": row.pk, "offer_id": row.offer_id, "valid_from": row.valid_from, "change": row.change,
                 "places": offer_services.places_on(offer, row.valid_from)}
