"""One period's cost segments as a temporary table: the database clips every segment that
overlaps the period once (the engine's cumulative-rounding formula,
:func:`roret.economy.segments.ore_expr`) and marks the one segment per placement that holds the
placement's last day in the period (``is_last``), so placements, new and ended placements and
durations are counted once per placement without a GROUP BY.

Every figure of a KPI set is then a GROUP BY over that table: the additive ones (cost, days,
placements, new, ended) once at the finest grain (offer × paragraph × target group, which
fixes every dimension) and rolled up per dimension; the distinct (citizen, offer, paragraph,
target group) combinations for counting citizens; citizen-level sums with GROUP BY citizen ...
HAVING.

Portable SQL only (SQLite and PostgreSQL): CASE instead of MIN/MAX/GREATEST on scalars,
booleans used as conditions.
"""

from __future__ import annotations

import itertools
import os

from django.db import connection
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, Least

from roret.economy import rollup
from roret.economy.segments import days_expr, ore_expr, segments_in

COLUMNS = ("placement_id", "citizen_id", "offer_id", "provider_id", "centre_id", "offer_type_id", "target_group_id",
           "own", "sold", "paragraph", "account_function", "placement_start", "placement_end")
# The finest grain: an offer fixes provider, centre, own/external, offer type and account function.
GRAIN = ("offer_id", "paragraph", "target_group_id", "provider_id", "centre_id", "offer_type_id",
         "account_function", "own")
ADDITIVE = ("cost_own", "cost_external", "income_sold", "days_own", "days_external", "days_sold", "placements",
            "new_placements", "ended_placements")
_serial = itertools.count(1)


def additive_measures(a: int, b: int) -> tuple[str, list]:
    """The SELECT list of the additive figures (order = ADDITIVE) and its parameters."""
    sql = """
      SUM(CASE WHEN NOT sold AND own THEN ore ELSE 0 END),
      SUM(CASE WHEN NOT sold AND NOT own THEN ore ELSE 0 END),
      SUM(CASE WHEN sold THEN ore ELSE 0 END),
      SUM(CASE WHEN NOT sold AND own THEN days ELSE 0 END),
      SUM(CASE WHEN NOT sold AND NOT own THEN days ELSE 0 END),
      SUM(CASE WHEN sold THEN days ELSE 0 END),
      SUM(CASE WHEN NOT sold THEN is_last ELSE 0 END),
      SUM(CASE WHEN NOT sold AND placement_start >= %s AND placement_start < %s THEN is_last ELSE 0 END),
      SUM(CASE WHEN NOT sold AND placement_end > %s AND placement_end <= %s THEN is_last ELSE 0 END)"""
    return sql, [a, b, a, b]


