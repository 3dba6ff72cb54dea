"""The steering KPIs (price, quantity, duration, self-sufficiency, expensive cases, reimbursement)
for any period [start, end), summed in the database from the cost segments.

Every figure comes from one temporary period table (roret.economy.sql), so a total, a
breakdown row, a page, an export and the committee report show the same number. Money is kept in
whole øre (int) inside and turned into Decimal kroner at the edge.

Each segment's cost and place-days inside the period are the engine's cumulative-rounding
formula in SQL (roret.economy.segments), which telescopes over a placement's segments to
exactly ``engine.cost_ore(placement, A, B)``.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q

from roret.core.periods import Period
from roret.economy import engine
from roret.economy.duration import durations_with_total
from roret.economy.models import ReimbursementLevel
from roret.economy.segments import DIMENSIONS
from roret.economy.sql import ADDITIVE, GRAIN, PeriodTable

DEFAULT_EXPENSIVE_THRESHOLD = Decimal("2000000")
DAYS_PER_YEAR = 365  # a placement-year is 365 place-days

# ---- figures --------------------------------------------------------------------------------


def kroner(ore_amount: int) -> Decimal:
    return engine.to_kroner(int(ore_amount))


def _share(part: int, whole: int) -> Decimal | None:
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
        return _share(self.days_own, self.place_days)

    @property
    def self_sufficiency_cost(self) -> Decimal | None:
        return _share(self.cost_own, self.cost_total)

    @property
    def cost_per_placement_year(self) -> Decimal | None:
        if not self.place_days:
            return None
        return (kroner(self.cost_total) * DAYS_PER_YEAR / self.place_days).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def cost_per_citizen_year(self) -> Decimal | None:
        """The period's cost per citizen served, scaled to a year of the period's length."""
        if not self.citizens or not self.period_days:
            return None
        return (kroner(self.cost_total) * DAYS_PER_YEAR / (self.citizens * self.period_days)).quantize(
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



def _norm(dimension: str | None, key):
    """Booleans come back as 0/1 from SQLite and as bool from PostgreSQL."""
    return bool(key) if dimension == "own_external" and key is not None else key


def _rollup(table: PeriodTable, dimensions) -> tuple[Row, dict[str, list[Row]]]:
    """The total and the breakdowns: additive figures rolled up from the finest-grain GROUP BY
    (aggregates, not placement rows), distinct citizens counted per dimension in the database."""
    period = table.period
    where = {name: i for i, name in enumerate(GRAIN)}
    total = Row(period_days=period.days)
    per: dict[str, dict] = {d: {} for d in dimensions}
    fine = table.fine()
    for values in fine:
        figures = values[len(GRAIN):]
        rows = [total]
        for d in dimensions:
            key = _norm(d, values[where[DIMENSIONS[d]]])
            row = per[d].get(key)
            if row is None:
                row = per[d][key] = Row(key=key, period_days=period.days)
            rows.append(row)
        for name, value in zip(ADDITIVE, figures, strict=True):
            value = int(value or 0)
            for row in rows:
                setattr(row, name, getattr(row, name) + value)
    offer_keys = {values[where["offer_id"]]: values for values in fine}
    total.citizens, citizen_counts = _distinct_citizens(table, dimensions, offer_keys, where)
    breakdowns = {}
    for d in dimensions:
        counts = citizen_counts[d]
        rows = sorted(per[d].values(), key=lambda r: (r.key is None, str(r.key)))
        labels = dimension_labels(d, [r.key for r in rows])
        for r in rows:
            r.citizens = counts.get(r.key, 0)
            r.label = labels.get(r.key, str(r.key))
        breakdowns[d] = rows
    table.offer_keys = offer_keys
    return total, breakdowns


def _distinct_citizens(table: PeriodTable, dimensions, offer_keys: dict, where: dict) -> tuple[int, dict]:
    """Distinct own citizens in total and per dimension value.

    The database reduces the period's segments to their distinct (citizen, offer, paragraph,
    target group) combinations, which fix every dimension; the distinct (value, citizen) pairs
    per dimension are then counted with NumPy, instead of one COUNT(DISTINCT) sort per
    dimension in SQL (three times the time on SQLite)."""
    import numpy as np

    combos = table.rows("SELECT DISTINCT citizen_id, offer_id, paragraph, target_group_id FROM {t} WHERE NOT sold")
    if not combos:
        return 0, {d: {} for d in dimensions}
    n = len(combos)
    citizen = np.fromiter((c[0] for c in combos), dtype=np.int64, count=n)
    ucid, cinv = np.unique(citizen, return_inverse=True)
    offers = np.fromiter((c[1] for c in combos), dtype=np.int64, count=n)
    uoffer, oinv = np.unique(offers, return_inverse=True)
    paragraphs = {}
    pinv = np.fromiter((paragraphs.setdefault(c[2], len(paragraphs)) for c in combos), dtype=np.int64, count=n)
    groups = {}
    ginv = np.fromiter((groups.setdefault(c[3], len(groups)) for c in combos), dtype=np.int64, count=n)
    out = {}
    for d in dimensions:
        column = DIMENSIONS[d]
        if column == "paragraph":
            raw, inv = list(paragraphs), pinv
        elif column == "target_group_id":
            raw, inv = list(groups), ginv
        else:  # a property of the offer: map each offer to its value, then every combination through its offer
            per_offer = [_norm(d, offer_keys[int(o)][where[column]]) for o in uoffer]
            values = sorted(set(per_offer), key=lambda k: (k is None, str(k)))
            raw = values
            index = {k: i for i, k in enumerate(values)}
            inv = np.asarray([index[k] for k in per_offer], dtype=np.int64)[oinv]
        keys = [_norm(d, k) for k in raw]
        pairs = np.unique(inv * len(ucid) + cinv)
        counts = np.bincount(pairs // len(ucid), minlength=len(raw))
        out[d] = {}
        for i, k in enumerate(keys):
            out[d][k] = out[d].get(k, 0) + int(counts[i])
    return len(ucid), out


def totals(period: Period, where: Q | None = None) -> Row:
    """The period's figures for everything (optionally restricted by ``where``)."""
    with PeriodTable(period, where) as table:
        return _rollup(table, ())[0]


