"""The steering KPIs (price, quantity, duration, self-sufficiency, expensive cases, reimbursement)
for any period [start, end), summed in the database from the cost segments.

Every figure of a period comes from one temporary period table (roret.economy.sql), so a total,
a breakdown row, a page, an export and the committee report show the same number. A page or a
report asks through one :class:`Figures` for the whole request: it keeps one table per distinct
period open and answers every total, breakdown, KPI set and duration of that period from it, so
a report that shows a half-year in its key figures, its trend and its breakdowns builds the
half-year's table once. Money is kept in whole øre (int) inside and turned into Decimal kroner
at the edge.

Each segment's cost and place-days inside the period are the engine's cumulative-rounding
formula in SQL (roret.economy.segments), which telescopes over a placement's segments to
exactly ``engine.cost_ore(placement, A, B)``.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from roret.core.periods import Period
from roret.economy import engine
from roret.economy.duration import durations, durations_with_total
from roret.economy.expensive import (
    annual_limit_ore,
    citizen_figures,
    expensive_threshold,
    levels_for,
    normalise,
    reimbursements_in,
)
from roret.economy.segments import DIMENSIONS
from roret.economy.sql import ADDITIVE, GRAIN, PeriodTable

#: The breakdowns of ``roret kpi`` and of a KPI set when none are named.
DEFAULT_DIMENSIONS = ("paragraph", "own_external", "account_function", "centre")

# ---- figures --------------------------------------------------------------------------------


def kroner(ore_amount: int) -> Decimal:
    return engine.to_kroner(int(ore_amount))


def share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Row:
    """The period's figures for the whole (key None) or one breakdown value."""

    key: object = None
    label: str = ""
    cost_own: int = 0          # øre, own citizens in own offers
    cost_external: int = 0     # øre, own citizens in other providers' offers
    income_sold: int = 0       # øre, other municipalities' citizens in own offers
    days_own: int = 0
    days_external: int = 0
    days_sold: int = 0
    citizens: int = 0
    placements: int = 0
    new_placements: int = 0
    ended_placements: int = 0
    expensive_cases: int = 0
    reimbursement: int = 0     # øre
    period_days: int = 0

    @property
    def cost_total(self) -> int:
        return self.cost_own + self.cost_external

    @property
    def place_days(self) -> int:
        return self.days_own + self.days_external

    @property
    def self_sufficiency_days(self) -> Decimal | None:
        return share(self.days_own, self.place_days)

    @property
    def self_sufficiency_cost(self) -> Decimal | None:
        return share(self.cost_own, self.cost_total)

    @property
    def cost_per_placement_year(self) -> Decimal | None:
        if not self.place_days:
            return None
        return (kroner(self.cost_total) * engine.YEAR_DAYS / self.place_days).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def cost_per_citizen_year(self) -> Decimal | None:
        """The period's cost per citizen served, scaled to a year of the period's length."""
        if not self.citizens or not self.period_days:
            return None
        return (kroner(self.cost_total) * engine.YEAR_DAYS / (self.citizens * self.period_days)).quantize(
            Decimal("0.01"), ROUND_HALF_UP)

    def as_dict(self) -> dict:
        return {
            "key": self.key, "label": self.label,
            "cost_total": kroner(self.cost_total), "cost_own": kroner(self.cost_own),
            "cost_external": kroner(self.cost_external), "income_sold": kroner(self.income_sold),
            "place_days": self.place_days, "place_days_own": self.days_own,
            "place_days_external": self.days_external, "place_days_sold": self.days_sold,
            "citizens": self.citizens, "placements": self.placements,
            "new_placements": self.new_placements, "ended_placements": self.ended_placements,
            "self_sufficiency_days": self.self_sufficiency_days,
            "self_sufficiency_cost": self.self_sufficiency_cost,
            "cost_per_placement_year": self.cost_per_placement_year,
            "cost_per_citizen_year": self.cost_per_citizen_year,
            "expensive_cases": self.expensive_cases, "reimbursement": kroner(self.reimbursement),
        }



