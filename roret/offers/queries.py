"""Read models for the offer catalogue: places, occupancy, vacancy and waiting list on a day,
computed in the database (one query for the whole list)."""

import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from roret.offers.models import Offer, PlaceChange, ProviderKind, Tariff, TariffUnit


def catalogue(day: datetime.date):
    """All offers annotated with places, occupied, vacancy, waiting and the standard tariff on ``day``."""
    from roret.placements.models import Grant, Placement

    places = (PlaceChange.objects.filter(offer=OuterRef("pk"), valid_from__lte=day)
              .values("offer").annotate(total=Sum("change")).values("total"))
    occupied = (Placement.objects.filter(offer=OuterRef("pk")).active_on(day)
                .values("offer").annotate(n=Count("pk")).values("n"))
    sold = (Placement.objects.filter(offer=OuterRef("pk")).active_on(day)
            .exclude(paying_municipality=_own_code())
            .values("offer").annotate(n=Count("pk")).values("n"))
    waiting = (Grant.objects.waiting_on(day).filter(preferred_offer=OuterRef("pk"))
               .values("preferred_offer").annotate(n=Count("pk")).values("n"))
    # The standard tariff in force on ``day``: roret.economy.engine.tariff_on without agreed rows,
    # in SQL (the latest row from on or before the day; Tariff.objects leaves corrected rows out,
    # so there is one row per date). tests/economy/test_tariff_rule.py holds the two together.
    tariff = Tariff.objects.filter(offer=OuterRef("pk"), valid_from__lte=day).order_by("-valid_from")
    zero = Value(0, output_field=IntegerField())
    return (Offer.objects.select_related("provider", "provider__centre", "offer_type")
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
            .annotate(
                places=Coalesce(Subquery(places, output_field=IntegerField()), zero),
                occupied=Coalesce(Subquery(occupied, output_field=IntegerField()), zero),
                sold=Coalesce(Subquery(sold, output_field=IntegerField()), zero),
                waiting=Coalesce(Subquery(waiting, output_field=IntegerField()), zero),
                tariff_amount=Subquery(tariff.values("amount")[:1]),
                tariff_unit=Subquery(tariff.values("unit")[:1]),
            ))


def _own_code() -> str:
    from django.conf import settings

    return settings.RORET["MUNICIPALITY_CODE"]


def with_vacancy(offers):
    """Adds vacancy and occupancy rate to each row.

    A purchased place is bought per citizen: an external offer without contracted places has
    no vacancy of ours, so its places, vacancy and rate are None (shown as "–"), not negative.
    """
    rows = []
    units = dict(TariffUnit.choices)
    for offer in offers:
        offer.tariff_unit_label = units.get(offer.tariff_unit, "")
        limited = offer.provider.kind == ProviderKind.OWN or offer.places
        offer.is_own_row = offer.provider.kind == ProviderKind.OWN
        offer.vacancy = offer.places - offer.occupied if limited else None
        offer.free_for_placement = max(0, offer.vacancy - offer.strategic_vacancy) if limited else None
        offer.occupancy_rate = (offer.occupied / offer.places) if limited and offer.places else None
        if not limited:
            offer.places = None
        rows.append(offer)
    return rows


def totals(rows) -> dict:
    """Sums for a list of rows from with_vacancy (places and vacancy only where there are places)."""
    return {
        "places": sum(o.places or 0 for o in rows), "occupied": sum(o.occupied for o in rows),
        "vacancy": sum(o.vacancy or 0 for o in rows), "waiting": sum(o.waiting for o in rows),
        "sold": sum(o.sold for o in rows), "strategic_vacancy": sum(o.strategic_vacancy for o in rows),
    }
