"""The quality-of-life compliance list, stored, so it is filtered, sorted and paged in the database.

The rules (:func:`roret.outcomes.queries.missing_measurements`) are checked over the whole
scope on every ask, which at 100,000 citizens is a third of a second for a centre (NOT EXISTS
over every current placement and open follow-up; docs/benchmarks.md). Two of the three rules do
not depend on the day asked, only on which days a row is shown, so their rows are stored once
with those days (:class:`~roret.outcomes.models.MissingMeasurement`):

- a residential move-in without a measurement from 30 days before to 60 after is shown from the
  move-in to a year after it, or to the day before the placement ended if that is sooner;
- an open follow-up is shown from 30 days before it is due until the day before the first
  measurement on or after 90 days before it (for ever while there is none).

The third, exceptionally expensive citizens not measured for a year, depends on the day through
the coming year's cost: a few hundred rows at most, worked out from the economy's stored figures
for the day asked, again when the economy re-costs (its version moves) or the threshold changes
(:func:`expensive_key`), and per citizen with the other rules when their record changes.

**Kept current.** The services that write a measurement, a follow-up or a placement (recording a
measurement, scheduling or holding a follow-up, starting, ending or correcting a placement) call
:func:`mark` for its citizen, as they call the economy's re-costing: the citizen is marked
(:class:`~roret.outcomes.models.ComplianceStale`) in the same transaction, and after the commit
the marked citizens' rows are worked out again from the rules; a list asked for before that (a
process that died in between) works off the marks first. No model signals (docs/architecture.md).
Bulk writes (the demo, a raw import) are followed by :func:`rebuild`, which the nightly refresh
also runs, and ``roret compliance_refresh --check`` compares the stored rows with the rules for
every citizen.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery

from roret.outcomes.models import ComplianceBuild, ComplianceStale, FollowUp, Measurement, MissingMeasurement
from roret.outcomes.queries import BEFORE_FOLLOW_UP, EXPENSIVE_EVERY, MOVE_IN_WINDOW, ShiftDays, latest_days

#: The instrument the compliance list asks for (the department's standard, issue 4).
INSTRUMENT = "WHO-5"
YEAR = datetime.timedelta(days=365)
DAY = datetime.timedelta(days=1)
SHOWN_BEFORE_DUE = datetime.timedelta(days=30)


# ---- the rules as stored rows ---------------------------------------------------------------------

def _rules(citizen_ids: Iterable[int] | None, since: datetime.date, instrument: str) -> list[MissingMeasurement]:
    """The move-in and follow-up rows of ``citizen_ids`` (None: everyone) that are shown on some
    day from ``since`` on, without their latest measurement."""
    from roret.placements.models import Placement

    ids = None if citizen_ids is None else sorted(set(citizen_ids))
    placements = (Placement.objects.filter(is_residential=True, start__gte=since - YEAR)
                  .filter(Q(end__isnull=True) | Q(end__gt=since)).order_by())
    follow_ups = FollowUp.objects.filter(held_on__isnull=True).order_by()
    if ids is not None:
        placements, follow_ups = placements.filter(citizen_id__in=ids), follow_ups.filter(citizen_id__in=ids)
    start = OuterRef("start")
    placements = placements.exclude(Exists(Measurement.objects.filter(
        citizen_id=OuterRef("citizen_id"), instrument=instrument,
        measured_on__gte=ShiftDays(start, -MOVE_IN_WINDOW[0].days),
        measured_on__lte=ShiftDays(start, MOVE_IN_WINDOW[1].days))))
    rows = []
    for pk, cid, start, end, offer_id in placements.values_list("pk", "citizen_id", "start", "end", "offer_id"):
        until = min(start + YEAR, end - DAY) if end else start + YEAR
        if until >= max(start, since):
            rows.append(MissingMeasurement(citizen_id=cid, instrument=instrument, reason="move_in", ref=pk,
                                           day=start, shown_from=start, shown_until=until, offer_id=offer_id))
    first = (Measurement.objects.filter(citizen_id=OuterRef("citizen_id"), instrument=instrument,
                                        measured_on__gte=ShiftDays(OuterRef("due_on"), -BEFORE_FOLLOW_UP.days))
             .order_by("measured_on").values("measured_on")[:1])
    for pk, cid, due_on, measured in (follow_ups.annotate(first=Subquery(first))
                                      .values_list("pk", "citizen_id", "due_on", "first")):
        shown_from = due_on - SHOWN_BEFORE_DUE
        until = measured - DAY if measured else None
        if until is None or until >= max(shown_from, since):
            rows.append(MissingMeasurement(citizen_id=cid, instrument=instrument, reason="follow_up", ref=pk,
                                           day=due_on, shown_from=shown_from, shown_until=until))
    return rows


def _expensive(today: datetime.date, instrument: str, citizen_ids=None) -> list[MissingMeasurement]:
    """Exceptionally expensive citizens in the coming year (among ``citizen_ids``; None: all) with
    a current placement, not measured in the year up to ``today``: rows shown on ``today`` only."""
    from roret.outcomes.queries import expensive_in_coming_year
    from roret.placements.models import Placement

    everyone = expensive_in_coming_year(None, today)
    if citizen_ids is not None:
        everyone = {cid: kroner for cid, kroner in everyone.items() if cid in citizen_ids}
    if not everyone:
        return []
    placed = set(Placement.objects.filter(citizen_id__in=list(everyone), start__lte=today)
                 .filter(Q(end__isnull=True) | Q(end__gt=today)).values_list("citizen_id", flat=True))
    measured = set(Measurement.objects.filter(citizen_id__in=placed, instrument=instrument,
                                              measured_on__gte=today - EXPENSIVE_EVERY, measured_on__lte=today)
                   .values_list("citizen_id", flat=True))
    return [MissingMeasurement(citizen_id=cid, instrument=instrument, reason="expensive", ref=0, day=today,
                               shown_from=today, shown_until=today, kroner=everyone[cid])
            for cid in sorted(placed - measured)]


def _with_latest(rows: list[MissingMeasurement], instrument: str) -> list[MissingMeasurement]:
    """``rows`` with each citizen's latest measurement ever (shown beside the row)."""
    latest = latest_days({r.citizen_id for r in rows}, instrument)
    for row in rows:
        row.latest = latest.get(row.citizen_id)
    return rows


