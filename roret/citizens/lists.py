"""The citizens in the user's scope as a browsable list (roret.core.lists): filtered by team,
paragraph and offer, sorted by each column and paged in the database."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from roret.core.lists import Column, Filter, ListSpec
from roret.core.models import Team
from roret.offers.models import LegalBasis, Offer
from roret.placements.models import Grant, Placement


def _teams(user):
    return list(Team.objects.order_by("name", "pk").values_list("pk", "name"))


def _offers(user):
    return list(Offer.objects.order_by("name", "pk").values_list("pk", "name"))


def _with_grant(rows, value, user):
    today = datetime.date.today()
    return rows.filter(Exists(Grant.objects.active_on(today).filter(citizen=OuterRef("pk"), paragraph=value)))


def _in_offer(rows, value, user):
    today = datetime.date.today()
    # An IN over the offer's current placements (the offer index), not an EXISTS probed per citizen.
    return rows.filter(pk__in=Placement.objects.active_on(today).filter(offer_id=int(value)).values("citizen_id"))


CITIZENS = ListSpec(
    name="citizens",
    default_sort="name",
    columns=[
        Column("name", _("Name"), ("last_name", "first_name")),
        Column("cpr", _("CPR number"), ("birth_date",)),
        Column("age", _("Age"), ("-birth_date",)),
        Column("team", _("Responsible team"), ("team__name",)),
    ],
    filters=[
        Filter("team", _("Responsible team"), _teams, lambda rows, value, user: rows.filter(team_id=int(value))),
        Filter("paragraph", _("Grant in force"), lambda user: LegalBasis.choices, _with_grant),
        Filter("offer", _("Current placement"), _offers, _in_offer),
    ],
)
