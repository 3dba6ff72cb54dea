"""Occupancy of places over a period: the place-days an offer had (its dated places summed up to
each day) against the place-days its citizens used.

.. math::

    \\text{occupancy}[A, B) = \\frac{\\sum_{o} \\text{used}_o[A, B)}{\\sum_{o} \\sum_{d=A}^{B-1} p_o(d)},
    \\qquad p_o(d) = \\sum_{\\text{rows } r \\text{ of } o,\\ r.\\text{from} \\le d} r.\\text{change}

over the offers ``o`` that have places in the period (none from the day an offer closes), with
``used`` the place-days of every citizen placed there, the municipality's own and those of
other municipalities in places it sells. Offers without places (bought per citizen, or support
by the hour) have no occupancy and are left out of both sums.

For a centre leader this is the figure that means something where self-sufficiency does not:
every place-day in a centre's own offers is an own place-day, so its self-sufficiency is 100 %
by definition.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from roret.core.periods import Period
from roret.economy.kpi import Figures, share
from roret.offers.models import PlaceChange


@dataclass(frozen=True)
class Occupancy:
    """Place-days used and available in the period, over the offers with places."""

    used: int
    available: int
    offers: int  # offers with places in the period

    @property
    def rate(self) -> Decimal | None:
        """Per cent, two decimals (None without places)."""
        return share(self.used, self.available)


def place_days(period: Period, changes, closed: dict[int, datetime.date | None]) -> dict[int, int]:
    """{offer id: place-days in ``period``} from (offer id, valid from, change) rows and each
    offer's closing day (None: open). Offers with no place-days in the period are left out."""
    steps: dict[int, list] = {}
    for offer_id, valid_from, change in changes:
        steps.setdefault(offer_id, []).append((valid_from, change))
    out = {}
    for offer_id, rows in steps.items():
        end = period.end if closed.get(offer_id) is None else min(period.end, closed[offer_id])
        total, places, cursor = 0, 0, period.start
        for valid_from, change in sorted(rows):
            if valid_from > cursor:
                upto = min(valid_from, end)
                if upto > cursor:
                    total += places * (upto - cursor).days
                    cursor = upto
            places += change
        if end > cursor:
            total += places * (end - cursor).days
        if total > 0:
            out[offer_id] = total
    return out


def occupancy(figures: Figures, period: Period, offers) -> Occupancy:
    """The occupancy of ``offers`` (a queryset of Offer) in ``period``; the place-days used come
    from the request's period table, so they are the KPI figures' own place-days."""
    closed = dict(offers.values_list("pk", "closed_on"))
    changes = PlaceChange.objects.filter(offer__in=list(closed), valid_from__lt=period.end).values_list(
        "offer_id", "valid_from", "change")
    available = place_days(period, changes, closed)
    used = sum(r.days_own + r.days_external + r.days_sold for r in figures.breakdown(period, "offer")
               if r.key in available)
    return Occupancy(used=used, available=sum(available.values()), offers=len(available))


def centre_occupancy(figures: Figures, centre_id: int, years, today: datetime.date) -> tuple[list, list, Period]:
    """A centre's occupancy per year (this year to date) and per own offer in the last whole year:
    ([{label, used, available, rate}], [{label, used, available, rate}], the last whole year)."""
    from django.utils.translation import gettext as _

    from roret.core import periods
    from roret.offers.models import Offer

    offers = Offer.objects.filter(provider__centre_id=centre_id)
    items = []
    for year in years:
        start = datetime.date(year, 1, 1)
        end = min(datetime.date(year + 1, 1, 1), max(today, start + datetime.timedelta(days=1)))
        result = occupancy(figures, Period(start, end), offers)
        items.append({"label": str(year) if end.year > year else _("%(year)d (to date)") % {"year": year},
                      "used": result.used, "available": result.available, "rate": result.rate})
    last = periods.period_of("year", today).previous(1)[0]
    per_offer = []
    for offer in offers.order_by("name"):
        result = occupancy(figures, last, Offer.objects.filter(pk=offer.pk))
        if result.available:
            per_offer.append({"label": offer.name, "used": result.used, "available": result.available,
                              "rate": result.rate})
    return items, per_offer, last