class PeriodTable:
    """``with PeriodTable(period, where) as t: t.rows(sql, params)`` — the period's cost segments,
    each with its cost (``ore``) and place-days (``days``) inside the period and ``is_last``.

    The table is built on the first question that needs it. A month-aligned period's
    finest-grain figures come from the monthly rollup (:mod:`roret.economy.rollup`) without it,
    and every other answer is stored (:class:`~roret.economy.rollup.FigureStore`) and asked
    again only after a month of the period has changed."""

    def __init__(self, period, where: Q | None = None):
        self.period = period
        self.where = where
        self.name = f"econ_period_{os.getpid()}_{next(_serial)}"
        self.a, self.b = period.start.toordinal(), period.end.toordinal()
        self._answers: dict = {}
        self._built = False
        self._store = None

    @property
    def built(self) -> bool:
        """Whether the temporary table was needed (and built) for the questions asked."""
        return self._built

    def _once(self, key, query):
        """The table does not change while it lives: each question is asked of it once, and of
        the database only when no stored answer is current."""
        if key not in self._answers:
            if self._store is None:
                self._store = rollup.FigureStore(self.period, self.where)
            found, value = self._store.get(key)
            if not found:
                value = query()
                self._store.put(key, value)
            self._answers[key] = value
        return self._answers[key]

    def __enter__(self) -> PeriodTable:
        return self

    def _build(self) -> None:
        if self._built:
            return
        last_day = Least(Value(self.b), Coalesce("placement_end", Value(self.b)))
        is_last = Case(When(Q(start_day__lt=last_day, end_day__gte=last_day), then=Value(1)), default=Value(0),
                       output_field=IntegerField())
        qs = (segments_in(self.period, self.where).order_by()
              .annotate(ore=ore_expr(self.period), days=days_expr(self.period), is_last=is_last)
              .values(*COLUMNS, "ore", "days", "is_last"))
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {self.name} AS {sql}", params)
        self._built = True

    def __exit__(self, *exc) -> None:
        if self._built:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
            self._built = False

    def rows(self, sql: str, params=()) -> list[tuple]:
        """Run ``sql`` with ``{t}`` standing for this table (built on first use)."""
        self._build()
        with connection.cursor() as cursor:
            cursor.execute(sql.format(t=self.name), list(params))
            return cursor.fetchall()

    def fine(self) -> list[tuple]:
        """[(*GRAIN, *ADDITIVE)] at the finest grain: from the monthly rollup for a month-aligned
        period, else one GROUP BY of the table."""
        if rollup.aligned(self.period) and rollup.covers(self.where):
            if "fine" not in self._answers:
                self._answers["fine"] = rollup.period_rows(self.period, self.where, GRAIN)
            return self._answers["fine"]
        return self._once("fine", self.exact_fine)

    def exact_fine(self) -> list[tuple]:
        """[(*GRAIN, *ADDITIVE)] by one GROUP BY of the table, whatever the period: the exact path
        the rollup is held to."""
        select, params = additive_measures(self.a, self.b)
        cols = ", ".join(GRAIN)
        return self.rows(f"SELECT {cols}, {select} FROM {{t}} GROUP BY {cols}", params)

    def sums(self) -> tuple:
        """(*ADDITIVE) over the whole table: from the finest-grain rows (the rollup's, for a
        month-aligned period), else one SUM without GROUP BY."""
        def add(rows):
            return tuple(sum(int(row[len(GRAIN) + i] or 0) for row in rows) for i in range(len(ADDITIVE)))

        if "fine" in self._answers:
            return add(self.fine())
        if rollup.aligned(self.period) and rollup.covers(self.where):
            if "sums" not in self._answers:
                self._answers["sums"] = rollup.period_sums(self.period, self.where)
            return self._answers["sums"]

        def query():
            select, params = additive_measures(self.a, self.b)
            return tuple(int(v or 0) for v in self.rows(f"SELECT {select} FROM {{t}}", params)[0])
        return self._once("sums", query)

    def remember(self, key, query):
        """A figure of this period computed by the caller (from this table's answers), stored as
        the table's own answers are."""
        return self._once(("figure", key), query)

    def citizens(self, *, build: bool = False) -> int:
        """The number of distinct own citizens in the period: from the table when it is built (or
        ``build``: the caller will need it anyway), else one COUNT(DISTINCT) over the period's
        segments (a covering index), which costs less than building it for this alone."""
        def query():
            if self._built or build:
                return int(self.rows("SELECT COUNT(DISTINCT citizen_id) FROM {t} WHERE NOT sold")[0][0])
            return segments_in(self.period, self.where).filter(sold=False).values("citizen_id").distinct().count()
        return self._once("citizens", query)

    def combinations(self) -> list[tuple]:
        """The distinct (citizen, offer, paragraph, target group) of own citizens: they fix every
        dimension, so distinct citizens per dimension value are counted from them. Not stored
        (large); callers store what they count from them."""
        if "combinations" not in self._answers:
            self._answers["combinations"] = self.rows(
                "SELECT DISTINCT citizen_id, offer_id, paragraph, target_group_id FROM {t} WHERE NOT sold")
        return self._answers["combinations"]

    def citizen_costs(self, min_ore: int) -> dict[int, int]:
        """{citizen: øre} of own citizens above ``min_ore`` in the period."""
        return self._once(("citizen_costs", min_ore), lambda: {cid: int(o) for cid, o in self.rows(
            "SELECT citizen_id, SUM(ore) FROM {t} WHERE NOT sold GROUP BY citizen_id HAVING SUM(ore) > %s",
            [min_ore])})

    def citizen_rows(self, min_ore: int, columns: tuple[str, ...]) -> list[tuple]:
        """[(citizen, *columns, øre)] for own citizens whose period cost is above ``min_ore``."""
        cols = ", ".join(columns)
        return self._once(("citizen_rows", min_ore, columns), lambda: self.rows(
            f"SELECT citizen_id, {cols}, SUM(ore) FROM {{t}} WHERE NOT sold AND citizen_id IN "
            "(SELECT citizen_id FROM {t} WHERE NOT sold GROUP BY citizen_id HAVING SUM(ore) > %s) "
            f"GROUP BY citizen_id, {cols}", [min_ore]))

    # ---- duration ----------------------------------------------------------------------

    def duration_counts(self, column: str | None) -> tuple[list, list]:
        """Counts by entry length and by (exit length, ended), keyed by ``column`` (None: one
        key None). Counts add up over keys; completed and ongoing sums follow from the exits."""
        return self._once(("duration_counts", column), lambda: self._duration_counts(column))

    def _duration_counts(self, column: str | None) -> tuple[list, list]:
        a, b = int(self.a), int(self.b)
        key = f"{column}" if column else "NULL"
        group = f"{column}, " if column else ""
        ended = f"(placement_end IS NOT NULL AND placement_end <= {b})"
        entry = f"CASE WHEN placement_start < {a} THEN {a} - placement_start ELSE 0 END"
        length = f"(CASE WHEN {ended} THEN placement_end ELSE {b} END - placement_start)"
        flag = f"CASE WHEN {ended} THEN 1 ELSE 0 END"
        rows = "FROM {t} WHERE NOT sold AND is_last = 1"
        entries = self.rows(f"SELECT {key}, {entry}, COUNT(*) {rows} GROUP BY {group}{entry}")
        exits = self.rows(f"SELECT {key}, {length}, {flag}, COUNT(*) {rows} GROUP BY {group}{length}, {flag}")
        return entries, exits
