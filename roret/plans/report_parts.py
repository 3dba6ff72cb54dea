"""The status report's sections built from the realised effects, the lights and the balance view.

The initiatives' table is one table over the whole plan, so the committee's suppression can hide
an initiative whose realised effect comes from 1-4 citizens together with as few others as
needed that the per-year realised total in the plan's table cannot give it away
(``implied_total``); a year's realised total from 1-4 citizens is hidden itself.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from roret.core import periods
from roret.plans.models import LightColour, Plan
from roret.reports.toolkit.suppression import small
from roret.reports.toolkit.tables import Column, Table, build_table

ZERO = Decimal(0)


@dataclass
class InitiativeFigures:
    #: year -> realised effect (kr.) of every initiative, the years of the plan up to the report's
    realised_by_year: dict[int, Decimal] = field(default_factory=dict)
    #: year -> the number of citizens behind that realised total
    citizens_by_year: dict[int, int] = field(default_factory=dict)
    #: initiative id -> the report year's InitiativeRealised
    year: dict = field(default_factory=dict)
    #: initiative id -> LightState for the report's half-year
    lights: dict = field(default_factory=dict)


def initiative_rows(plan: Plan, period: periods.Period, as_of: datetime.date, suppress: bool) -> InitiativeFigures:
    from roret.plans.effects import realised_for_plan
    from roret.plans.lights import lights_for
    from roret.plans.status_report import half_value

    out = InitiativeFigures()
    report_year = period.start.year
    for year in range(plan.first_year, min(plan.last_year, report_year) + 1):
        day = min(as_of, datetime.date(year, 12, 31))
        realised = realised_for_plan(plan, year, today=day)
        out.realised_by_year[year] = sum((r.realised_this_year for r in realised.values()), ZERO)
        out.citizens_by_year[year] = len({e.citizen_id for r in realised.values() for e in r.events})
        if year == report_year:
            out.year = realised
    if out.year:
        out.lights = lights_for(plan, half_value(period), today=as_of, realised=out.year)
    if suppress:
        for year, citizens in out.citizens_by_year.items():
            if small(citizens):
                out.realised_by_year.pop(year)  # shown as "–" with the note below the table
    return out


def _light_label(colour: str) -> str:
    return {LightColour.GREEN: _("green"), LightColour.YELLOW: _("yellow"), LightColour.RED: _("red")}.get(colour, "–")


def track_sections(plan: Plan, period: periods.Period, figures: InitiativeFigures, suppress: bool) -> list:
    from roret.plans.status_report import Block, Section

    initiatives = list(plan.initiatives.select_related("track", "responsible", "responsible_centre")
                       .order_by("track__position", "position", "pk"))
    year = period.start.year
    columns = [
        Column("label", _("Initiative"), "text"), Column("light", _("Light"), "text"),
        Column("expected", _("Expected %(year)d (kr.)") % {"year": year}, "money"),
        Column("realised", _("Realised so far (kr.)"), "money", of="citizens"),
        Column("committed", _("Full-year effect of events made (kr.)"), "money", of="citizens"),
        Column("spent", _("Investments spent (kr.)"), "money"),
        Column("citizens", _("Citizens"), citizen_count=True),
    ]
    items = []
    for initiative in initiatives:
        realised = figures.year.get(initiative.pk)
        light = figures.lights.get(initiative.pk)
        label = f"{initiative.track.number}. {initiative.title}" if initiative.track_id else initiative.title
        items.append({
            "label": label, "light": _light_label(light.colour) if light else "–",
            "expected": realised.expected if realised else None,
            "realised": realised.realised_this_year if realised else None,
            "committed": realised.committed_full_year if realised else None,
            "spent": realised.investments_spent if realised else None,
            "citizens": realised.citizens if realised else 0,
        })
    note = _("Savings are negative. Realised: the effect so far this year of the case events that realise the "
             "initiative (from the event to the year's end or the placement's end), computed with the cost engine, "
             "plus manual effects. Full-year: 365 days at the difference.")
    table = build_table(_("Initiatives %(label)s") % {"label": period.label}, columns, items, suppress=suppress,
                        note=note, implied_total=True)
    sections = [Section(_("Initiatives, lights and realised effects"), [
        Block("text", _("The light per initiative: green, the year's expected effect is achieved; yellow, it is "
                        "expected to be achieved within the year (realised so far plus the full-year effect of "
                        "events already made); red, it is not expected this year. roret proposes the light from the "
                        "figures; the responsible person may set another with a written remark.")),
        Block("table", table=table)], key="initiatives")]
    for track in plan.tracks.order_by("position", "number"):
        lights = []
        for initiative in (i for i in initiatives if i.track_id == track.pk):
            state = figures.lights.get(initiative.pk)
            if state is None:
                continue
            remark = state.current.remark if state.current else ""
            who = ""
            if state.current and state.current.set_by:
                who = _("set by %(who)s") % {"who": state.current.set_by.get_full_name() or state.current.set_by}
            label = _light_label(state.colour) + (f" ({who})" if who else f" ({_('proposed by roret')})")
            lights.append({"title": initiative.title, "colour": state.colour, "label": label, "remark": remark})
        blocks = [Block("lights", lights=lights)] if lights else [Block("text", _("No initiatives under this track."))]
        sections.append(Section(_("Track %(number)s: %(name)s") % {"number": track.number, "name": track.name},
                                blocks, level=3, key=f"track-{track.number}"))
    return sections


def balance_section(period: periods.Period, as_of: datetime.date, suppress: bool):
    """The balance view of the department: each figure in the eight half-years up to the report's,
    with its target; hidden values (1-4 citizens) read "skjult" for the committee."""
    from roret.balance.figures import PERSPECTIVES, balance
    from roret.plans.status_report import Block, Chart, Section
    from roret.reports.toolkit.tables import Cell

    halves = [*period.previous(7), period]
    view = balance(None, halves=halves, today=as_of, suppress=suppress)
    labels = [h.label for h in halves]
    blocks = [Block("text", _("The balance model weighs people, practice and economy equally: each figure in the "
                              "last eight half-years, with its target where one is set."))]
    for key, title in PERSPECTIVES.items():
        title = str(title)
        columns = [Column("label", title, "text"), *(Column(f"h{i}", label, "text") for i, label in enumerate(labels)),
                   Column("target", _("Target"), "text")]
        table = Table(title, columns)
        for figure in view.perspective(key):
            row = [Cell(figure.label, "text")]
            for value in figure.values:
                row.append(Cell(_format(value.value, figure.unit), "text", suppressed=value.hidden))
                table.suppressed_any |= value.hidden
            row.append(Cell(_format(figure.target, figure.unit) if figure.target is not None else "–", "text"))
            table.rows.append(row)
        if table.suppressed_any:
            from roret.reports.toolkit import suppression

            table.note = str(suppression.NOTE)
        blocks.append(Block("table", table=table))
    for key in ("who5_mean", "self_sufficiency"):
        figure = view.figure(key)
        blocks.append(Block("chart", chart=Chart(figure.label, labels, [(figure.label, [v.shown for v in figure.values])],
                                                 y_label="%" if figure.unit == "pct" else "")))
    return Section(_("The balance view"), blocks, key="balance")


def _format(value, unit: str) -> str:
    from roret.reports.toolkit.charts import format_da

    if value is None:
        return "–"
    if unit == "pct":
        return f"{format_da(value, 1)} %"
    if unit in ("score", "points"):
        return format_da(value, 1)
    return format_da(value, 0)
