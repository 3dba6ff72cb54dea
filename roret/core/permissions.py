"""The one access layer: which roles exist for what, which citizens a user may act on by action,
which offers' reference data a user may change, and which aggregates a role sees.

Everything that reads or writes citizen data asks here, whether it is a page, an API endpoint, a
management command or a background task, and services ask themselves, so none of them can be
called around the rule.

Citizen actions (ARCHITECTURE.md's role table):

- ``view``: read the record.
- ``record``: add to the citizen's working record: goals, action-plan steps, measurements.
- ``change``: change the case: identity, address, relatives, consents, inquiries, assessments,
  decisions, grants, placements, follow-ups, transitions.
- ``export``: take the record out of roret: decision letters, FHIR, the printed access log.

A caseworker may do all four to their team's caseload; centre staff and centre leaders may view
and record for the citizens placed (now or about to move in) in their centre's offers, and may not
change or export them. The department leader views every citizen (read-only: no record, change or
export) to prepare and hold the visitation meeting. A citizen signed in to their own page
(roret.helm) views and records for exactly themselves. Aggregate-only roles and administrators have no citizen scope at all.

A record outside the scope answers :class:`NotInScope`, a 404, so its existence is not revealed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q
from django.http import Http404

from roret.core import periods
from roret.core.models import Role
from roret.core.parsing import id_or_none

VIEW, RECORD, CHANGE, EXPORT = "view", "record", "change", "export"
#: What the citizen adds to their own record (roret.helm): self-reported measurements, their own
#: rating of a goal, their response to the action plan. Apart from RECORD, which is staff's
#: recording (goals, action-plan steps, follow-ups ...), so no staff service takes a citizen.
SELF_REPORT = "self_report"
ACTIONS = (VIEW, RECORD, CHANGE, EXPORT, SELF_REPORT)

NOTHING = Q(pk__in=[])
EVERYTHING = Q()

# --- the role sets (the only place they are written) -------------------------------------------

CASEWORKERS = frozenset({Role.CASEWORKER})
CENTRE_ROLES = frozenset({Role.CENTRE_STAFF, Role.CENTRE_LEADER})
#: Roles that see citizen records (within their scope).
CASE_ROLES = CASEWORKERS | CENTRE_ROLES
#: Roles that lead the department: approve at the visitation meeting, see every case read-only.
LEADERS = frozenset({Role.LEADER})
#: Roles that read a citizen's record pages (the citizen, the assessment, the timeline) in their scope.
CASE_READERS = CASE_ROLES | LEADERS
#: Roles that read the case file: the open cases, inquiries and decisions (the leader read-only).
CASE_FILE_READERS = CASEWORKERS | LEADERS
#: Roles that see the offer catalogue with places, occupancy, vacancy and waiting lists.
CATALOGUE_ROLES = CASE_ROLES | LEADERS | {Role.ECONOMIST, Role.COMMITTEE}
#: Roles that see the economy and capacity figures (a centre leader only their centre's).
AGGREGATE_ROLES = frozenset({Role.ECONOMIST, Role.CENTRE_LEADER, Role.COMMITTEE, Role.LEADER})
#: Roles that plan: budgets, capacity runs and scenarios, pseudonymised expensive cases.
PLANNERS = frozenset({Role.ECONOMIST})
#: Roles that read the development plans, their realised effects, lights and status reports.
PLAN_READERS = AGGREGATE_ROLES
#: Statistics Denmark's reporting carries every reported citizen's CPR number: the economist's
# (secretariat) alone, not the administrator's, who sees configuration and no citizen data.
DST_EXPORTERS = frozenset({Role.ECONOMIST})
#: Roles that load development plans and revise their estimates.
PLAN_EDITORS = PLANNERS
#: Roles that make and read the half-yearly status report (the department's figures; the committee's suppressed).
STATUS_REPORT_ROLES = frozenset({Role.ECONOMIST, Role.COMMITTEE, Role.LEADER})
#: Roles that change the offer catalogue: providers, offers and tariffs (dated rows).
CATALOGUE_EDITORS = frozenset({Role.ECONOMIST, Role.ADMIN})
#: Roles that change the number of places: the catalogue editors everywhere, centre leaders in their centre.
PLACE_EDITORS = CATALOGUE_EDITORS | {Role.CENTRE_LEADER}
#: Roles that administer users, the audit log and configuration.
ADMINS = frozenset({Role.ADMIN})
#: Roles that approve, change or send back proposed decisions at the visitation meeting.
MEETING_APPROVERS = LEADERS
#: Roles that read visitation meetings (a caseworker: the proposals of citizens in their scope).
MEETING_READERS = CASEWORKERS | MEETING_APPROVERS
#: Roles that set which decisions go to the visitation meeting (the meeting rule).
MEETING_RULE_EDITORS = LEADERS | ADMINS
#: Roles that see suppressed aggregates only (cells of 1-4 citizens hidden).
SUPPRESSED_ROLES = frozenset({Role.COMMITTEE})
#: The citizen on their own page (roret.helm): no staff page, no API, only their own record.
CITIZENS = frozenset({Role.CITIZEN})

# --- citizen scope, by role and action ---------------------------------------------------------

TEAM, CENTRE, ALL, SELF = "team", "centre", "all", "self"

#: role -> action -> the relation that gives the scope (a missing action: nothing). Staff who record
#: may also write down the citizen's own words for them (SELF_REPORT, audited as by that staff member).
CITIZEN_SCOPES = {
    Role.CASEWORKER: {VIEW: TEAM, RECORD: TEAM, CHANGE: TEAM, EXPORT: TEAM, SELF_REPORT: TEAM},
    Role.CENTRE_STAFF: {VIEW: CENTRE, RECORD: CENTRE, SELF_REPORT: CENTRE},
    Role.CENTRE_LEADER: {VIEW: CENTRE, RECORD: CENTRE, SELF_REPORT: CENTRE},
    # The department leader reads every case (audited like every read) and writes none.
    Role.LEADER: {VIEW: ALL},
    # The citizen reads their own record and reports on it (self-reported measurements, their own
    # rating of a goal, a response to the action plan); never records as staff do, never changes
    # the case or exports it.
    Role.CITIZEN: {VIEW: SELF, SELF_REPORT: SELF},
}

#: Roles that may take a list of citizens out of roret (an Excel download): those with an export scope.
LIST_EXPORTERS = frozenset(role for role, scopes in CITIZEN_SCOPES.items() if EXPORT in scopes)


class NotInScope(Http404):
    """The user may not do this to this record (or it does not exist): pages and the API answer 404."""


def is_active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def has_role(user, roles) -> bool:
    return is_active(user) and user.role in roles


def require_role(user, roles, what: str = "") -> None:
    """Refuse (NotInScope) a user whose role may not do ``what`` at all."""
    if not has_role(user, roles):
        raise NotInScope(what or "not for this role")


def _placed_in_centre(centre_id: int, today: datetime.date):
    placement = apps.get_model("placements", "Placement")
    # Placed now or about to move in to one of the centre's offers. An IN subquery, not a join,
    # so a citizen with two placements in the centre is listed once; and not a correlated EXISTS,
    # which probes every citizen's placements (55 ms on 20,000 citizens against 5 ms for reading
    # the centre's few hundred placements through the offer index).
    return (placement.objects.filter(offer__provider__centre_id=centre_id)
            .filter(periods.overlapping(today, None)).values("citizen_id"))


def citizen_scope(user, action: str, *, via: str = "", today: datetime.date | None = None) -> Q:
    """The filter for the citizens ``user`` may ``action``; ``via`` is the path from another model
    to its citizen (``"citizen"`` for an inquiry, ``"goal__citizen"`` for an action-plan step),
    empty on Citizen itself."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not is_active(user):
        return NOTHING
    relation = CITIZEN_SCOPES.get(user.role, {}).get(action)
    if relation == TEAM and user.team_id:
        return Q(**{f"{via}__team_id" if via else "team_id": user.team_id})
    if relation == ALL:
        return EVERYTHING
    if relation == CENTRE and user.centre_id:
        placed = _placed_in_centre(user.centre_id, today or datetime.date.today())
        return Q(**{f"{via}_id__in" if via else "pk__in": placed})
    if relation == SELF and (own := own_citizen_id(user)) is not None:
        return Q(**{f"{via}_id" if via else "pk": own})
    return NOTHING