def breakdown(period: Period, dimension: str, where: Q | None = None) -> list[Row]:
    """The period's figures per value of ``dimension``, labelled."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; one of {', '.join(DIMENSIONS)}")
    with PeriodTable(period, where) as table:
        return _rollup(table, (dimension,))[1][dimension]


def dimension_labels(dimension: str, keys) -> dict:
    from roret.core.models import Centre, Term
    from roret.offers.models import AccountFunction, LegalBasis, Offer, Provider

    keys = [k for k in keys if k is not None]
    none_label = {"centre": "(external)", "target_group": "(none recorded)"}.get(dimension, "–")
    out: dict = {None: none_label}
    if dimension == "paragraph":
        out.update({k: str(LegalBasis(k).label) if k in LegalBasis.values else k for k in keys})
    elif dimension == "account_function":
        out.update({k: str(AccountFunction(k).label) if k in AccountFunction.values else k for k in keys})
    elif dimension == "own_external":
        out.update({True: "own", False: "external"})
    elif dimension in ("offer_type", "target_group"):
        out.update(dict(Term.objects.filter(pk__in=keys).values_list("pk", "display")))
    elif dimension == "provider":
        out.update(dict(Provider.objects.filter(pk__in=keys).values_list("pk", "name")))
    elif dimension == "centre":
        out.update(dict(Centre.objects.filter(pk__in=keys).values_list("pk", "name")))
    elif dimension == "offer":
        out.update(dict(Offer.objects.filter(pk__in=keys).values_list("pk", "name")))
    return out


# ---- citizen level: expensive cases and reimbursement ----------------------------------------


def expensive_threshold() -> Decimal:
    return Decimal(str(settings.RORET.get("EXPENSIVE_CASE_THRESHOLD", DEFAULT_EXPENSIVE_THRESHOLD)))


def citizen_costs(period: Period, *, min_ore: int = 0, where: Q | None = None) -> dict[int, int]:
    """{citizen id: øre} of own citizens whose cost in the period is above ``min_ore`` (GROUP BY ... HAVING)."""
    with PeriodTable(period, where) as table:
        return table.citizen_costs(min_ore)


def annual_limit_ore(period: Period, threshold: Decimal) -> int:
    """The cost in the period that matches ``threshold`` a year (whole months by months, else by days)."""
    months = period.months
    scaled = threshold * months / 12 if months else threshold * period.days / DAYS_PER_YEAR
    return int((scaled * 100).to_integral_value(rounding=ROUND_HALF_UP))


def expensive_citizens(period: Period, threshold: Decimal | None = None, where: Q | None = None) -> dict[int, int]:
    """Own citizens whose cost in the period, at a yearly rate, exceeds ``threshold`` (default 2 mio. kr.)."""
    threshold = expensive_threshold() if threshold is None else threshold
    return citizen_costs(period, min_ore=annual_limit_ore(period, threshold), where=where)


def levels_for(year: int) -> list[tuple[int, Decimal]]:
    """[(threshold øre, rate)] in force for ``year``: the newest levels of a year ≤ it (else the earliest known)."""
    years = sorted(set(ReimbursementLevel.objects.values_list("year", flat=True)))
    if not years:
        return []
    chosen = max((y for y in years if y <= year), default=years[0])
    return [(engine.ore(lvl.threshold), lvl.rate) for lvl in ReimbursementLevel.objects.filter(year=chosen)
            .order_by("threshold")]


def reimbursement_ore(cost: int, levels: list[tuple[int, Decimal]]) -> int:
    """SEL §176 on one citizen's yearly cost: each rate on the part above its threshold, below the next."""
    total = Decimal(0)
    for i, (threshold, rate) in enumerate(levels):
        upper = levels[i + 1][0] if i + 1 < len(levels) else None
        part = (min(cost, upper) if upper is not None else cost) - threshold
        if part > 0:
            total += rate * part
    return int(total.to_integral_value(rounding=ROUND_HALF_UP))


