"""The economy benchmark: the full KPI set for one period computed three ways on the same data,
timed in one run, with the answers checked against each other.

* ``engine``: roret's KPI layer as a page meets it: additive figures summed over the monthly
  rollup, the rest (distinct citizens, expensive cases, durations) stored while none of the
  period's months has changed (the first run computes and stores them).
* ``engine_cold``: the same with the stored figures dropped before every run: the rollup plus one
  temporary period table, as after a change to the period's months.
* ``loop``: a straightforward per-placement Python loop: read every placement active in the
  period with its tariffs, cost it with the single-placement function, add up in dicts.
* ``pandas``: read the period's cost segments into a DataFrame and do the same sums with
  vectorised int64 arithmetic and ``groupby``.

All three compute, for own citizens: cost own/external, income from sold places, place-days,
citizens, placements, new and ended placements, in total and by all eight dimensions;
expensive cases and §176 reimbursement per citizen; and the Kaplan–Meier median length of stay
in total and by paragraph. Run it with ``benchmarks/economy_kpi.py``.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable

from roret.core import periods
from roret.economy import engine, expensive, kpi
from roret.economy.duration import km_median

# The issue's seven breakdowns (the pages' extra "offer" dimension is not part of the set).
DIMS = ("paragraph", "offer_type", "account_function", "own_external", "provider", "centre", "target_group")


def _summary(total_cost: int, income: int, days: int, citizens: int, expensive: int, reimbursement: int,
             by_dim: dict[str, dict], km: int | None, km_by_paragraph: dict) -> dict:
    return {"cost_total_ore": total_cost, "income_sold_ore": income, "place_days": days, "citizens": citizens,
            "expensive_cases": expensive, "reimbursement_ore": reimbursement,
            "cost_by_dimension": {d: {str(k): v for k, v in sorted(rows.items(), key=lambda kv: str(kv[0]))}
                                  for d, rows in by_dim.items()},
            "km_median_days": km, "km_median_by_paragraph": {str(k): v for k, v in sorted(km_by_paragraph.items())}}


# ---- the engine ------------------------------------------------------------------------------

def run_engine(period: periods.Period) -> dict:
    result = kpi.kpis(period, DIMS, duration_by=("paragraph",))
    t = result.total
    by_dim = {d: {r.key: r.cost_total for r in rows if r.cost_total} for d, rows in result.breakdowns.items()}
    durations = result.durations
    return _summary(t.cost_total, t.income_sold, t.place_days, t.citizens, t.expensive_cases, t.reimbursement,
                    by_dim, durations[None][None].km_median_days if None in durations[None] else None,
                    {k: d.km_median_days for k, d in durations["paragraph"].items()})


def run_engine_cold(period: periods.Period) -> dict:
    """The engine with no stored figures: the rollup's additive figures, the rest from a period
    table built for the run (as the first request after a change to the period's months)."""
    from roret.economy.models import StoredFigure

    StoredFigure.objects.all().delete()
    return run_engine(period)


# ---- the straightforward Python loop ----------------------------------------------------------

def run_loop(period: periods.Period) -> dict:
    from django.conf import settings

    from roret.citizens.models import Citizen
    from roret.placements.models import Placement

    own_code = settings.RORET["MUNICIPALITY_CODE"]
    targets: dict[int, int] = {}
    for cid, term in Citizen.target_groups.through.objects.order_by("citizen_id", "pk").values_list(
            "citizen_id", "term_id"):
        targets.setdefault(cid, term)
    placements = (Placement.objects.overlapping(period.start, period.end)
                  .select_related("offer__provider", "grant").prefetch_related("offer__tariffs", "tariffs"))
    a, b = period.start, period.end
    by_dim: dict[str, dict] = {d: defaultdict(int) for d in DIMS}
    total = income = days = 0
    citizens: set[int] = set()
    per_citizen: dict[int, int] = defaultdict(int)
    entries: dict = defaultdict(lambda: defaultdict(int))
    exits: dict = defaultdict(lambda: defaultdict(int))
    for p in placements:
        rows, hours = engine.placement_rows(p)
        cost = engine.cost_ore(p.start, p.end, rows, a, b, hours)
        overlap = ((min(b, p.end) if p.end else b) - max(a, p.start)).days
        if p.paying_municipality != own_code:
            income += cost
            continue
        total += cost
        days += overlap
        citizens.add(p.citizen_id)
        per_citizen[p.citizen_id] += cost
        keys = {"paragraph": p.grant.paragraph, "offer_type": p.offer.offer_type_id,
                "account_function": p.offer.account_function, "own_external": p.offer.provider.kind == "own",
                "provider": p.offer.provider_id, "centre": p.offer.provider.centre_id,
                "target_group": targets.get(p.citizen_id)}
        for d in DIMS:
            by_dim[d][keys[d]] += cost
        entry = max(0, (a - p.start).days)
        ended = p.end is not None and p.end <= b
        exit_ = ((p.end if ended else b) - p.start).days
        for key in (None, ("paragraph", keys["paragraph"])):
            entries[key][entry] += 1
            exits[key][(exit_, ended)] += 1
    limit = expensive.annual_limit_ore(period, expensive.expensive_threshold())
    levels = expensive.levels_for(period.start.year)
    n_expensive = sum(1 for cost in per_citizen.values() if cost > limit)
    reimbursement = sum(expensive.reimbursement_ore(cost, levels) for cost in per_citizen.values())
    by_dim = {d: {k: v for k, v in rows.items() if v} for d, rows in by_dim.items()}
    return _summary(total, income, days, len(citizens), n_expensive, reimbursement, by_dim,
                    km_median(entries[None], exits[None]),
                    {key[1]: km_median(entries[key], exits[key]) for key in entries if key is not None})


# ---- pandas -------------------------------------------------------------------------------

def run_pandas(period: periods.Period) -> dict:
    import numpy as np
    import pandas as pd
    from django.db import connection

    a, b = period.start.toordinal(), period.end.toordinal()
    columns = ["placement_id", "citizen_id", "offer_id", "provider_id", "centre_id", "offer_type_id",
               "target_group_id", "own", "sold", "paragraph", "account_function", "placement_start",
               "placement_end", "start_day", "end_day", "cum0", "rate"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM economy_costsegment WHERE end_day > %s AND start_day < %s",
                       [a, b])
        df = pd.DataFrame.from_records(cursor.fetchall(), columns=columns)
    lo = np.maximum(df["start_day"].to_numpy(np.int64), a)
    hi = np.minimum(df["end_day"].to_numpy(np.int64), b)
    start, cum0, rate = (df[c].to_numpy(np.int64) for c in ("start_day", "cum0", "rate"))
    df["ore"] = (cum0 + rate * (hi - start) + engine.HALF) // engine.Q - (cum0 + rate * (lo - start) + engine.HALF) // engine.Q
    df["days"] = hi - lo
    keys = [c for c in columns if c not in ("start_day", "end_day", "cum0", "rate")]
    per = df.groupby("placement_id", sort=False).agg(
        **{c: (c, "first") for c in keys if c != "placement_id"}, ore=("ore", "sum"), days=("days", "sum"))
    sold = per["sold"].astype(bool)
    own_cit = per[~sold]
    income = int(per.loc[sold, "ore"].sum())
    column = {"paragraph": "paragraph", "offer_type": "offer_type_id", "account_function": "account_function",
              "own_external": "own", "provider": "provider_id", "centre": "centre_id",
              "target_group": "target_group_id"}
    by_dim = {}
    for d in DIMS:
        sums = own_cit.groupby(own_cit[column[d]].astype(object).where(own_cit[column[d]].notna(), None),
                               dropna=False)["ore"].sum()
        by_dim[d] = {(bool(k) if d == "own_external" else (None if k is None or k != k else
                     (int(k) if isinstance(k, float) else k))): int(v) for k, v in sums.items() if v}
    per_citizen = own_cit.groupby("citizen_id")["ore"].sum()
    limit = expensive.annual_limit_ore(period, expensive.expensive_threshold())
    levels = expensive.levels_for(period.start.year)
    # §176 in integer arithmetic: rates have three decimals, so milli-øre are exact; round half up per citizen.
    costs = per_citizen.to_numpy(np.int64)
    milli = np.zeros_like(costs)
    for i, (threshold, rate_) in enumerate(levels):
        upper = levels[i + 1][0] if i + 1 < len(levels) else np.iinfo(np.int64).max
        milli += int(rate_ * 1000) * np.clip(np.minimum(costs, upper) - threshold, 0, None)
    reimbursement = int(((milli + 500) // 1000).sum())
    ps = own_cit["placement_start"].to_numpy(np.int64)
    pe = own_cit["placement_end"].astype("float64").to_numpy()
    ended = ~np.isnan(pe) & (pe <= b)
    entry = np.where(ps < a, a - ps, 0)
    exit_ = np.where(ended, np.nan_to_num(pe, nan=b), b).astype(np.int64) - ps
    frame = pd.DataFrame({"paragraph": own_cit["paragraph"].to_numpy(), "entry": entry, "exit": exit_, "ended": ended})

    def km(f):
        entries = f.groupby("entry").size().to_dict()
        exits = f.groupby(["exit", "ended"]).size().to_dict()
        return km_median({int(k): int(v) for k, v in entries.items()},
                         {(int(x), bool(e)): int(v) for (x, e), v in exits.items()})

    return _summary(int(own_cit["ore"].sum()), income, int(own_cit["days"].sum()), int(own_cit["citizen_id"].nunique()),
                    int((per_citizen > limit).sum()), int(reimbursement), by_dim, km(frame),
                    {p: km(f) for p, f in frame.groupby("paragraph")})


RUNNERS: dict[str, Callable[[periods.Period], dict]] = {"engine": run_engine, "engine_cold": run_engine_cold,
                                                        "loop": run_loop, "pandas": run_pandas}


def benchmark(period: periods.Period, repeats: dict[str, int]) -> dict:
    """Median seconds per method, the ratios to the engine, and whether the answers agree."""
    out: dict = {"period": [period.start.isoformat(), period.end.isoformat()], "seconds": {}, "runs": {}}
    answers = {}
    for name, n in repeats.items():
        if not n:
            continue
        times = []
        for _ in range(n):
            started = time.perf_counter()
            answers[name] = RUNNERS[name](period)
            times.append(time.perf_counter() - started)
        out["runs"][name] = [round(t, 4) for t in times]
        out["seconds"][name] = round(statistics.median(times), 4)
    for name in ("engine", "engine_cold"):
        engine_s = out["seconds"].get(name)
        if engine_s:
            out[f"times_slower_than_{name}"] = {k: round(v / engine_s, 1) for k, v in out["seconds"].items()}
    reference = answers.get("engine")
    out["agree_with_engine"] = {k: v == reference for k, v in answers.items()}
    if reference:
        out["figures"] = {k: v for k, v in reference.items() if not isinstance(v, dict)}
    out["differences"] = {k: [f for f in v if v[f] != reference[f]] for k, v in answers.items()
                          if reference and v != reference}
    return out
