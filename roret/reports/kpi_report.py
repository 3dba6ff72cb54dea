"""The KPI report's content: key figures, trends, breakdowns, duration and self-sufficiency, as
tables and charts that the economy pages, the committee PDF and the Excel export all render.

Nothing here computes a figure: every number comes from the request's one
:class:`roret.economy.kpi.Figures`, which the caller opens (one period table per distinct
period, however many tables show that period).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from roret.core import periods
from roret.core.permissions import suppresses
from roret.economy import kpi
from roret.economy.models import SelfSufficiencyTarget
from roret.reports.toolkit.charts import Series, bar_chart, line_chart
from roret.reports.toolkit.tables import Column, Table, build_table

MIO = Decimal(1_000_000)
REPORT_DIMENSIONS = ("paragraph", "account_function", "own_external", "centre", "target_group")


def dimension_titles() -> dict[str, str]:
    return {
        "paragraph": _("Legal basis"), "offer_type": _("Offer type (FFB)"),
        "account_function": _("Account function"), "own_external": _("Own or external"),
        "provider": _("Provider"), "centre": _("Centre"), "target_group": _("Target group"), "offer": _("Offer"),
    }


def figure_columns(first: str) -> list[Column]:
    return [
        Column("label", first, "text"),
        Column("citizens", _("Citizens"), citizen_count=True),
        Column("placements", _("Placements")),
        Column("place_days", _("Place-days")),
        Column("cost_total", _("Cost (kr.)"), "money"),
        Column("cost_own", _("In own offers (kr.)"), "money"),
        Column("cost_external", _("In external offers (kr.)"), "money"),
        Column("cost_per_placement_year", _("Cost per placement-year (kr.)"), "money"),
        Column("self_sufficiency_days", _("Self-sufficiency, place-days"), "pct"),
        Column("new_placements", _("New placements"), citizen_count=True),
        Column("ended_placements", _("Ended placements"), citizen_count=True),
        Column("expensive_cases", _("Expensive cases"), citizen_count=True),
        Column("income_sold", _("Income, sold places (kr.)"), "money"),
    ]


def _labelled(row: kpi.Row, label: str) -> dict:
    data = row.as_dict()
    data["label"] = label
    return data


def key_figures(figures: kpi.Figures, period: periods.Period, suppress: bool, threshold=None) -> Table:
    """This period, the one before and the same period a year earlier."""
    items = []
    for p in (period, period.previous(1)[0], period.year_earlier()):
        result = figures.kpis(p, (), threshold=threshold)
        items.append(_labelled(result.total, p.label))
    return build_table(_("Key figures"), figure_columns(_("Period")), items, suppress=suppress)


def breakdown_table(result: kpi.KpiSet, dimension: str, suppress: bool) -> Table:
    titles = dimension_titles()
    items = [_labelled(r, r.label) for r in result.breakdowns[dimension]]
    items.sort(key=lambda d: -d["cost_total"] - d["income_sold"])
    total = _labelled(result.total, _("Total"))
    return build_table(titles[dimension], figure_columns(titles[dimension]), items, total=total, suppress=suppress)


def duration_table(result: kpi.KpiSet, dimension: str, suppress: bool) -> Table:
    """Length of stay per value of ``dimension``, from a KPI set made with ``duration_by`` naming it."""
    citizens = {r.key: r.citizens for r in result.breakdowns.get(dimension, [])}
    labels = {r.key: r.label for r in result.breakdowns.get(dimension, [])}
    found = result.durations[dimension]
    items = [{"label": labels.get(k, str(k)), "citizens": citizens.get(k, 0), **d.as_dict()}
             for k, d in sorted(found.items(), key=lambda kv: labels.get(kv[0], str(kv[0])))]
    total = result.durations[None].get(None)
    columns = [
        Column("label", dimension_titles()[dimension], "text"),
        Column("citizens", _("Citizens"), citizen_count=True),
        Column("completed", _("Completed stays"), citizen_count=True),
        Column("completed_mean_days", _("Average completed stay (days)"), "days", of="completed"),
        Column("ongoing", _("Ongoing stays"), citizen_count=True),
        Column("ongoing_mean_days", _("Ongoing so far, average (days)"), "days", of="ongoing"),
        Column("km_median_days", _("Median stay, Kaplan–Meier (days)"), "days"),
    ]
    total_item = {"label": _("Total"), "citizens": result.total.citizens, **total.as_dict()} if total else None
    return build_table(_("Length of stay"), columns, items, total=total_item, suppress=suppress,
                       note=_("Ongoing stays are censored at the period's end; the Kaplan–Meier median counts them."))


def cost_trend_chart(rows: list[tuple[periods.Period, kpi.Row]], title: str | None = None):
    labels = [p.label for p, _r in rows]
    return bar_chart(
        [Series(_("Own offers"), [kpi.kroner(r.cost_own) / MIO for _p, r in rows]),
         Series(_("External offers"), [kpi.kroner(r.cost_external) / MIO for _p, r in rows])],
        x_labels=labels, stacked=True, decimals=1, y_label=_("mio. kr."),
        title=title or _("Cost of own citizens' placements"))


def quantity_trend_chart(rows: list[tuple[periods.Period, kpi.Row]]):
    labels = [p.label for p, _r in rows]
    return line_chart(
        [Series(_("Citizens"), [r.citizens for _p, r in rows]),
         Series(_("Placements"), [r.placements for _p, r in rows]),
         Series(_("New placements"), [r.new_placements for _p, r in rows], dashed=True),
         Series(_("Ended placements"), [r.ended_placements for _p, r in rows], dashed=True)],
        x_labels=labels, title=_("Quantity"), y_label=_("number"))


def self_sufficiency(figures: kpi.Figures, years: range, today: datetime.date | None = None) -> list[dict]:
    """Per year: the rate by place-days and by cost, and the target (a part year up to ``today``)."""
    today = today or datetime.date.today()
    targets = dict(SelfSufficiencyTarget.objects.values_list("year", "target"))
    out = []
    for year in years:
        start = datetime.date(year, 1, 1)
        end = min(datetime.date(year + 1, 1, 1), max(today, start + datetime.timedelta(days=1)))
        part = periods.Period(start, end)
        row = figures.totals(part)
        # A whole year by its number, a half-year by its label ("2026 H1"), else "to date".
        out.append({"year": year, "label": part.label if part.kind else f"{year} ({_('to date')})",
                     "citizens": row.citizens, "self_sufficiency_days": row.self_sufficiency_days,
                     "self_sufficiency_cost": row.self_sufficiency_cost, "target": targets.get(year),
                     "place_days": row.place_days, "cost_total": kpi.kroner(row.cost_total),
                    "cost_own": kpi.kroner(row.cost_own)})
    return out


def self_sufficiency_chart(rows: list[dict]):
    return line_chart(
        [Series(_("By place-days"), [r["self_sufficiency_days"] for r in rows]),
         Series(_("By cost"), [r["self_sufficiency_cost"] for r in rows]),
         Series(_("Target"), [r["target"] for r in rows], color="#1a1a1a", dashed=True)],
        x_labels=[str(r["year"]) for r in rows], percent=True, y_min=0, y_max=100,
        title=_("Self-sufficiency rate against the target"), y_label="%")


def self_sufficiency_table(rows: list[dict], suppress: bool) -> Table:
    columns = [Column("label", _("Year"), "text"), Column("citizens", _("Citizens"), citizen_count=True),
               Column("self_sufficiency_days", _("By place-days"), "pct"),
               Column("self_sufficiency_cost", _("By cost"), "pct"), Column("target", _("Target"), "pct")]
    return build_table(_("Self-sufficiency rate"), columns, rows, suppress=suppress)


def contribution_table(figures: kpi.Figures, period: periods.Period, suppress: bool) -> Table:
    """Each own offer's share of own citizens' place-days and cost (percentage points of the rate)."""
    total = figures.totals(period)
    items = []
    for r in figures.breakdown(period, "offer"):
        # Own citizens' place-days are own place-days only in own offers: an external offer has
        # none, nor has an own offer used only by other municipalities' citizens.
        if not r.days_own:
            continue
        items.append({"label": r.label, "citizens": r.citizens, "place_days": r.place_days,
                      "cost_total": kpi.kroner(r.cost_total),
                      "points_days": kpi.share(r.days_own, total.place_days),
                      "points_cost": kpi.share(r.cost_own, total.cost_total)})
    items.sort(key=lambda d: -(d["points_days"] or 0))
    columns = [Column("label", _("Own offer"), "text"), Column("citizens", _("Citizens"), citizen_count=True),
               Column("place_days", _("Place-days, own citizens")), Column("cost_total", _("Cost (kr.)"), "money"),
               Column("points_days", _("Contribution, place-days (points)"), "pct"),
               Column("points_cost", _("Contribution, cost (points)"), "pct")]
    # The rows add up to the key figures' own-offer cost and self-sufficiency: totals shown elsewhere.
    return build_table(_("Contribution of each own offer") + f" · {period.label}", columns, items, suppress=suppress,
                       implied_total=True)


def quality_of_life_items(period: periods.Period, centre_id: int | None = None) -> list[tuple[str, list[dict], dict]]:
    """Per instrument measured in ``period`` (WHO-5 always): (name, the self-reported and the
    staff-reported row, the row of all its measurements), from one aggregate query
    (roret.outcomes.queries.measured_in). Each row counts measurements, citizens measured and the
    mean score; the two rows' measurements add up to the whole's, their citizens need not (a
    citizen measured both ways is counted in each)."""
    from roret.outcomes import instruments, queries

    found = queries.measured_in(period.start, period.end, centre_id)
    codes = [instruments.WHO5.code, *sorted(code for code in found if code != instruments.WHO5.code)]
    out = []
    for code in codes:
        r = found.get(code, {})

        def row(label, suffix, r=r):
            mean = r.get(f"mean{suffix}")
            return {"label": label, "citizens": r.get(f"citizens{suffix}", 0),
                    "measurements": r.get(f"measurements{suffix}", 0),
                    "mean": None if mean is None else Decimal(str(mean)).quantize(Decimal("0.1"))}

        name = instruments.REGISTRY[code].name if code in instruments.REGISTRY else code
        out.append((name, [row(_("Self-reported (the citizen answered themself)"), "_self"),
                           row(_("Staff-reported"), "_staff")], row(_("All measurements"), "")))
    return out


def quality_of_life_tables(period: periods.Period, suppress: bool, centre_id: int | None = None) -> list[Table]:
    """The KPI layer's quality-of-life figures: one table per instrument, self-reported and
    staff-reported measurements counted apart, with the committee's small-cell rule (a row of 1-4
    citizens is hidden, and the other row with it, since the whole row would give it away)."""
    columns = [Column("label", _("Reported by"), "text"),
               Column("citizens", _("Citizens measured"), citizen_count=True),
               Column("measurements", _("Measurements"), citizen_count=True),
               Column("mean", _("Mean score (0-100)"), "score", of="citizens")]
    tables = []
    for name, items, total in quality_of_life_items(period, centre_id):
        table = build_table(f"{_('Quality of life')}: {name} · {period.label}", columns, items, total=total,
                            suppress=suppress)
        if suppress and _overlap_gives_away(items, total):
            _hide_rows(table)
        table.key = f"quality_of_life:{name}"
        tables.append(table)
    return tables


def _overlap_gives_away(items: list[dict], total: dict) -> bool:
    """Whether the two rows' citizens, which overlap (a citizen measured both ways is in both), give
    a group of 1-4 away beside the total: measured only by themselves (total - staff's), only by staff
    (total - self's), or both ways (self's + staff's - total)."""
    from roret.reports.toolkit.suppression import small

    own, staff, whole = items[0]["citizens"], items[1]["citizens"], total["citizens"]
    return any(small(n) for n in (whole - staff, whole - own, own + staff - whole))


def _hide_rows(table: Table) -> None:
    """Hide the figures of every row (the total stays): the committee's rule for rows that overlap."""
    from roret.reports.toolkit import suppression

    for row in table.rows:
        for cell in row:
            cell.suppressed = cell.suppressed or cell.kind != "text"
    if not table.suppressed_any:
        table.note = (table.note + " " if table.note else "") + str(suppression.NOTE)
    table.suppressed_any = True


def build_report(period: periods.Period, user, where: Q | None = None, today: datetime.date | None = None,
                 progress=None, centre_id: int | None = None) -> dict:
    """Everything the half-yearly KPI report shows, for ``user`` (suppressed for the committee),
    from one :class:`~roret.economy.kpi.Figures`: one period table per distinct period.

    ``progress(percent, message)`` is told how far the build has come (a background job shows it).
    ``centre_id`` (a centre leader's scope, as ``where``) narrows the quality-of-life figures to the
    citizens placed in the centre's offers.
    """
    progress = progress or (lambda percent, message: None)
    suppress = suppresses(user)
    with kpi.Figures(where) as figures:
        progress(5, _("Key figures and breakdowns"))
        result = figures.kpis(period, REPORT_DIMENSIONS, duration_by=("paragraph",))
        progress(35, _("Trend over the previous periods"))
        rows = figures.trend(period, 5)
        progress(55, _("Self-sufficiency"))
        first_target = SelfSufficiencyTarget.objects.order_by("year").values_list("year", flat=True).first()
        ss_years = range(first_target or period.start.year - 5,
                         period.end.year + (period.end.month > 1 or period.end.day > 1))
        ss_rows = self_sufficiency(figures, ss_years, today=min(today or datetime.date.today(), period.end))
        progress(75, _("Comparison periods"))
        return {
            "period": period, "suppress": suppress, "result": result,
            "key_figures": key_figures(figures, period, suppress),
            "cost_chart": cost_trend_chart(rows), "quantity_chart": quantity_trend_chart(rows),
            "trend_table": build_table(_("Trend"), figure_columns(_("Period")),
                                       [_labelled(r, p.label) for p, r in rows], suppress=suppress),
            "breakdowns": [breakdown_table(result, dim, suppress) for dim in REPORT_DIMENSIONS],
            "duration": duration_table(result, "paragraph", suppress),
            "self_sufficiency_chart": self_sufficiency_chart(ss_rows),
            "self_sufficiency": self_sufficiency_table(ss_rows, suppress),
            "contributions": contribution_table(figures, period, suppress),
            "quality_of_life": quality_of_life_tables(period, suppress, centre_id),
        }


def report_tables(report: dict) -> list[Table]:
    """The report's tables in reading order (what the Excel export writes, one sheet each)."""
    return [report["key_figures"], report["trend_table"], *report["breakdowns"], report["duration"],
            report["self_sufficiency"], report["contributions"], *report.get("quality_of_life", [])]
