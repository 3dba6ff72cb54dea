"""Citizen-level figures: exceptionally expensive cases and the state reimbursement of them
(SEL §176), on a period table's per-citizen sums.

A citizen is expensive when their cost in the period, at a yearly rate, exceeds the threshold
(2 mio. kr. unless the municipality says otherwise); reimbursement is per citizen and calendar
year, each rate on the part of the year's cost above its threshold, and is split over the
breakdown rows their cost fell in, in proportion to that cost (largest remainder), so the rows
add up to the total to the øre.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from roret.core.periods import Period
from roret.economy import engine
from roret.economy.models import ReimbursementLevel
from roret.economy.segments import DIMENSIONS
from roret.economy.sql import GRAIN, PeriodTable

DEFAULT_EXPENSIVE_THRESHOLD = Decimal("2000000")


def normalise(dimension: str | None, key):
    """A dimension value as Python sees it: booleans come back as 0/1 from SQLite and as bool
    from PostgreSQL."""
    return bool(key) if dimension == "own_external" and key is not None else key


def expensive_threshold() -> Decimal:
    """The yearly cost above which a citizen is an exceptionally expensive case."""
    return Decimal(str(settings.RORET.get("EXPENSIVE_CASE_THRESHOLD", DEFAULT_EXPENSIVE_THRESHOLD)))


def annual_limit_ore(period: Period, threshold: Decimal) -> int:
    """The cost in the period that matches ``threshold`` a year (whole months by months, else by days)."""
    months = period.months
    scaled = threshold * months / 12 if months else threshold * period.days / engine.YEAR_DAYS
    return int((scaled * 100).to_integral_value(rounding=ROUND_HALF_UP))


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


def reimbursements_in(table: PeriodTable, levels: list[tuple[int, Decimal]]) -> dict[tuple[int, int], int]:
    """{(citizen id, year): øre} for a period table within one calendar year, at ``levels``."""
    if not levels:
        return {}
    year = table.period.start.year
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


def citizen_figures(main: PeriodTable, parts: list[PeriodTable], dimensions, threshold: Decimal | None,
                    total, breakdowns: dict[str, list], *, offer_keys: dict, levels=None) -> None:
    """Expensive cases and reimbursement on the total and every breakdown row.

    A citizen is expensive by their cost in the whole period (at a yearly rate); reimbursement is
    per citizen and calendar year and is split over the rows their cost fell in, in proportion to
    that cost (largest remainder), so the rows add up to the total to the øre. An expensive
    citizen counts once in each row their cost fell in.
    """
    levels_for_year = levels or levels_for
    threshold = expensive_threshold() if threshold is None else threshold
    year_levels = {part.period.start.year: levels_for_year(part.period.start.year) for part in parts}
    year_levels.setdefault(main.period.start.year, levels_for_year(main.period.start.year))
    # Stored with the period's other figures, keyed on what else goes in: the threshold and levels.
    key = ("citizen_figures", tuple(dimensions), str(threshold), tuple(sorted(
        (y, tuple((t, str(r)) for t, r in lv)) for y, lv in year_levels.items())),
        tuple(p.period for p in parts))
    found = main.remember(key, lambda: _citizen_figures(main, parts, dimensions, threshold, offer_keys,
                                                         year_levels.__getitem__))
    total.expensive_cases, total.reimbursement = found[None]
    for d in dimensions:
        for r in breakdowns[d]:
            r.expensive_cases, r.reimbursement = found[d].get(r.key, (0, 0))


def _citizen_figures(main: PeriodTable, parts: list[PeriodTable], dimensions, threshold: Decimal, offer_keys: dict,
                     levels_for_year) -> dict:
    """{None: (expensive, reimbursement øre), dimension: {key: (expensive, reimbursement øre)}}."""
    from roret.economy.kpi import Row

    total = Row()
    breakdowns = {d: {} for d in dimensions}

    def entry(d, key):
        if key not in breakdowns[d]:
            breakdowns[d][key] = Row(key=key)
        return breakdowns[d][key]

    limit = annual_limit_ore(main.period, threshold)
    # Citizen rows come grouped by (citizen, offer, paragraph, target group), which fix every
    # dimension; the offer's dimension values come from the finest-grain rows already read.
    columns = ("offer_id", "paragraph", "target_group_id") if dimensions else ()
    grain_at = {name: i for i, name in enumerate(GRAIN)}

    def key_of(d, row):
        column = DIMENSIONS[d]
        if column == "paragraph":
            return row[2]
        if column == "target_group_id":
            return row[3]
        if column == "offer_id":
            return row[1]
        return normalise(d, offer_keys[row[1]][grain_at[column]])

    # One period within one year (the usual case): the expensive citizens are among those above
    # the lowest reimbursement threshold, so one GROUP BY citizen ... HAVING serves both.
    single = len(parts) == 1 and parts[0] is main
    levels = levels_for_year(main.period.start.year) if single else []
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
        for key, cids in in_rows[d].items():
            entry(d, key).expensive_cases = len(cids)
    for part in parts:
        if single:
            reimb = {(cid, part.period.start.year): amount for cid, cost in per_citizen.items()
                     if levels and (amount := reimbursement_ore(cost, levels))}
        else:
            reimb = reimbursements_in(part, levels_for_year(part.period.start.year))
        total.reimbursement += sum(reimb.values())
        if not columns or not reimb:
            continue
        levels_part = levels_for_year(part.period.start.year)
        amounts = {cid: amount for (cid, _year), amount in reimb.items()}
        rows = shared_rows if single else part.citizen_rows(levels_part[0][0], columns)
        cids = [r[0] for r in rows]
        weights = [int(r[-1]) for r in rows]
        for d in dimensions:
            for key, share in allocate(amounts, cids, [key_of(d, r) for r in rows], weights).items():
                entry(d, key).reimbursement += share
    return {None: (total.expensive_cases, total.reimbursement),
            **{d: {k: (r.expensive_cases, r.reimbursement) for k, r in rows.items()} for d, rows in breakdowns.items()}}
