"""The citizens in the user's scope as a browsable list (roret.core.lists): filtered by team,
paragraph and offer, sorted by each column and paged in the database."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from roret.core.lists import Column, Filter, ListSpec
from roret.offers.models import LegalBasis
from roret.placements.lists import citizens_in_offer, offer_choices, team_choices
from roret.placements.models import Grant


def _with_grant(rows, value, user):
    today = datetime.date.today()
    return rows.filter(Exists(Grant.objects.active_on(today).filter(citizen=OuterRef("pk"), paragraph=value)))


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
        Filter("team", _("Responsible team"), team_choices, lambda rows, value, user: rows.filter(team_id=int(value))),
        Filter("paragraph", _("Grant in force"), lambda user: LegalBasis.choices, _with_grant),
        Filter("offer", _("Current placement"), offer_choices, citizens_in_offer),
    ],
)
