"""Read models for placements computed in the database."""

import datetime

from django.db.models import DateField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from roret.offers.models import Tariff
from roret.placements.models import PlacementTariff

FAR_FUTURE = datetime.date(9999, 12, 31)


def with_current_tariff(placements, day: datetime.date):
    """Annotate each placement with the tariff in force on ``day``, read within the placement's
    own period (a placement that has ended shows its last tariff; one not yet begun its first):
    the agreed tariff when there is one, else the offer's standard tariff.

    Adds ``tariff_amount``, ``tariff_unit`` and ``tariff_agreed``.

    This is :func:`roret.economy.engine.tariff_on` in SQL, on the day clamped into the
    placement's [start, end): ``cutoff = max(start, day)`` and ``valid_from < end`` pick the rows
    on or before ``min(max(start, day), end - 1 day)``. The engine's schedule lets the agreed rows
    replace the standard ones from the first agreed date, so on any day the row in force is the
    latest agreed row on or before it when there is one (the day is then on or after the first
    agreed date), else the latest standard row: the Coalesce below. ``Tariff.objects`` leaves
    corrected rows out, as the engine's schedule does. tests/economy/test_tariff_rule.py holds
    the two together.
    """
    cutoff = Greatest(OuterRef("start"), Value(day, output_field=DateField()))
    before_end = Coalesce(OuterRef("end"), Value(FAR_FUTURE, output_field=DateField()))
    agreed = (PlacementTariff.objects.filter(placement=OuterRef("pk"), valid_from__lte=cutoff,
                                             valid_from__lt=before_end).order_by("-valid_from"))
    standard = (Tariff.objects.filter(offer=OuterRef("offer_id"), valid_from__lte=cutoff,
                                      valid_from__lt=before_end).order_by("-valid_from"))
    return (placements
            .annotate(agreed_amount=Subquery(agreed.values("amount")[:1]),
                      agreed_unit=Subquery(agreed.values("unit")[:1]),
                      standard_amount=Subquery(standard.values("amount")[:1]),
                      standard_unit=Subquery(standard.values("unit")[:1]))
            .annotate(tariff_amount=Coalesce("agreed_amount", "standard_amount"),
                      tariff_unit=Coalesce("agreed_unit", "standard_unit"),
                      tariff_agreed=Q(agreed_amount__isnull=False)))