@dataclass
class KpiSet:
    """The period's total and its breakdowns."""

    period: Period
    total: Row
    breakdowns: dict[str, list[Row]] = field(default_factory=dict)
    durations: dict = field(default_factory=dict)  # {None or dimension: {key: Duration}} when asked for

    def as_dict(self) -> dict:
        return {
            "period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat(),
                       "label": self.period.label, "days": self.period.days},
            **{k: v for k, v in self.total.as_dict().items() if k not in ("key", "label")},
            "breakdowns": {dim: [r.as_dict() for r in rows] for dim, rows in self.breakdowns.items()},
            **({"duration": self.durations[None][None].as_dict() if None in self.durations[None] else None}
               if None in self.durations else {}),
        }



def dimension_labels(dimension: str, keys) -> dict:
    from roret.core.models import Centre, Term
    from roret.offers.models import AccountFunction, LegalBasis, Offer, Provider

    keys = [k for k in keys if k is not None]
    none_label = {"centre": _("(external offers)"), "target_group": _("(none recorded)")}.get(dimension, "–")
    out: dict = {None: none_label}
    if dimension == "paragraph":
        out.update({k: str(LegalBasis(k).label) if k in LegalBasis.values else k for k in keys})
    elif dimension == "account_function":
        out.update({k: str(AccountFunction(k).label) if k in AccountFunction.values else k for k in keys})
    elif dimension == "own_external":
        out.update({True: _("own offers"), False: _("external offers")})
    elif dimension in ("offer_type", "target_group"):
        out.update(dict(Term.objects.filter(pk__in=keys).values_list("pk", "display")))
    elif dimension == "provider":
        out.update(dict(Provider.objects.filter(pk__in=keys).values_list("pk", "name")))
    elif dimension == "centre":
        out.update(dict(Centre.objects.filter(pk__in=keys).values_list("pk", "name")))
    elif dimension == "offer":
        out.update(dict(Offer.objects.filter(pk__in=keys).values_list("pk", "name")))
    return out



