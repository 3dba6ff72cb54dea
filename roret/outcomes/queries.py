"""Read models over outcomes, for other apps (economy's expensive-cases list) and our pages.

Callers pass citizen ids they have already taken through the permission gate."""

import datetime
from collections.abc import Iterable

from django.db.models import DateField, Func, OuterRef, Subquery

from roret.outcomes.models import FollowUp, Measurement, MissingMeasurement


def latest_measurement(citizen_ids: Iterable[int], instrument: str = "WHO-5",
                       on: datetime.date | None = None) -> dict[int, tuple[datetime.date, int]]:
    """{citizen id: (measured on, score)} of each citizen's newest ``instrument`` measurement
    (on or before ``on``); citizens never measured are absent. One query."""
    ids = list(citizen_ids)
    if not ids:
        return {}
    newest = Measurement.objects.filter(citizen_id=OuterRef("citizen_id"), instrument=instrument)
    if on is not None:
        newest = newest.filter(measured_on__lte=on)
    newest = newest.order_by("-measured_on", "-pk").values("pk")[:1]
    rows = (Measurement.objects.filter(citizen_id__in=ids, instrument=instrument)
            .filter(pk=Subquery(newest)).values_list("citizen_id", "measured_on", "score"))
    return {citizen_id: (day, score) for citizen_id, day, score in rows}


def citizen_goals(citizen) -> list:
    """The citizen's goals (target date first) with FFB goal type and theme and the action-plan
    steps; three queries however many goals. The caller has taken the citizen through the gate."""
    from roret.outcomes.models import Goal

    return list(Goal.objects.filter(citizen=citizen).select_related("goal_type", "theme")
                .prefetch_related("steps", "supporters__relative"))


def citizen_follow_ups(citizen) -> list:
    """The citizen's follow-ups, due date first, each with its goal progress and the measurements
    taken for it; a fixed number of queries. The caller has taken the citizen through the gate."""
    from roret.outcomes.models import FollowUp

    return list(FollowUp.objects.filter(citizen=citizen).select_related("support_need")
                .prefetch_related("progress__goal", "measurements", "participants__relative").order_by("due_on", "pk"))


def measurement_series(citizen_id: int, instrument: str = "WHO-5") -> list[Measurement]:
    return list(Measurement.objects.filter(citizen_id=citizen_id, instrument=instrument)
                .order_by("measured_on", "pk"))


def follow_ups_due(user, today: datetime.date, horizon_days: int = 30, limit: int | None = None):
    """Open follow-ups in ``user``'s scope due within ``horizon_days`` or overdue, oldest first
    (the first ``limit`` of them if given), each with its overdue flag and the citizen's current
    placements."""
    from django.db.models import Prefetch

    from roret.outcomes.models import FollowUp
    from roret.placements.models import Placement

    # The ids are sorted and cut in a subquery over the open follow-ups' index alone, then the
    # rows shown are read with citizen, grant and team (joined before the sort, every due row of
    # the caseload was read whole to keep 200).
    ids = _open_follow_ups(user, today, horizon_days).order_by("due_on", "pk").values("pk")[:limit]
    current = Placement.objects.active_on(today).select_related("offer__provider")
    rows = list(FollowUp.objects.filter(pk__in=ids)
                .select_related("citizen", "grant", "grant__team")
                .prefetch_related(Prefetch("grant__placements", queryset=current, to_attr="current"))
                .order_by("due_on", "pk"))
    for row in rows:
        row.overdue = row.due_on < today
        row.days = (row.due_on - today).days
    return rows


def open_follow_ups(user, today: datetime.date, horizon_days: int = 30):
    """The follow-ups ``follow_ups_due`` lists, as a queryset to filter, sort and page (roret.outcomes.lists)."""
    return _open_follow_ups(user, today, horizon_days)


