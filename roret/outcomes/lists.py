"""The follow-ups due and the quality-of-life compliance list as list specs (roret.core.lists).

Both are filtered, sorted and paged in the database: the compliance list over its stored rows
(roret.outcomes.compliance); citizens and offers are read for the page shown only."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from roret.core.lists import Column, Filter, ListSpec
from roret.offers.models import LegalBasis
from roret.placements.lists import offer_choices, placed_in, team_choices


def _in_offer(rows, value, user):
    # The follow-up's grant has a current placement in the offer (the list's "current placement").
    return rows.filter(grant_id__in=placed_in(value, "grant_id"))


def _status(rows, value, user):
    today = datetime.date.today()
    return rows.filter(due_on__lt=today) if value == "overdue" else rows.filter(due_on__gte=today)


DUE = ListSpec(
    name="follow_ups_due",
    default_sort="due",
    columns=[
        Column("citizen", _("Citizen"), ("citizen__last_name", "citizen__first_name")),
        Column("grant", _("Grant"), ("grant__paragraph",)),
        Column("placement", _("Current placement")),
        Column("team", _("Team"), ("grant__team__name",)),
        Column("due", _("Due"), ("due_on",)),
        Column("action", ""),
    ],
    filters=[
        Filter("status", _("Status"), lambda user: [("overdue", _("Overdue")), ("upcoming", _("Due within 30 days"))],
               _status),
        Filter("paragraph", _("Legal basis"), lambda user: LegalBasis.choices,
               lambda rows, value, user: rows.filter(grant__paragraph=value)),
        Filter("team", _("Team"), team_choices, lambda rows, value, user: rows.filter(grant__team_id=int(value))),
        Filter("offer", _("Offer"), offer_choices, _in_offer),
    ],
)

def known_total(chosen: dict, counts: dict) -> int | None:
    """The number of follow-ups listed, from the page's overdue/upcoming counts when only the
    status filter is chosen (one counting query fewer); None when another filter needs a count."""
    if set(chosen) - {"status"}:
        return None
    return counts[chosen["status"]] if "status" in chosen else counts["overdue"] + counts["upcoming"]


REASONS = [("move_in", _("Move-in to a residential offer")), ("follow_up", _("Before the follow-up")),
           ("expensive", _("Exceptionally expensive case"))]

def _reason(rows, value, user):
    return rows.filter(reason=value) if isinstance(rows, QuerySet) else [r for r in rows if r["reason"] == value]


# The stored rows (roret.outcomes.compliance) are sorted and paged in the database; the rules'
# own rows (a day before the store's build) in memory, on the same columns.
COMPLIANCE = ListSpec(
    name="compliance",
    default_sort="day",
    columns=[
        Column("citizen", _("Citizen"), order=("citizen__last_name",), key_fn=lambda r: r["last_name"]),
        Column("reason", _("Why a measurement is due"), order=("reason",), key_fn=lambda r: r["reason"]),
        Column("day", _("Date"), order=("day",), key_fn=lambda r: r["day"]),
        Column("context", _("Context")),
        Column("latest", _("Latest measurement"), order=("latest",), key_fn=lambda r: r["latest"]),
    ],
    filters=[Filter("reason", _("Why a measurement is due"), lambda user: REASONS, _reason)],
)