def reimbursements(period: Period, where: Q | None = None) -> dict[tuple[int, int], int]:
    """{(citizen id, year): øre} for each calendar-year part of the period (year to date in a part year)."""
    out = {}
    for part in period.years():
        with PeriodTable(part, where) as table:
            out.update(_reimbursements(table))
    return out


def _reimbursements(table: PeriodTable) -> dict[tuple[int, int], int]:
    year = table.period.start.year
    levels = levels_for(year)
    if not levels:
        return {}
    out = {}
    for cid, cost in table.citizen_costs(levels[0][0]).items():
        amount = reimbursement_ore(cost, levels)
        if amount:
            out[(cid, year)] = amount
    return out


def allocate(amounts: dict[int, int], cids, keys, weights) -> dict:
    """Split each citizen's ``amounts[cid]`` øre over their keys in proportion to the weights
    (largest remainder, ties by key), and sum the shares per key: every citizen's shares add up
    to their amount exactly. The rows are per-citizen aggregates from the database; the
    arithmetic is vectorised (NumPy), integer-exact."""
    import numpy as np

    if not len(cids):
        return {}
    key_list = sorted(set(keys), key=lambda k: (k is None, str(k)))
    key_index = {k: i for i, k in enumerate(key_list)}
    n_keys = len(key_list)
    cid = np.asarray(cids, dtype=np.int64)
    kid = np.fromiter((key_index[k] for k in keys), dtype=np.int64, count=len(keys))
    w = np.asarray(weights, dtype=np.int64)
    ucid, cinv = np.unique(cid, return_inverse=True)
    pairs, pinv = np.unique(cinv * n_keys + kid, return_inverse=True)   # one weight per (citizen, key)
    pw = np.zeros(len(pairs), dtype=np.int64)
    np.add.at(pw, pinv, w)
    pc, pk = pairs // n_keys, pairs % n_keys
    total_w = np.zeros(len(ucid), dtype=np.int64)
    np.add.at(total_w, pc, pw)
    amount = np.fromiter((amounts.get(int(c), 0) for c in ucid), dtype=np.int64, count=len(ucid))
    denominator = np.maximum(total_w[pc], 1)
    numerator = amount[pc] * pw
    base = np.where(total_w[pc] > 0, numerator // denominator, 0)
    remainder = np.where(total_w[pc] > 0, numerator % denominator, 0)
    given = np.zeros(len(ucid), dtype=np.int64)
    np.add.at(given, pc, base)
    left = np.where(total_w > 0, amount - given, 0)
    order = np.lexsort((pk, -remainder, pc))             # per citizen: largest remainder first
    first = np.searchsorted(pc[order], np.arange(len(ucid)))
    position = np.arange(len(order)) - first[pc[order]]
    extra = np.zeros(len(order), dtype=np.int64)
    extra[order] = position < left[pc[order]]
    per_key = np.zeros(n_keys, dtype=np.int64)
    np.add.at(per_key, pk, base + extra)
    return {k: int(per_key[i]) for k, i in key_index.items()}


def _citizen_figures(main: PeriodTable, parts: list[PeriodTable], dimensions, threshold: Decimal | None,
                     total: Row, breakdowns: dict[str, list[Row]]) -> None:
    """Expensive cases and reimbursement on the total and every breakdown row.

    A citizen is expensive by their cost in the whole period (at a yearly rate); reimbursement is
    per citizen and calendar year and is split over the rows their cost fell in, in proportion to
    that cost (largest remainder), so the rows add up to the total to the øre. An expensive
    citizen counts once in each row their cost fell in.
    """
    threshold = expensive_threshold() if threshold is None else threshold
    limit = annual_limit_ore(main.period, threshold)
    # Citizen rows come grouped by (citizen, offer, paragraph, target group), which fix every
    # dimension; the offer's dimension values come from the finest-grain rows already read.
    columns = ("offer_id", "paragraph", "target_group_id") if dimensions else ()
    grain_at = {name: i for i, name in enumerate(GRAIN)}
    offer_keys = getattr(main, "offer_keys", {})

    def key_of(d, row):
        column = DIMENSIONS[d]
        if column == "paragraph":
            return row[2]
        if column == "target_group_id":
            return row[3]
        if column == "offer_id":
            return row[1]
        return _key(d, offer_keys[row[1]][grain_at[column]])

    # One period within one year (the usual case): the expensive citizens are among those above
    # the lowest reimbursement threshold, so one GROUP BY citizen ... HAVING serves both.
    single = len(parts) == 1 and parts[0] is main
    levels = levels_for(main.period.start.year) if single else []
    floor = min(limit, levels[0][0]) if levels else limit
    if columns:
        shared_rows = main.citizen_rows(floor, columns)
        per_citizen: dict[int, int] = defaultdict(int)
        for row in shared_rows:
            per_citizen[row[0]] += int(row[-1])
    else:
        shared_rows = []
        per_citizen = main.citizen_costs(floor)
    expensive = {cid for cid, cost in per_citizen.items() if cost > limit}
    in_rows: dict[str, dict] = {d: defaultdict(set) for d in dimensions}
    for row in shared_rows:
        if row[0] in expensive:
            for d in dimensions:
                in_rows[d][key_of(d, row)].add(row[0])
    total.expensive_cases = len(expensive)
    for d in dimensions:
        for r in breakdowns[d]:
            r.expensive_cases = len(in_rows[d].get(r.key, ()))
    for part in parts:
        if single:
            reimb = {(cid, part.period.start.year): amount for cid, cost in per_citizen.items()
                     if levels and (amount := reimbursement_ore(cost, levels))}
        else:
            reimb = _reimbursements(part)
        total.reimbursement += sum(reimb.values())
        if not columns or not reimb:
            continue
        levels_part = levels_for(part.period.start.year)
        amounts = {cid: amount for (cid, _year), amount in reimb.items()}
        rows = shared_rows if single else part.citizen_rows(levels_part[0][0], columns)
        cids = [r[0] for r in rows]
        weights = [int(r[-1]) for r in rows]
        for d in dimensions:
            by_key = {r.key: r for r in breakdowns[d]}
            for key, share in allocate(amounts, cids, [key_of(d, r) for r in rows], weights).items():
                if key in by_key:
                    by_key[key].reimbursement += share


def _key(dimension: str, value):
    return bool(value) if dimension == "own_external" else value


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


def kpis(period: Period, dimensions=("paragraph", "own_external", "account_function", "centre"), *,
         where: Q | None = None, threshold: Decimal | None = None, duration_by=None) -> KpiSet:
    """The full KPI set for a period: totals and breakdowns with citizen-level figures, all from
    one temporary table of the period's placements (plus one per calendar year when the period
    spans several)."""
    for dim in dimensions:
        if dim not in DIMENSIONS:
            raise ValueError(f"unknown dimension {dim!r}; one of {', '.join(DIMENSIONS)}")
    with ExitStack() as stack:
        main = stack.enter_context(PeriodTable(period, where))
        years = period.years()
        parts = [main] if len(years) == 1 else [stack.enter_context(PeriodTable(p, where)) for p in years]
        total, breakdowns = _rollup(main, tuple(dimensions))
        result = KpiSet(period, total, breakdowns)
        _citizen_figures(main, parts, tuple(dimensions), threshold, total, result.breakdowns)
        if duration_by is not None:
            result.durations = durations_with_total(main, tuple(duration_by))
    return result