def shown_follow_ups(rows, today: datetime.date) -> list:
    """The follow-ups of one page (a sorted, cut queryset) read with what the list shows, in its order.

    The page's ids are read first over the index alone, then the rows with citizen, grant, team
    and current placements (joined before the sort, every row of the caseload would be read whole)."""
    from django.db.models import Prefetch

    from roret.outcomes.models import FollowUp
    from roret.placements.models import Placement

    ids = list(rows.values_list("pk", flat=True))
    current = Placement.objects.active_on(today).select_related("offer__provider")
    found = (FollowUp.objects.filter(pk__in=ids).select_related("citizen", "grant", "grant__team")
             .prefetch_related(Prefetch("grant__placements", queryset=current, to_attr="current")).in_bulk()
             if ids else {})
    shown = [found[pk] for pk in ids if pk in found]
    for row in shown:
        row.overdue = row.due_on < today
        row.days = (row.due_on - today).days
    return shown


def follow_up_counts(user, today: datetime.date, horizon_days: int = 30) -> dict:
    """How many of the follow-ups ``follow_ups_due`` lists are overdue, and how many fall due
    within ``horizon_days``: one counting query, for the overview page."""
    from django.db.models import Count, Q

    return _open_follow_ups(user, today, horizon_days).aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)), upcoming=Count("pk", filter=Q(due_on__gte=today)))


def _open_follow_ups(user, today: datetime.date, horizon_days: int):
    """Follow-ups not yet held, due by ``today`` + ``horizon_days``, of citizens in ``user``'s scope.

    The scope through the follow-up's citizen (a join on the team for a caseworker), so SQLite can
    read the open follow-ups in due order (follow_up_open_due) rather than probe every citizen of
    the team and sort what it found (issue 14)."""
    from roret.core.permissions import citizen_scope
    from roret.outcomes.models import FollowUp

    return FollowUp.objects.filter(citizen_scope(user, "view", via="citizen"), held_on__isnull=True,
                                   due_on__lte=today + datetime.timedelta(days=horizon_days))


# --- quality-of-life compliance ---------------------------------------------------------------

class ShiftDays(Func):
    """A date column moved by a whole number of days, as a date, in SQL (SQLite's ``date(x, '+N
    days')``; PostgreSQL's date arithmetic), so a window around each row's own day is one query."""

    output_field = DateField()

    def __init__(self, expression, days: int):
        super().__init__(expression)
        self.days = int(days)

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, %s)", [*params, f"{self.days:+d} days"]

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) + %s * INTERVAL '1 day')::date", [*params, self.days]


MOVE_IN_WINDOW = (datetime.timedelta(days=30), datetime.timedelta(days=60))  # before, after move-in
BEFORE_FOLLOW_UP = datetime.timedelta(days=90)
EXPENSIVE_EVERY = datetime.timedelta(days=365)


def expensive_threshold():
    from roret.economy.kpi import expensive_threshold as threshold

    return threshold()


def expensive_in_coming_year(citizen_ids, today: datetime.date) -> dict:
    """{citizen id: kroner} of the own citizens among ``citizen_ids`` (None: all) whose cost over the coming 365
    days exceeds the exceptionally-expensive threshold, from the economy's one cost engine (the
    agreed and standard tariffs of their placements, as planned).

    A citizen's cost is the same whoever asks, so it is asked for the whole department: that answer
    is stored with the economy's figures until a month of the year is re-costed (warmed by the
    nightly refresh), where a question narrowed to a user's citizens would be computed every time."""
    from roret.core import periods
    from roret.economy import kpi

    period = periods.Period(today, today + datetime.timedelta(days=365))
    everyone = kpi.expensive_citizens(period)
    wanted = everyone.keys() if citizen_ids is None else set(citizen_ids)
    return {cid: kpi.kroner(ore) for cid, ore in everyone.items() if cid in wanted}


def measurement_compliance(user, today: datetime.date, instrument: str = "WHO-5") -> list[dict]:
    """Who in ``user``'s scope lacks a quality-of-life measurement (every row; see
    :func:`missing_measurements`)."""
    return missing_measurements(user, today, instrument)[0]


def missing_measurements(user, today: datetime.date, instrument: str = "WHO-5",
                         limit: int | None = None) -> tuple[list[dict], int]:
    """Who in ``user``'s scope lacks a quality-of-life measurement: at move-in to a residential
    offer (within the last year), before a follow-up due within 30 days or overdue, and
    exceptionally expensive cases (yearly cost above the threshold) not measured for a year.

    The first ``limit`` rows (all if None), earliest day first, and how many rows there are. The
    rules are checked over plain (id, day) tuples; citizens and offers are read for the rows
    shown only, since a centre's list runs into thousands (docs/benchmarks.md, issue 9)."""
    rows, latest = _missing(user, today, instrument)
    rows.sort(key=lambda r: r[:2])
    return shown_missing(rows[:limit], latest), len(rows)