def own_citizen_id(user) -> int | None:
    """The citizen a citizen user is (their account's link, roret.helm), or None for anyone else.
    Read once per user object: the link never changes."""
    if getattr(user, "role", None) != Role.CITIZEN:
        return None
    if not hasattr(user, "_own_citizen_id"):
        account = apps.get_model("helm", "CitizenAccount")
        user._own_citizen_id = account.objects.filter(user_id=user.pk).values_list("citizen_id", flat=True).first()
    return user._own_citizen_id


def fetch(user, action: str, source, pk, *, via: str | None = None, lock: bool = False):
    """The object ``pk`` of ``source`` (a model or a queryset) if its citizen is in ``user``'s
    scope for ``action``; else :class:`NotInScope`. ``lock`` takes the row lock for a write.

    ``via`` is the path to the citizen: empty for a Citizen, ``"citizen"`` by default."""
    queryset = source._default_manager.all() if isinstance(source, type) else source
    if via is None:
        via = "" if queryset.model is apps.get_model("citizens", "Citizen") else "citizen"
    return _one(queryset.filter(citizen_scope(user, action, via=via)), pk, lock=lock)


def _one(queryset, pk, *, lock: bool):
    """The row ``pk`` of an already scoped ``queryset``, or NotInScope (also for an id that is not
    a whole number or does not fit a database key: never a server error)."""
    pk = id_or_none(pk)
    if pk is None:
        raise NotInScope("no such record")
    queryset = queryset.filter(pk=pk)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    found = queryset.first()
    if found is None:
        raise NotInScope("no such record, or not in your scope")
    return found


