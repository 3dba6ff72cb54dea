"""The caseworker's lists as list specs (roret.core.lists): open cases with their deadlines, and
the citizens aged 65 or more on the transitions page. Filtering, sorting and paging run in the
database; the rows shown are read whole for the page only."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from roret.core.lists import Column, Filter, ListSpec
from roret.core.models import Role, User
from roret.meetings.models import Proposal, ProposalStatus
from roret.offers.models import LegalBasis
from roret.placements.lists import citizens_in_offer, offer_choices, team_choices
from roret.visitation import deadlines
from roret.visitation.models import Screening


def near_until(today: datetime.date) -> datetime.date:
    """The last day whose deadline is "near" (``NEAR_WORKING_DAYS`` working days or fewer away)."""
    day = today
    while deadlines.working_days_between(today, day + datetime.timedelta(days=1)) <= deadlines.NEAR_WORKING_DAYS:
        day += datetime.timedelta(days=1)
    return day


def deadline_q(state: str, today: datetime.date) -> Q:
    """The open cases whose deadline is ``state``: "past", "near" or "ok" (as ``deadlines.status``)."""
    until = near_until(today)
    return {"past": Q(deadline__lt=today), "near": Q(deadline__gte=today, deadline__lte=until),
            "ok": Q(deadline__gt=until)}[state]


DEADLINE_CHOICES = [("past", _("Past the deadline")), ("near", _("Near the deadline")), ("ok", _("In good time"))]


def _caseworkers(user):
    mine = [("mine", _("Only mine")), ("unassigned", _("Not assigned"))]
    if not user.team_id:  # the department leader has no cases of their own
        return mine[1:]
    members = (User.objects.filter(team_id=user.team_id, role=Role.CASEWORKER, is_active=True)
               .exclude(pk=user.pk).order_by("first_name", "last_name", "username"))
    return mine + [(m.pk, m.get_full_name() or m.username) for m in members]


def _teams(user):
    """Every team for a user who reads all cases (the department leader); a caseworker's list is their team's."""
    return [] if user.team_id else team_choices(user)


def _by_caseworker(rows, value, user):
    if value == "mine":
        return rows.filter(caseworker_id=user.pk)
    if value == "unassigned":
        return rows.filter(caseworker__isnull=True)
    return rows.filter(caseworker_id=int(value))


def _at_meeting(rows, value, user):
    """The cases whose proposed decision waits for the visitation meeting, or was sent back from it
    (and not proposed again)."""
    mine = Proposal.objects.filter(assessment__inquiry=OuterRef("pk"))
    if value == "waiting":
        return rows.filter(Exists(mine.filter(status=ProposalStatus.PROPOSED)))
    newer = Proposal.objects.filter(assessment__inquiry=OuterRef("assessment__inquiry"),
                                    proposed_at__gt=OuterRef("proposed_at"))
    return rows.filter(Exists(mine.filter(status=ProposalStatus.SENT_BACK).filter(~Exists(newer))))


def _has_screening(rows, value, user):
    screened = Exists(Screening.objects.filter(inquiry=OuterRef("pk")))
    return rows.filter(screened) if value == "assessment" else rows.filter(~screened)


CASES = ListSpec(
    name="cases",
    default_sort="deadline",
    columns=[
        Column("citizen", _("Citizen"), ("citizen__last_name", "citizen__first_name")),
        Column("received", _("Received"), ("received_on",)),
        Column("source", _("Who asked"), ("source",)),
        Column("paragraph", _("Service type"), ("paragraph",)),
        Column("step", _("Next step"), ("screening__id",)),
        Column("caseworker", _("Caseworker"), ("caseworker__first_name", "caseworker__last_name",
                                                 "caseworker__username")),
        Column("deadline", _("Deadline"), ("deadline",)),
        Column("left", _("Working days left"), ("deadline",), css="roret-num"),
    ],
    filters=[
        Filter("team", _("Team"), _teams, lambda rows, value, user: rows.filter(team_id=int(value))),
        Filter("who", _("Caseworker"), _caseworkers, _by_caseworker),
        Filter("paragraph", _("Service type"), lambda user: LegalBasis.choices,
               lambda rows, value, user: rows.filter(paragraph=value)),
        Filter("deadline", _("Deadline"), lambda user: DEADLINE_CHOICES,
               lambda rows, value, user: rows.filter(deadline_q(value, datetime.date.today()))),
        Filter("meeting", _("Visitation meeting"),
               lambda user: [("waiting", _("Waiting for the meeting")), ("sent_back", _("Sent back by the meeting"))],
               _at_meeting),
        Filter("step", _("Next step"),
               lambda user: [("screening", _("Screening (step 1)")),
                             ("assessment", _("Assessment and decision (step 2)"))], _has_screening),
    ],
)


def deadline_summary(rows, user, today: datetime.date) -> dict:
    """Counts of near and past deadlines for the user and for their team: one counting query."""
    until = near_until(today)
    mine = Q(caseworker_id=user.pk)
    past, near = Q(deadline__lt=today), Q(deadline__gte=today, deadline__lte=until)
    return rows.order_by().aggregate(
        team=Count("pk"), team_past=Count("pk", filter=past), team_near=Count("pk", filter=near),
        mine=Count("pk", filter=mine), mine_past=Count("pk", filter=mine & past),
        mine_near=Count("pk", filter=mine & near))


def known_total(chosen: dict, summary: dict) -> int | None:
    """The number of cases listed, from the deadline summary when only "mine" and the deadline
    are chosen (one counting query fewer); None when another filter needs a count."""
    if set(chosen) - {"who", "deadline"} or chosen.get("who", "mine") != "mine":
        return None
    whose = "mine" if "who" in chosen else "team"
    state = chosen.get("deadline")
    if state is None:
        return summary[whose]
    if state == "ok":
        return summary[whose] - summary[f"{whose}_past"] - summary[f"{whose}_near"]
    return summary[f"{whose}_{state}"]


ELDERLY = ListSpec(
    name="transitions",
    default_sort="-age",
    columns=[
        Column("citizen", _("Citizen"), ("last_name", "first_name")),
        # Older first when descending: the age sorts on the birth date, the other way round.
        Column("age", _("Age"), ("-birth_date",), css="roret-num"),
        Column("placements", _("Current placements")),
        Column("action", ""),
    ],
    filters=[
        Filter("offer", _("Offer"), offer_choices, citizens_in_offer),
    ],
)
