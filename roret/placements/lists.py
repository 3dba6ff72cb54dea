"""Filter choices and filters the list pages share (roret.core.lists): the teams, the offers, and
the rows with a current placement in an offer."""

from __future__ import annotations

import datetime

from roret.core.models import Team
from roret.offers.models import Offer
from roret.placements.models import Placement


def team_choices(user) -> list[tuple[int, str]]:
    """Every team, by name."""
    return list(Team.objects.order_by("name", "pk").values_list("pk", "name"))


def offer_choices(user) -> list[tuple[int, str]]:
    """The whole (small) catalogue, by name."""
    return list(Offer.objects.order_by("name", "pk").values_list("pk", "name"))


def placed_in(offer_id, column: str = "citizen_id"):
    """``column`` of today's placements in the offer: an IN over the offer's index, not an EXISTS
    probed per row."""
    return Placement.objects.active_on(datetime.date.today()).filter(offer_id=int(offer_id)).values(column)


def citizens_in_offer(rows, value, user):
    """Citizens (``rows``) with a current placement in the offer ``value``."""
    return rows.filter(pk__in=placed_in(value))