# ---- keeping the store current --------------------------------------------------------------------

def mark(citizen_ids: Iterable[int]) -> None:
    """Mark ``citizen_ids`` for their rows to be worked out again after the caller's transaction
    commits (at once when there is none)."""
    ids = sorted({cid for cid in citizen_ids if cid})
    if ids:
        ComplianceStale.objects.bulk_create([ComplianceStale(citizen_id=cid) for cid in ids])
        transaction.on_commit(refresh_pending, robust=True)


#: Marked citizens worked off per transaction (a parameter list has its limits, and an import
#: through the services may mark tens of thousands).
BATCH = 5000


def refresh_pending(instrument: str = INSTRUMENT) -> int:
    """Work out again the rows of the marked citizens, a batch at a time; returns how many
    citizens. Only the marks read here are removed: a change committed meanwhile leaves a mark of
    its own."""
    build = ComplianceBuild.objects.filter(instrument=instrument).first()
    done = 0
    while marks := list(ComplianceStale.objects.order_by("pk").values_list("pk", "citizen_id")[:BATCH]):
        ids = {cid for _pk, cid in marks}
        with transaction.atomic():
            if build is not None:  # before the first build there is nothing stored to correct
                MissingMeasurement.objects.filter(instrument=instrument, citizen_id__in=ids).exclude(
                    reason="expensive").delete()
                rows = _rules(ids, build.built_on, instrument)
                if build.expensive_day is not None:  # their expensive cases of the day stored
                    MissingMeasurement.objects.filter(instrument=instrument, reason="expensive",
                                                      citizen_id__in=ids).delete()
                    rows += _expensive(build.expensive_day, instrument, ids)
                MissingMeasurement.objects.bulk_create(_with_latest(rows, instrument), ignore_conflicts=True)
            ComplianceStale.objects.filter(pk__in=[pk for pk, _cid in marks]).delete()
        done += len(ids)
    return done