class _Citizens:
    """The period's distinct own citizens, parsed once from the table's distinct (citizen, offer,
    paragraph, target group) combinations, which fix every dimension: the distinct (value,
    citizen) pairs per dimension are then counted with NumPy, instead of one COUNT(DISTINCT)
    sort per dimension in SQL (three times the time on SQLite)."""

    def __init__(self, combinations: list[tuple]):
        import numpy as np

        n = len(combinations)
        citizen = np.fromiter((c[0] for c in combinations), dtype=np.int64, count=n)
        self.ids, self.citizen_index = np.unique(citizen, return_inverse=True)
        offers = np.fromiter((c[1] for c in combinations), dtype=np.int64, count=n)
        self.offers, self.offer_index = np.unique(offers, return_inverse=True)
        paragraphs: dict = {}
        self.paragraph_index = np.fromiter((paragraphs.setdefault(c[2], len(paragraphs)) for c in combinations),
                                           dtype=np.int64, count=n)
        self.paragraphs = list(paragraphs)
        groups: dict = {}
        self.group_index = np.fromiter((groups.setdefault(c[3], len(groups)) for c in combinations),
                                       dtype=np.int64, count=n)
        self.groups = list(groups)

    @property
    def total(self) -> int:
        return len(self.ids)

    def per_value(self, dimension: str, offer_keys: dict) -> dict:
        """{dimension value: distinct citizens}."""
        import numpy as np

        if not self.total:
            return {}
        column = DIMENSIONS[dimension]
        if column == "paragraph":
            raw, inv = self.paragraphs, self.paragraph_index
        elif column == "target_group_id":
            raw, inv = self.groups, self.group_index
        else:  # a property of the offer: map each offer to its value, then every combination through its offer
            at = GRAIN.index(column)
            per_offer = [normalise(dimension, offer_keys[int(o)][at]) for o in self.offers]
            raw = sorted(set(per_offer), key=lambda k: (k is None, str(k)))
            index = {k: i for i, k in enumerate(raw)}
            inv = np.asarray([index[k] for k in per_offer], dtype=np.int64)[self.offer_index]
        n = len(self.ids)
        pairs = np.unique(inv * n + self.citizen_index)
        counts = np.bincount(pairs // n, minlength=len(raw))
        out: dict = {}
        for i, k in enumerate(raw):
            key = normalise(dimension, k)
            out[key] = out.get(key, 0) + int(counts[i])
        return out


def _offer_keys(fine: list[tuple]) -> dict:
    """{offer id: finest-grain row}: an offer fixes provider, centre, own/external, type and function."""
    at = GRAIN.index("offer_id")
    return {values[at]: values for values in fine}


def _check(dimensions) -> tuple[str, ...]:
    for dim in dimensions:
        if dim not in DIMENSIONS:
            raise ValueError(f"unknown dimension {dim!r}; one of {', '.join(DIMENSIONS)}")
    return tuple(dimensions)


class Figures:
    """The figures of one request, for the aggregates ``where`` selects (None: all)::

        with kpi.Figures(where) as figures:
            result = figures.kpis(period, ("paragraph",), duration_by=("paragraph",))
            trend = figures.trend(period, 5)

    One temporary period table per distinct period asked about, built on first use and dropped
    when the block ends; every total, breakdown, KPI set, duration and citizen-level figure of a
    period comes from its table, and each table answers each question once (a total asked for in
    the trend and again in the key figures is one GROUP BY). Labels of dimension values and the
    reimbursement levels of a year are read once per request too.
    """

    def __init__(self, where: Q | None = None):
        self.where = where
        self._stack: ExitStack | None = None
        self._tables: dict[Period, PeriodTable] = {}
        self._citizens: dict[Period, _Citizens] = {}
        self._labels: dict[str, dict] = {}
        self._levels: dict[int, list] = {}

    def __enter__(self) -> Figures:
        self._stack = ExitStack()
        return self

    def __exit__(self, *exc) -> None:
        stack, self._stack = self._stack, None
        self._tables.clear()
        self._citizens.clear()
        stack.close()

    # ---- the tables ----------------------------------------------------------------------

    def table(self, period: Period) -> PeriodTable:
        """The period's table (built on first use)."""
        if self._stack is None:
            raise RuntimeError("use Figures in a with block: its period tables are dropped when it ends")
        if period not in self._tables:
            self._tables[period] = self._stack.enter_context(PeriodTable(period, self.where))
        return self._tables[period]

    @property
    def periods(self) -> list[Period]:
        """The periods whose tables this request has built, in the order it asked for them."""
        return list(self._tables)

    def levels(self, year: int) -> list[tuple[int, Decimal]]:
        if year not in self._levels:
            self._levels[year] = levels_for(year)
        return self._levels[year]

    def labels(self, dimension: str, keys) -> dict:
        known = self._labels.setdefault(dimension, {})
        missing = [k for k in keys if k not in known]
        if missing or None not in known:
            known.update(dimension_labels(dimension, missing))
        return known

    # ---- figures --------------------------------------------------------------------------

    def _rollup(self, period: Period, dimensions: tuple[str, ...]) -> tuple[Row, dict[str, list[Row]]]:
        """The total and the breakdowns: additive figures rolled up from the finest-grain GROUP BY
        (aggregates, not placement rows), distinct citizens counted per dimension."""
        table = self.table(period)
        total = Row(period_days=period.days)
        if not dimensions:  # a total alone: one SUM and one COUNT(DISTINCT), no grouping to parse
            for name, value in zip(ADDITIVE, table.sums(), strict=True):
                setattr(total, name, value)
            total.citizens = table.citizens()
            return total, {}
        fine = table.fine()
        where = {name: i for i, name in enumerate(GRAIN)}
        per: dict[str, dict] = {d: {} for d in dimensions}
        for values in fine:
            rows = [total]
            for d in dimensions:
                key = normalise(d, values[where[DIMENSIONS[d]]])
                row = per[d].get(key)
                if row is None:
                    row = per[d][key] = Row(key=key, period_days=period.days)
                rows.append(row)
            for name, value in zip(ADDITIVE, values[len(GRAIN):], strict=True):
                value = int(value or 0)
                for row in rows:
                    setattr(row, name, getattr(row, name) + value)
        total.citizens = table.citizens(build=True)
        breakdowns = {}
        offer_keys = _offer_keys(fine)
        for d in dimensions:
            counts = table.remember(("citizens_by", d), lambda d=d: self._distinct(period).per_value(d, offer_keys))
            rows = sorted(per[d].values(), key=lambda r: (r.key is None, str(r.key)))
            labels = self.labels(d, [r.key for r in rows])
            for r in rows:
                r.citizens = counts.get(r.key, 0)
                r.label = labels.get(r.key, str(r.key))
            breakdowns[d] = rows
        return total, breakdowns

    def _distinct(self, period: Period) -> _Citizens:
        """The period's distinct own citizens by dimension, parsed once per request."""
        if period not in self._citizens:
            self._citizens[period] = _Citizens(self.table(period).combinations())
        return self._citizens[period]

    def totals(self, period: Period) -> Row:
        """The period's figures for everything in scope."""
        return self._rollup(period, ())[0]

    def breakdown(self, period: Period, dimension: str) -> list[Row]:
        """The period's figures per value of ``dimension``, labelled."""
        return self._rollup(period, _check((dimension,)))[1][dimension]

    def trend(self, period: Period, n: int = 5) -> list[tuple[Period, Row]]:
        """The period and the ``n`` before it, oldest first, with their totals."""
        return [(p, self.totals(p)) for p in [*period.previous(n), period]]

    def kpis(self, period: Period, dimensions=DEFAULT_DIMENSIONS, *, threshold: Decimal | None = None,
             duration_by=None) -> KpiSet:
        """The full KPI set for a period: totals and breakdowns with citizen-level figures (from
        the period's table, plus one per calendar year when the period spans several) and, with
        ``duration_by``, the length-of-stay figures in total and per those dimensions."""
        dimensions = _check(dimensions)
        main = self.table(period)
        years = period.years()
        parts = [main] if len(years) == 1 else [self.table(p) for p in years]
        total, breakdowns = self._rollup(period, dimensions)
        result = KpiSet(period, total, breakdowns)
        citizen_figures(main, parts, dimensions, threshold, total, result.breakdowns,
                        offer_keys=_offer_keys(main.fine()) if dimensions else {}, levels=self.levels)
        if duration_by is not None:
            result.durations = durations_with_total(main, _check(duration_by))
        return result

    def durations(self, period: Period, dimension: str | None = None) -> dict:
        """{key: Duration} of own citizens' placements active in the period (key None without a dimension)."""
        if dimension is not None:
            _check((dimension,))
        return durations(period, dimension, table=self.table(period))

    def citizen_costs(self, period: Period, min_ore: int = 0) -> dict[int, int]:
        """{citizen id: øre} of own citizens whose cost in the period is above ``min_ore``."""
        return self.table(period).citizen_costs(min_ore)

    def expensive_citizens(self, period: Period, threshold: Decimal | None = None) -> dict[int, int]:
        """Own citizens whose cost in the period, at a yearly rate, exceeds ``threshold`` (default 2 mio. kr.)."""
        threshold = expensive_threshold() if threshold is None else threshold
        return self.citizen_costs(period, annual_limit_ore(period, threshold))

    def reimbursements(self, period: Period) -> dict[tuple[int, int], int]:
        """{(citizen id, year): øre} for each calendar-year part of the period (year to date in a part year)."""
        out = {}
        for part in period.years():
            out.update(reimbursements_in(self.table(part), self.levels(part.start.year)))
        return out


# ---- one question, one table: for callers with a single figure to ask --------------------------


def totals(period: Period, where: Q | None = None) -> Row:
    """The period's figures for everything (optionally restricted by ``where``)."""
    with Figures(where) as figures:
        return figures.totals(period)


def breakdown(period: Period, dimension: str, where: Q | None = None) -> list[Row]:
    """The period's figures per value of ``dimension``, labelled."""
    with Figures(where) as figures:
        return figures.breakdown(period, dimension)


def kpis(period: Period, dimensions=DEFAULT_DIMENSIONS, *, where: Q | None = None, threshold: Decimal | None = None,
         duration_by=None) -> KpiSet:
    """:meth:`Figures.kpis` for a single KPI set."""
    with Figures(where) as figures:
        return figures.kpis(period, dimensions, threshold=threshold, duration_by=duration_by)


def citizen_costs(period: Period, *, min_ore: int = 0, where: Q | None = None) -> dict[int, int]:
    """{citizen id: øre} of own citizens whose cost in the period is above ``min_ore`` (GROUP BY ... HAVING)."""
    with Figures(where) as figures:
        return figures.citizen_costs(period, min_ore)


def expensive_citizens(period: Period, threshold: Decimal | None = None, where: Q | None = None) -> dict[int, int]:
    """Own citizens whose cost in the period, at a yearly rate, exceeds ``threshold`` (default 2 mio. kr.)."""
    with Figures(where) as figures:
        return figures.expensive_citizens(period, threshold)


def reimbursements(period: Period, where: Q | None = None) -> dict[tuple[int, int], int]:
    """{(citizen id, year): øre} for each calendar-year part of the period (year to date in a part year)."""
    with Figures(where) as figures:
        return figures.reimbursements(period)