# --- reference data ----------------------------------------------------------------------------

OFFER_VIEW, OFFER_CHANGE, OFFER_PLACES = "view", "change", "places"


def offer_scope(user, action: str) -> Q:
    """The offers ``user`` may ``action``: view the catalogue, change an offer and its tariffs,
    or change its number of places (a centre leader: the own centre's offers)."""
    if not is_active(user):
        return NOTHING
    if action == OFFER_VIEW:
        return EVERYTHING if user.role in CATALOGUE_ROLES | CATALOGUE_EDITORS else NOTHING
    if action == OFFER_CHANGE:
        return EVERYTHING if user.role in CATALOGUE_EDITORS else NOTHING
    if action == OFFER_PLACES:
        if user.role in CATALOGUE_EDITORS:
            return EVERYTHING
        if user.role == Role.CENTRE_LEADER and user.centre_id:
            return Q(provider__centre_id=user.centre_id)
        return NOTHING
    raise ValueError(f"unknown offer action {action!r}")


def fetch_offer(user, action: str, pk, *, lock: bool = False):
    """The offer ``pk`` if ``user`` may ``action`` it; else :class:`NotInScope`."""
    offers = apps.get_model("offers", "Offer").objects.select_related("provider")
    return _one(offers.filter(offer_scope(user, action)), pk, lock=lock)


# --- aggregates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Aggregates:
    """What a role sees of the figures: the whole department or one centre, suppressed or not."""

    centre_id: int | None  # None: the whole department
    suppress: bool         # cells of 1-4 citizens hidden (the committee)

    def where(self, field: str = "centre_id") -> Q | None:
        """The filter on ``field`` (a centre id) for these figures, or None for all."""
        return None if self.centre_id is None else Q(**{field: self.centre_id})

    def covers(self, centre_ids) -> bool:
        """Whether figures about ``centre_ids`` are within this scope."""
        return self.centre_id is None or self.centre_id in set(centre_ids)


def aggregate_scope(user) -> Aggregates:
    """The aggregates ``user`` sees: a centre leader their own centre's, the economist, the
    department leader and the committee the whole department's (the committee suppressed); others
    none (NotInScope)."""
    require_role(user, AGGREGATE_ROLES, "no aggregates for this role")
    if user.role == Role.CENTRE_LEADER:
        if not user.centre_id:
            raise NotInScope("a centre leader without a centre")
        return Aggregates(centre_id=user.centre_id, suppress=False)
    return Aggregates(centre_id=None, suppress=user.role in SUPPRESSED_ROLES)


def suppresses(user) -> bool:
    """Whether ``user`` sees figures with cells of 1-4 citizens hidden (the political committee)."""
    return getattr(user, "role", None) in SUPPRESSED_ROLES