def expensive_key(today: datetime.date) -> str:
    """What the day's expensive cases depend on besides the citizens' own rows: the day, the
    economy's latest version (every re-costing gives a new one) and the threshold."""
    from roret.economy.models import MonthVersion
    from roret.economy.rollup import COUNTER
    from roret.outcomes.queries import expensive_threshold

    version = MonthVersion.objects.filter(month=COUNTER).values_list("version", flat=True).first()
    return f"{today.isoformat()}|{version}|{expensive_threshold()}"


def sync_expensive(today: datetime.date, instrument: str = INSTRUMENT) -> bool:
    """Store the expensive cases of ``today`` if they differ from those stored, and what they were
    worked out for; True if rows were written."""
    key = expensive_key(today)
    wanted = _with_latest(_expensive(today, instrument), instrument)
    fields = ("citizen_id", "day", "kroner", "latest")
    stored = set(MissingMeasurement.objects.filter(instrument=instrument, reason="expensive").values_list(*fields))
    changed = stored != {tuple(getattr(r, k) for k in fields) for r in wanted}
    with transaction.atomic():
        if changed:
            MissingMeasurement.objects.filter(instrument=instrument, reason="expensive").delete()
            MissingMeasurement.objects.bulk_create(wanted, ignore_conflicts=True)
        ComplianceBuild.objects.filter(instrument=instrument).update(expensive_day=today, expensive_key=key)
    return changed


def rebuild(today: datetime.date, instrument: str = INSTRUMENT) -> int:
    """Work out every stored row from the rules, leaving out those shown only before ``today``
    (after bulk writes, and nightly to drop the rows of past days); returns how many rows."""
    with transaction.atomic():
        last_mark = ComplianceStale.objects.aggregate(pk=Max("pk"))["pk"]
        MissingMeasurement.objects.filter(instrument=instrument).delete()
        rows = _with_latest(_rules(None, today, instrument), instrument)
        MissingMeasurement.objects.bulk_create(rows, batch_size=2000)
        ComplianceBuild.objects.update_or_create(instrument=instrument, defaults={"built_on": today})
        if last_mark is not None:  # worked off by this build
            ComplianceStale.objects.filter(pk__lte=last_mark).delete()
    sync_expensive(today, instrument)
    return len(rows) + MissingMeasurement.objects.filter(instrument=instrument, reason="expensive").count()


def current(today: datetime.date, instrument: str = INSTRUMENT) -> bool:
    """Bring the store up to date for an ask about ``today`` (marks left over, the day's expensive
    cases; the first build if there is none); False if the store cannot answer for that day
    (before its build), so the rules are asked instead."""
    build = ComplianceBuild.objects.filter(instrument=instrument).first()
    if build is None:
        rebuild(today, instrument)
        return True
    if today < build.built_on:
        return False
    refresh_pending(instrument)
    if build.expensive_key != expensive_key(today):  # a new day, a re-costing or another threshold
        sync_expensive(today, instrument)
    return True


# ---- reading ------------------------------------------------------------------------------------

def shown_on(today: datetime.date, instrument: str = INSTRUMENT) -> QuerySet:
    """Every stored row shown on ``today`` (the whole department; narrow it by the gate)."""
    return (MissingMeasurement.objects.filter(instrument=instrument, shown_from__lte=today)
            .filter(Q(shown_until__isnull=True) | Q(shown_until__gte=today)))


def differences(today: datetime.date, instrument: str = INSTRUMENT) -> list[tuple]:
    """Rows that the store and the rules do not agree on for ``today``, for the whole department:
    [(citizen id, reason, day, context, latest, "stored" or "rules")]; empty when they agree."""
    from roret.outcomes.queries import _missing

    rows, latest = _missing(None, today, instrument)
    asked = {(cid, reason, day, context, latest.get(cid)) for day, _name, cid, reason, context in rows}
    stored = set()
    for cid, reason, day, offer_id, kroner, last in shown_on(today, instrument).values_list(
            "citizen_id", "reason", "day", "offer_id", "kroner", "latest"):
        stored.add((cid, reason, day, offer_id if reason == "move_in" else kroner, last))
    return sorted([(*r, "stored") for r in stored - asked] + [(*r, "rules") for r in asked - stored],
                  key=lambda r: (r[0], r[1], r[2]))