def _missing(user, today: datetime.date, instrument: str) -> tuple[list[tuple], dict]:
    """The rules of :func:`missing_measurements` (``user`` None: for everyone): ([(day, last name, citizen id, reason, context:
    offer id or kroner)], {citizen id: latest measurement day}).

    Each rule is one query that returns the rows breaking it (NOT EXISTS a measurement in its
    window, on the index by citizen, instrument and day), so a centre of 20,000 placements costs
    what its missing measurements cost, not what its placements do."""
    from django.db.models import Exists, OuterRef, Q, Value

    from roret.citizens.models import Citizen
    from roret.placements.models import Placement

    current = (Placement.objects.filter(start__lte=today).filter(Q(end__isnull=True) | Q(end__gt=today)).order_by())
    open_ = FollowUp.objects.filter(held_on__isnull=True, due_on__lte=today + datetime.timedelta(days=30))
    if user is not None:  # None: the whole department (the stored list's check)
        current = current.filter(citizen__in=Citizen.objects.restrict(user, "view").values("pk"))
        open_ = _open_follow_ups(user, today, 30)

    def measured(since, until):
        return Exists(Measurement.objects.filter(citizen_id=OuterRef("citizen_id"), instrument=instrument,
                                                 measured_on__gte=since, measured_on__lte=until))

    start, due_on = OuterRef("start"), OuterRef("due_on")

    rows = []  # (day, last name, citizen id, reason, context: offer id or kroner)
    # Moved into a residential offer within the year, not measured from 30 days before to 60 after.
    rows += [(start, name, cid, "move_in", offer_id) for start, name, cid, offer_id in current.filter(
        is_residential=True, start__gte=today - datetime.timedelta(days=365)).exclude(
        measured(ShiftDays(start, -MOVE_IN_WINDOW[0].days), ShiftDays(start, MOVE_IN_WINDOW[1].days)))
        .values_list("start", "citizen__last_name", "citizen_id", "offer_id")]
    # A follow-up due within 30 days (or overdue), not measured in the 90 days before it.
    rows += [(due_on, name, cid, "follow_up", None) for due_on, name, cid in open_
             .order_by().exclude(measured(ShiftDays(due_on, -BEFORE_FOLLOW_UP.days), Value(today)))
             .values_list("due_on", "citizen__last_name", "citizen_id")]
    # Exceptionally expensive in the coming year (a handful), not measured for a year.
    everyone = expensive_in_coming_year(None, today)
    costs = {cid: everyone[cid] for cid in current.filter(citizen_id__in=list(everyone))
             .values_list("citizen_id", flat=True).distinct()}
    rows += [(today, name, cid, "expensive", costs[cid]) for cid, name in
             Citizen.objects.filter(pk__in=list(costs)).exclude(Exists(Measurement.objects.filter(
                 citizen_id=OuterRef("pk"), instrument=instrument, measured_on__gte=today - EXPENSIVE_EVERY,
                 measured_on__lte=today))).values_list("pk", "last_name")]
    # The latest measurement ever, shown beside each row.
    return rows, latest_days({r[2] for r in rows}, instrument)


def latest_days(citizen_ids: Iterable[int], instrument: str = "WHO-5") -> dict[int, datetime.date]:
    """{citizen id: day of the newest ``instrument`` measurement ever}: the compliance list's
    "latest measurement" (its rules and its stored rows). One grouped query per 5,000 citizens,
    since a department's list runs into tens of thousands (a parameter list has its limits)."""
    from django.db.models import Max

    ids, days = sorted(set(citizen_ids)), {}
    for chunk in range(0, len(ids), 5000):
        days.update(Measurement.objects.filter(citizen_id__in=ids[chunk:chunk + 5000], instrument=instrument)
                    .order_by().values("citizen_id").annotate(day=Max("measured_on")).values_list("citizen_id", "day"))
    return days


