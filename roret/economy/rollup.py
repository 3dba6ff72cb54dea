"""The monthly rollup of the cost segments, and stored figures that are not additive.

**The rollup** (:class:`~roret.economy.models.MonthFigure`) holds, per calendar month and
breakdown key (the period tables' finest grain plus sold/own citizen), the figures that add up
over months: cost in whole øre, place-days, placements started, placements ended and placements
running at the month's first day. A segment's cost in a month is the engine's cumulative
rounding clipped to the month, so the months of any month-aligned period add up to the period's
cost to the øre (the sum telescopes), and the period's placements are those running at its
first day plus those started in it. :func:`period_rows` answers a month-aligned period's
finest-grain figures from the rollup in one GROUP BY over a few thousand rows instead of
clipping every cost segment of the period.

It is kept current where the segments are: :func:`roret.economy.services.refresh_segments`
reads a placement's contributions (:func:`contributions`) before and after re-costing it and
applies the difference (:func:`apply_difference`) to exactly the months it changes, in the
same transaction. A full rebuild (:func:`rebuild`) sums the segments month by month in SQL,
which is the second, independent implementation the check (:func:`differences`, ``roret
economy_refresh --check``) compares the stored rollup with.

**Month versions** (:class:`~roret.economy.models.MonthVersion`): every change of a month's
segments gives the month a new version. **Stored figures** (:class:`FigureStore`) keep the
figures that do not add up over months (distinct citizens, citizen costs, length-of-stay
counts) per period and filter with the highest version of the period's months, and are used
while no month of the period has changed: a change to this month's placements leaves last
year's figures stored.

Portable SQL (SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime
import hashlib
import pickle
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import Max, Q

from roret.core.periods import Period
from roret.economy import engine
from roret.economy.models import CostSegment, MonthFigure, MonthVersion, StoredFigure

#: The rollup's key, in this order: the period tables' finest grain, then sold.
KEY = ("offer_id", "paragraph", "target_group_id", "provider_id", "centre_id", "offer_type_id",
       "account_function", "own", "sold")
MEASURES = ("ore", "days", "new", "ended", "running")
#: The segment columns :func:`contributions` reads, in this order.
SEGMENT_FIELDS = (*KEY, "start_day", "end_day", "placement_start", "placement_end", "cum0", "rate")


# ---- months ------------------------------------------------------------------------------------

def month_of(ordinal: int) -> int:
    """The month index (year * 12 + month - 1) of a day number."""
    day = datetime.date.fromordinal(ordinal)
    return day.year * 12 + day.month - 1


def first_day(month: int) -> int:
    """The day number of a month index's first day."""
    return datetime.date(month // 12, month % 12 + 1, 1).toordinal()


def months_of(period: Period) -> tuple[int, int]:
    """[first, last] month indexes a period touches."""
    return month_of(period.start.toordinal()), month_of(period.end.toordinal() - 1)


def aligned(period: Period) -> bool:
    """Whether the period runs from a first of the month to a first of the month."""
    return period.start.day == 1 and period.end.day == 1


# ---- one placement's contributions, in Python -----------------------------------------------------

def contributions(rows: Iterable[tuple]) -> dict[tuple, list[int]]:
    """{(month, *KEY): [ore, days, new, ended, running]} of cost segment rows (tuples in
    :data:`SEGMENT_FIELDS` order): the re-costing's side of the rollup."""
    out: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    n = len(KEY)
    for row in rows:
        key = tuple(row[:n])
        start, end, p_start, p_end, cum0, rate = row[n:]
        month = month_of(start)
        first = first_day(month)
        while first < end:
            nxt = first_day(month + 1)
            a, b = max(first, start), min(nxt, end)
            acc = out[(month, *key)]
            acc[0] += engine.round_ore(cum0 + rate * (b - start)) - engine.round_ore(cum0 + rate * (a - start))
            acc[1] += b - a
            if start == p_start and first <= p_start < nxt:
                acc[2] += 1
            if p_end is not None and end == p_end and first < p_end <= nxt:
                acc[3] += 1
            if start <= first < end and p_start < first:
                acc[4] += 1
            month, first = month + 1, nxt
    return dict(out)


def segment_rows(placement_ids: Iterable[int]) -> list[tuple]:
    """The stored cost segments of some placements, as :func:`contributions` reads them."""
    ids = list(placement_ids)
    out: list[tuple] = []
    for start in range(0, len(ids), 5000):
        out.extend(CostSegment.objects.filter(placement_id__in=ids[start:start + 5000])
                   .values_list(*SEGMENT_FIELDS))
    return out


def _normal(key: tuple) -> tuple:
    """A key with booleans as booleans (SQLite gives 0/1)."""
    return (*key[:-2], bool(key[-2]), bool(key[-1]))


def apply_difference(before: dict[tuple, list[int]], after: dict[tuple, list[int]]) -> set[int]:
    """Add ``after - before`` to the rollup and give the months it changes a new version;
    returns those months. Runs in the caller's transaction."""
    diff: dict[tuple, list[int]] = {}
    for key in set(before) | set(after):
        old, new = before.get(key, [0] * 5), after.get(key, [0] * 5)
        delta = [b - a for a, b in zip(old, new, strict=True)]
        if any(delta):
            diff[(key[0], *_normal(key[1:]))] = delta
    if not diff:
        return set()
    months = {key[0] for key in diff}
    offers = {key[1] for key in diff}
    existing = {}
    # Locked: two re-costings of different placements may share a month and key, and each adds
    # its own difference to what the other committed (PostgreSQL re-reads a locked row).
    for figure in MonthFigure.objects.select_for_update().filter(month__in=months, offer_id__in=offers).order_by("pk"):
        existing.setdefault((figure.month, *_normal(tuple(getattr(figure, f) for f in KEY))), figure)
    changed, created, emptied = [], [], []
    for key, delta in diff.items():
        figure = existing.get(key)
        if figure is None:
            figure = MonthFigure(month=key[0], **dict(zip(KEY, key[1:], strict=True)),
                                 **dict(zip(MEASURES, delta, strict=True)))
            created.append(figure)
            continue
        for name, d in zip(MEASURES, delta, strict=True):
            setattr(figure, name, getattr(figure, name) + d)
        (emptied if not any(getattr(figure, m) for m in MEASURES) else changed).append(figure)
    if changed:
        MonthFigure.objects.bulk_update(changed, MEASURES, batch_size=1000)
    if created:
        MonthFigure.objects.bulk_create(created, batch_size=1000)
    if emptied:
        MonthFigure.objects.filter(pk__in=[f.pk for f in emptied]).delete()
    bump(months)
    return months


#: The MonthVersion row that holds the last version given out (no month has this index).
COUNTER = -1


def bump(months: Iterable[int] | None) -> int:
    """Give ``months`` (all months when None) a new version; returns it. Versions come from one
    locked counter row, so two changes committing one after the other never share a version
    (a figure stored between them would otherwise pass for current)."""
    counter = MonthVersion.objects.select_for_update().filter(month=COUNTER).first()
    if counter is None:
        MonthVersion.objects.bulk_create([MonthVersion(month=COUNTER, version=0)], ignore_conflicts=True)
        counter = MonthVersion.objects.select_for_update().get(month=COUNTER)
    version = max(counter.version, MonthVersion.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    MonthVersion.objects.filter(month=COUNTER).update(version=version)
    if months is None:
        MonthVersion.objects.update(version=version)
        StoredFigure.objects.all().delete()
        return version
    months = sorted(set(months))
    MonthVersion.objects.filter(month__in=months).update(version=version)
    known = set(MonthVersion.objects.filter(month__in=months).values_list("month", flat=True))
    MonthVersion.objects.bulk_create([MonthVersion(month=m, version=version) for m in months if m not in known],
                                     ignore_conflicts=True)
    return version


# ---- the whole rollup, in SQL ---------------------------------------------------------------------

_MONTHS_TABLE = "econ_rollup_months"


def _months_sql(where: str = "") -> str:
    """The SELECT that sums the cost segments per month and key (the months table joined on
    overlap; ``where`` limits the segments)."""
    seg = connection.ops.quote_name(CostSegment._meta.db_table)
    q, half = engine.Q, engine.HALF
    a = "(CASE WHEN m.first_day > s.start_day THEN m.first_day ELSE s.start_day END)"
    b = "(CASE WHEN m.next_day < s.end_day THEN m.next_day ELSE s.end_day END)"
    key = ", ".join(f"s.{k}" for k in KEY)
    return f"""
      SELECT m.month, {key},
        SUM((s.cum0 + s.rate * ({b} - s.start_day) + {half}) / {q}
            - (s.cum0 + s.rate * ({a} - s.start_day) + {half}) / {q}),
        SUM({b} - {a}),
        SUM(CASE WHEN s.start_day = s.placement_start AND s.placement_start >= m.first_day
                      AND s.placement_start < m.next_day THEN 1 ELSE 0 END),
        SUM(CASE WHEN s.placement_end IS NOT NULL AND s.end_day = s.placement_end
                      AND s.placement_end > m.first_day AND s.placement_end <= m.next_day THEN 1 ELSE 0 END),
        SUM(CASE WHEN s.start_day <= m.first_day AND s.placement_start < m.first_day THEN 1 ELSE 0 END)
      FROM {seg} s CROSS JOIN {_MONTHS_TABLE} m
      WHERE m.first_day < s.end_day AND m.next_day > s.start_day AND m.first_day > s.start_day - 32
      {where}
      GROUP BY m.month, {key}"""


def _with_months(work: Callable[[object], object]):
    """Run ``work(cursor)`` with a temporary table of the months the segments span."""
    seg = connection.ops.quote_name(CostSegment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(start_day), MAX(end_day) FROM {seg}")
        low, high = cursor.fetchone()
        cursor.execute(f"DROP TABLE IF EXISTS {_MONTHS_TABLE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {_MONTHS_TABLE} "
                       "(month INTEGER PRIMARY KEY, first_day INTEGER NOT NULL, next_day INTEGER NOT NULL)")
        if low is not None:
            months = range(month_of(low), month_of(high - 1) + 1)
            cursor.executemany(f"INSERT INTO {_MONTHS_TABLE} VALUES (%s, %s, %s)",
                               [(m, first_day(m), first_day(m + 1)) for m in months])
        cursor.execute(f"CREATE INDEX {_MONTHS_TABLE}_first ON {_MONTHS_TABLE} (first_day)")
        try:
            return work(cursor)
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {_MONTHS_TABLE}")


def rebuild() -> int:
    """Rebuild the whole rollup from the cost segments (in the caller's transaction); returns
    the number of rows. Every month gets a new version and stored figures are dropped."""
    table = connection.ops.quote_name(MonthFigure._meta.db_table)
    columns = ", ".join(("month", *KEY, *MEASURES))

    def work(cursor):
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(f"INSERT INTO {table} ({columns}) {_months_sql()}")
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return cursor.fetchone()[0]

    with transaction.atomic():
        count = _with_months(work)
        bump(set(MonthFigure.objects.values_list("month", flat=True).distinct()))
        bump(None)
    return count


def _fresh() -> dict[tuple, list[int]]:
    def work(cursor):
        cursor.execute(_months_sql())
        return cursor.fetchall()

    n = len(KEY) + 1
    return {(row[0], *_normal(tuple(row[1:n]))): [int(v or 0) for v in row[n:]] for row in _with_months(work)}


def _exact(progress: Callable[[int, int], None] | None) -> dict[tuple, list[int]]:
    """{(month, *KEY): measures} from the placements and tariffs themselves: every placement
    costed afresh by the engine (the cost segments it would have now), in memory."""
    from roret.economy import services

    out: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(MEASURES))
    for rows, done, total in services.fresh_segment_rows():
        at = [services.SEGMENT_COLUMNS.index(f) for f in SEGMENT_FIELDS]
        for key, values in contributions([tuple(r[i] for i in at) for r in rows]).items():
            acc = out[(key[0], *_normal(key[1:]))]
            for i, v in enumerate(values):
                acc[i] += v
        if progress:
            progress(done, total)
    return out


def differences(progress: Callable[[int, int], None] | None = None, *, exact: bool = False) -> list[dict]:
    """Months where the stored rollup differs, per month and measure: [{month, label, measure,
    stored, segments, keys}] (``keys``: how many breakdown keys differ; the sums are over the
    month's keys). Compared with the cost segments summed afresh in SQL, or with ``exact``
    with every placement costed afresh by the engine from its tariffs (which also catches
    segments left stale by a raw change to placements or tariffs). Empty: they agree."""
    fresh = _exact(progress) if exact else _fresh()
    stored: dict[tuple, list[int]] = {}
    for values in MonthFigure.objects.values_list("month", *KEY, *MEASURES).iterator(chunk_size=10000):
        n = len(KEY) + 1
        acc = stored.setdefault((values[0], *_normal(tuple(values[1:n]))), [0] * len(MEASURES))
        for i, v in enumerate(values[n:]):
            acc[i] += int(v)
    zero = [0] * len(MEASURES)
    per_month: dict[tuple[int, str], dict] = {}
    keys = sorted(set(fresh) | set(stored), key=repr)
    for done, key in enumerate(keys, 1):
        a, b = stored.get(key, zero), fresh.get(key, zero)
        for name, x, y in zip(MEASURES, a, b, strict=True):
            if x != y:
                entry = per_month.setdefault((key[0], name), {
                    "month": key[0], "label": f"{key[0] // 12}-{key[0] % 12 + 1:02d}", "measure": name,
                    "stored": 0, "segments": 0, "keys": 0})
                entry["stored"] += x
                entry["segments"] += y
                entry["keys"] += 1
        if progress and not exact and (done % 10000 == 0 or done == len(keys)):
            progress(done, len(keys))
    return [per_month[k] for k in sorted(per_month)]


# ---- which filters the rollup and the store can serve -------------------------------------------

#: The fields a filter may name for the rollup to answer it: the breakdown key's.
ROLLUP_FIELDS = frozenset({*KEY, *(k[:-3] for k in KEY if k.endswith("_id"))})
_PLAIN = (int, str, bool, type(None), datetime.date)


def _leaves(where: Q):
    for child in where.children:
        if isinstance(child, Q):
            yield from _leaves(child)
        else:
            yield child


def covers(where: Q | None) -> bool:
    """Whether the rollup can answer figures filtered by ``where``: no filter, or one that names
    only the breakdown key's fields (a centre, an offer, ...). A filter by citizens cannot be."""
    return where is None or all(name.split("__")[0] in ROLLUP_FIELDS for name, _value in _leaves(where))


def filter_key(where: Q | None) -> str | None:
    """A text that names the filter exactly, to key stored figures on; None when it has none (a
    subquery or a model instance: their text shows only their first rows, so two users' citizens
    could share a key) and the figures must not be stored."""
    if where is None:
        return ""

    def plain(value) -> bool:
        if isinstance(value, (list, tuple, set, frozenset)):
            return all(isinstance(v, _PLAIN) for v in value)
        return isinstance(value, _PLAIN)

    def text(q: Q) -> str | None:
        parts = []
        for child in q.children:
            if isinstance(child, Q):
                inner = text(child)
                if inner is None:
                    return None
                parts.append(inner)
            else:
                name, value = child
                if not plain(value):
                    return None
                parts.append(repr((name, sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value)))
        return f"{'NOT ' if q.negated else ''}{q.connector}({', '.join(parts)})"

    return text(where)


# ---- reading the rollup ------------------------------------------------------------------------

def _period_select(period: Period, where: Q | None, grain: tuple[str, ...]) -> tuple[str, list]:
    first, last = months_of(period)
    qs = MonthFigure.objects.filter(month__gte=first, month__lte=last)
    if where is not None:
        qs = qs.filter(where)
    where_sql, params = qs.query.where.as_sql(qs.query.get_compiler(connection=connection), connection)
    own, ext, sold = "NOT sold AND own", "NOT sold AND NOT own", "sold"
    table = connection.ops.quote_name(MonthFigure._meta.db_table)
    cols = ", ".join(grain)
    sql = f"""
      SELECT {cols}{", " if grain else ""}
        SUM(CASE WHEN {own} THEN ore ELSE 0 END), SUM(CASE WHEN {ext} THEN ore ELSE 0 END),
        SUM(CASE WHEN {sold} THEN ore ELSE 0 END),
        SUM(CASE WHEN {own} THEN days ELSE 0 END), SUM(CASE WHEN {ext} THEN days ELSE 0 END),
        SUM(CASE WHEN {sold} THEN days ELSE 0 END),
        SUM(CASE WHEN NOT sold THEN new + (CASE WHEN month = %s THEN running ELSE 0 END) ELSE 0 END),
        SUM(CASE WHEN NOT sold THEN new ELSE 0 END), SUM(CASE WHEN NOT sold THEN ended ELSE 0 END)
      FROM {table} WHERE {where_sql}{f" GROUP BY {cols}" if grain else ""}"""
    return sql, [first, *params]


def period_rows(period: Period, where: Q | None, grain: tuple[str, ...]) -> list[tuple]:
    """A month-aligned period's finest-grain rows [(*grain, cost_own, cost_external, income_sold,
    days_own, days_external, days_sold, placements, new_placements, ended_placements)], the
    same as the period table's GROUP BY, from the rollup: the period's placements are those
    running at its first day and those started in it. (Hand-written SQL with the ORM's WHERE:
    the conditional sums through the ORM cost five times the query.)"""
    sql, params = _period_select(period, where, grain)
    n = len(grain)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(*row[:n], *(int(v or 0) for v in row[n:])) for row in cursor.fetchall()]


def period_sums(period: Period, where: Q | None) -> tuple[int, ...]:
    """The same figures summed over everything ``where`` selects (no grouping)."""
    return period_rows(period, where, ())[0]


# ---- stored figures -------------------------------------------------------------------------------

class FigureStore:
    """The stored non-additive figures of one period and filter: read in one query, kept while
    no month of the period has changed, written as they are computed."""

    def __init__(self, period: Period, where: Q | None):
        self.period = period
        first, last = months_of(period)
        key = filter_key(where)
        # A filter without an exact text (citizens by subquery) is computed every time, never stored.
        self.scope = None if key is None else hashlib.sha256(f"{period.start}:{period.end}:{key}".encode()).hexdigest()
        self.version = 0 if self.scope is None else (
            MonthVersion.objects.filter(month__gte=first, month__lte=last).aggregate(v=Max("version"))["v"] or 0)
        self._known: dict[str, object] | None = None

    def _load(self) -> dict[str, object]:
        if self._known is None and self.scope is None:
            self._known = {}
        if self._known is None:
            self._known = {q: pickle.loads(bytes(v)) for q, v in StoredFigure.objects.filter(
                scope=self.scope, version=self.version).values_list("question", "value")}
        return self._known

    @staticmethod
    def _key(question) -> str:
        """A question (any tuple of plain values) as a fixed-length key."""
        return hashlib.sha256(repr(question).encode()).hexdigest()

    def get(self, question) -> tuple[bool, object]:
        known = self._load()
        key = self._key(question)
        return (True, known[key]) if key in known else (False, None)

    def put(self, question, value) -> None:
        key = self._key(question)
        self._load()[key] = value
        if self.scope is None:
            return
        StoredFigure.objects.filter(scope=self.scope, question=key).delete()
        StoredFigure.objects.bulk_create([StoredFigure(scope=self.scope, question=key, version=self.version,
                                                       value=pickle.dumps(value, protocol=5))],
                                         ignore_conflicts=True)