def missing_rows(user, today: datetime.date, instrument: str = "WHO-5"):
    """Every row of :func:`missing_measurements` that ``user`` may see, for the list page to
    filter, sort and page before :func:`shown_missing` reads the citizens of the page shown: the
    stored rows (a queryset; roret.outcomes.compliance), or for a day the store does not answer,
    the rules' rows as plain values (day, last name, citizen id, reason, context, latest)."""
    from roret.core.permissions import citizen_scope
    from roret.outcomes import compliance

    if instrument == compliance.INSTRUMENT and compliance.current(today, instrument):
        # The gate's filter on the row's citizen (for a centre, the citizens placed in its offers
        # as a subquery of placements), not an IN over the citizen table: half the work per row.
        return compliance.shown_on(today, instrument).filter(citizen_scope(user, "view", via="citizen"))
    rows, latest = _missing(user, today, instrument)
    return [{"pk": i, "day": day, "last_name": name, "citizen_id": cid, "reason": reason, "context": context,
             "latest": latest.get(cid)} for i, (day, name, cid, reason, context) in enumerate(rows)]


def shown_missing(rows, latest=None) -> list[dict]:
    """The rows shown (tuples from the rules, dicts or stored rows from :func:`missing_rows`) with
    their citizens and offers."""
    from roret.citizens.models import Citizen
    from roret.offers.models import Offer

    rows = list(rows)
    if rows and isinstance(rows[0], MissingMeasurement):  # stored rows: their citizens and offers read apart
        citizens = Citizen.objects.in_bulk({r.citizen_id for r in rows})
        offers = Offer.objects.in_bulk({r.offer_id for r in rows if r.offer_id})
        return [{"citizen": citizens[r.citizen_id], "reason": r.reason, "day": r.day, "latest": r.latest,
                 "context": str(offers[r.offer_id]) if r.reason == "move_in" else (
                     r.kroner if r.reason == "expensive" else "")} for r in rows]
    if latest is None:  # the dicts of missing_rows carry their latest measurement
        latest = {r["citizen_id"]: r["latest"] for r in rows}
        rows = [(r["day"], r["last_name"], r["citizen_id"], r["reason"], r["context"]) for r in rows]
    citizens = Citizen.objects.in_bulk({r[2] for r in rows})
    offers = Offer.objects.in_bulk({r[4] for r in rows if r[3] == "move_in"})
    return [{"citizen": citizens[cid], "reason": reason, "day": day, "latest": latest.get(cid),
             "context": str(offers[context]) if reason == "move_in" else (context if reason == "expensive" else "")}
            for day, _name, cid, reason, context in rows]


def measured_in(start: datetime.date, end: datetime.date, centre_id: int | None = None) -> dict[str, dict]:
    """The quality-of-life figures of the KPI layer for the period [start, end): per instrument,
    the measurements taken, the citizens measured and the mean score, over every measurement and
    over the self-reported (``*_self``: the citizen answered themself) and the staff-reported
    (``*_staff``) ones apart. With ``centre_id``, the measurements of citizens placed in one of
    the centre's offers at some time in the period (a centre leader's scope).

    One aggregate query (GROUP BY instrument), whatever the number of measurements:
    {instrument: {"measurements", "citizens", "mean", "measurements_self", "citizens_self",
    "mean_self", "measurements_staff", "citizens_staff", "mean_staff"}}; instruments without a
    measurement in the period are absent. Aggregate figures only: the caller suppresses small cells.
    """
    from django.db.models import Avg, Count, Q

    from roret.core import periods
    from roret.placements.models import Placement

    rows = Measurement.objects.filter(measured_on__gte=start, measured_on__lt=end)
    if centre_id is not None:
        placed = (Placement.objects.filter(offer__provider__centre_id=centre_id)
                  .filter(periods.overlapping(start, end)).values("citizen_id"))
        rows = rows.filter(citizen_id__in=placed)
    apart = {}
    for who, mine in (("self", Q(self_reported=True)), ("staff", Q(self_reported=False))):
        apart |= {f"measurements_{who}": Count("pk", filter=mine),
                  f"citizens_{who}": Count("citizen_id", distinct=True, filter=mine),
                  f"mean_{who}": Avg("score", filter=mine)}
    found = (rows.values("instrument").order_by("instrument")
             .annotate(measurements=Count("pk"), citizens=Count("citizen_id", distinct=True), mean=Avg("score"),
                       **apart))
    return {r.pop("instrument"): r for r in found}
