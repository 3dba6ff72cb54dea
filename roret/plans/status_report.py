"""The half-yearly status report to the committee: one content, rendered as PDF (WeasyPrint) and as
an editable Word document (python-docx).

The content is a list of sections of blocks (text, report tables, charts). A report table is the
toolkit's :class:`~roret.reports.toolkit.tables.Table`, so the committee's suppression (cells of
1-4 citizens hidden, and as few others as needed) is decided once and both files show the same
cells. A chart is a :class:`Chart` spec drawn as SVG for the PDF (the toolkit, as on the pages)
and as PNG for Word (matplotlib), from the same numbers. The KPI section is the existing KPI
report's content, the capacity outlook the capacity pages' figures.

Sections: the plan's table (investments, expected and realised effects, totals per year); each
track with its initiatives, lights, realised savings and remarks; the KPI section; the capacity
outlook; the balance view.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from roret.core import periods
from roret.core.permissions import suppresses
from roret.plans.models import Plan
from roret.plans.table import in_unit, plan_table
from roret.reports.toolkit.charts import PALETTE, Series, bar_chart, format_da
from roret.reports.toolkit.tables import Column, Table, build_table

Progress = "callable(percent, message)"


class HalfError(ValueError):
    pass


def parse_half(text: str) -> periods.Period:
    """A half-year as 2026H1 or 2026-H1."""
    cleaned = (text or "").strip().upper().replace("-", "")
    try:
        year, half = cleaned.split("H")
        year, half = int(year), int(half)
    except ValueError:
        raise HalfError(_("Give the half-year as e.g. 2026H1 (got “%(text)s”).") % {"text": text}) from None
    if half not in (1, 2) or not 2000 <= year <= 2100:
        raise HalfError(_("Give the half-year as e.g. 2026H1 (got “%(text)s”).") % {"text": text})
    return periods.period_of("half", datetime.date(year, 1 if half == 1 else 7, 1))


def half_value(period: periods.Period) -> str:
    return f"{period.start.year}H{1 if period.start.month == 1 else 2}"


@dataclass
class Chart:
    """A bar chart spec: drawn as SVG for the PDF and as PNG for Word from the same numbers."""

    title: str
    x_labels: list[str]
    series: list[tuple[str, list]]
    y_label: str = ""
    description: str = ""

    def svg(self):
        return bar_chart([Series(name, values) for name, values in self.series], x_labels=self.x_labels,
                         title=self.title, y_label=self.y_label, description=self.description)

    def png(self) -> bytes:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
        from matplotlib.ticker import FuncFormatter

        figure, axes = pyplot.subplots(figsize=(6.4, 2.8), dpi=150)
        count = max(len(self.series), 1)
        width = 0.8 / count
        for i, (name, values) in enumerate(self.series):
            xs = [x + (i - (count - 1) / 2) * width for x in range(len(self.x_labels))]
            axes.bar(xs, [float(v) if v is not None else 0 for v in values], width=width, label=str(name),
                     color=PALETTE[i % len(PALETTE)])
        axes.set_xticks(range(len(self.x_labels)), self.x_labels)
        axes.axhline(0, color="#6f6f6f", linewidth=0.8)
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_da(v)))
        axes.set_title(str(self.title), fontsize=10, loc="left")
        axes.set_ylabel(str(self.y_label), fontsize=8)
        axes.tick_params(labelsize=8)
        axes.grid(axis="y", color="#d9d9d9", linewidth=0.6)
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.legend(fontsize=7, frameon=False, loc="best")
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png")
        pyplot.close(figure)
        return out.getvalue()


@dataclass
class Block:
    kind: str                      # text, table, chart, lights
    text: str = ""
    table: Table | None = None
    chart: Chart | None = None
    lights: list = field(default_factory=list)


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 2
    #: the KPI report's context, rendered by its own template part in the PDF
    kpi: dict | None = None
    key: str = ""


@dataclass
class StatusReport:
    plan: Plan
    period: periods.Period
    title: str
    subtitle: str
    suppress: bool
    made: datetime.date
    sections: list[Section]

    @property
    def half(self) -> str:
        return half_value(self.period)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


# --- the plan's table --------------------------------------------------------------------------------


def _unit_columns(years, unit_label: str) -> list[Column]:
    return [Column("label", _("Row"), "text"), Column("kind", _("Kind"), "text"),
            *(Column(f"y{y}", f"{y}", "money") for y in years)]


def plan_section(plan: Plan, realised_by_year: dict[int, Decimal]) -> Section:
    """The plan's table as adopted (investments and expected effects per row and year) with the
    totals, and the realised effects of the years up to the report's year beside them."""
    table = plan_table(plan)
    unit = plan.get_unit_display()
    items = []
    for row in table.rows:
        label = f"{row.track}. {row.label}" if row.track else row.label
        if row.has_investment:
            items.append({"label": label, "kind": _("Investment"),
                          **{f"y{y}": v for y, v in zip(table.years, row.investment, strict=True)}})
        items.append({"label": label, "kind": _("Expected effect"),
                      **{f"y{y}": v for y, v in zip(table.years, row.effect, strict=True)}})
    rows_table = build_table(_("Investments and expected effects (%(unit)s; savings negative)") % {"unit": unit},
                             _unit_columns(table.years, unit), items, suppress=False)
    realised = [in_unit(realised_by_year[y], plan) if y in realised_by_year else None for y in table.years]
    totals = build_table(_("Totals per year (%(unit)s)") % {"unit": unit}, _unit_columns(table.years, unit), [
        {"label": _("Investments in all"), "kind": "", **dict(zip((f"y{y}" for y in table.years),
                                                                  table.investment_totals, strict=True))},
        {"label": _("Expected effects in all"), "kind": "", **dict(zip((f"y{y}" for y in table.years),
                                                                       table.effect_totals, strict=True))},
        {"label": _("Net (investments + effects)"), "kind": "", **dict(zip((f"y{y}" for y in table.years),
                                                                           table.totals, strict=True))},
        {"label": _("Realised effects (from the case record)"), "kind": "",
         **dict(zip((f"y{y}" for y in table.years), realised, strict=True))},
    ], suppress=False)
    chart = Chart(_("Investments, expected effects and net per year"), [str(y) for y in table.years],
                  [(_("Investments"), table.investment_totals), (_("Expected effects"), table.effect_totals),
                   (_("Net"), table.totals), (_("Realised effects"), realised)],
                  y_label=unit, description=_("Savings are negative, as in the plan."))
    intro = _("The plan %(title)s, %(first)d–%(last)d. Investments and expected effects are estimates entered "
              "by the department; realised effects are computed from the case record.") % {
        "title": plan.title, "first": plan.first_year, "last": plan.last_year}
    return Section(_("The development plan"), [Block("text", intro), Block("table", table=rows_table),
                                               Block("table", table=totals), Block("chart", chart=chart)],
                   key="plan")


# --- the KPI section and the capacity outlook --------------------------------------------------------


def kpi_section(period: periods.Period, user, progress) -> Section:
    from roret.reports import kpi_report

    context = kpi_report.build_report(period, user, None, progress=progress)
    tables = kpi_report.report_tables(context)
    return Section(_("Price, quantity and duration (KPIs) %(label)s") % {"label": period.label},
                   [Block("table", table=t) for t in tables], kpi=context, key="kpi")


def capacity_section(day: datetime.date, suppress: bool) -> Section:
    from roret.capacity.groups import GROUPS
    from roret.capacity.models import PlanRun
    from roret.capacity.runs import yearly
    from roret.capacity.services import group_statuses

    statuses = group_statuses(GROUPS, day)
    columns = [Column("label", _("Offer group"), "text"), Column("places", _("Own places")),
               Column("citizens", _("Occupied"), citizen_count=True), Column("vacancy", _("Vacant")),
               Column("waiting", _("Waiting"), citizen_count=True),
               Column("external", _("In bought places"), citizen_count=True)]
    now = build_table(_("Own places today (%(day)s)") % {"day": day.strftime("%d.%m.%Y")}, columns, [
        {"label": str(s.group.label), "places": s.places, "citizens": s.occupied, "vacancy": s.vacancy,
         "waiting": s.waiting, "external": s.external_now} for s in statuses], suppress=suppress)
    blocks = [Block("text", _("Where the own offers stand today, and the latest capacity plan of each group: "
                              "the median of the simulated years ahead.")), Block("table", table=now)]
    outlook_items = []
    for status in statuses:
        run = (PlanRun.objects.filter(group=status.group.key, results__isnull=False, day__lte=day)
               .order_by("-day", "-created").first())
        if run is None or not run.results.get("scenarios"):
            continue
        for row in yearly(run.results["scenarios"][0]):
            outlook_items.append({"label": f"{status.group.label}, {run.day.year + row['year'] - 1}", "places": row["places"],
                                  "occupancy": round(row["occupancy"], 1), "external": round(row["external"], 1),
                                  "cost": row["cost"]})
    if outlook_items:
        blocks.append(Block("table", table=build_table(
            _("Capacity plan: the next five years (median of the simulations, baseline)"),
            [Column("label", _("Group and plan year"), "text"), Column("places", _("Own places")),
             Column("occupancy", _("Occupied (median)"), "days"), Column("external", _("In bought places (median)"), "days"),
             Column("cost", _("Expected cost (kr.)"), "money")], outlook_items, suppress=False)))
    else:
        blocks.append(Block("text", _("No capacity plan has been computed yet.")))
    return Section(_("Capacity outlook"), blocks, key="capacity")


# --- the report ---------------------------------------------------------------------------------------


def build(plan: Plan, period: periods.Period, user, *, today: datetime.date | None = None,
          progress=None) -> StatusReport:
    """The status report of ``plan`` for the half-year ``period``, as ``user`` may see it (the
    committee suppressed)."""
    from roret.plans import report_parts

    progress = progress or (lambda percent, message: None)
    today = today or timezone.localdate()
    suppress = suppresses(user)
    # Figures as they stood at the half-year's end (or today, for a half-year still running).
    as_of = min(today, period.end - datetime.timedelta(days=1))
    progress(5, _("The plan's table and realised effects"))
    initiatives = report_parts.initiative_rows(plan, period, as_of, suppress)
    sections = [plan_section(plan, initiatives.realised_by_year)]
    progress(15, _("Tracks, initiatives and lights"))
    sections += report_parts.track_sections(plan, period, initiatives, suppress)
    progress(25, _("KPIs"))
    sections.append(kpi_section(period, user, lambda percent, message: progress(25 + percent * 0.5, message)))
    progress(80, _("Capacity outlook"))
    sections.append(capacity_section(as_of, suppress))
    progress(88, _("Balance view"))
    sections.append(report_parts.balance_section(period, as_of, suppress))
    return StatusReport(
        plan=plan, period=period, suppress=suppress, made=today, sections=sections,
        title=_("Status on the development plan, %(label)s") % {"label": period.label},
        subtitle=f"{settings.RORET['MUNICIPALITY_NAME']} · Handicap og Psykiatri · {plan.title}",
    )


def render_pdf(report: StatusReport) -> bytes:
    from roret.reports.toolkit.pdf import render_pdf as html_to_pdf

    return html_to_pdf("plans/status_report_pdf.html", {"report": report,
                                                        "municipality_name": settings.RORET["MUNICIPALITY_NAME"]})


LIGHT_COLOURS = {"green": "2E7D32", "yellow": "F9A825", "red": "C62828"}


def render_docx(report: StatusReport) -> bytes:
    """The same content as an editable Word document: headings, tables as Word tables, charts as images."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.styles["Normal"].font.size = Pt(9)
    document.core_properties.title = report.title
    document.add_heading(report.title, level=0)
    document.add_paragraph(f"{report.subtitle} · {_('made')} {report.made:%d.%m.%Y}")
    if report.suppress:
        document.add_paragraph(_("Cells with fewer than 5 citizens are hidden, and as few other cells as needed so "
                                 "that they cannot be worked out from the totals."))
    for part in report.sections:
        document.add_heading(part.title, level=part.level - 1)
        for block in part.blocks:
            if block.kind == "text":
                document.add_paragraph(block.text)
            elif block.kind == "chart":
                document.add_picture(io.BytesIO(block.chart.png()), width=Cm(16))
            elif block.kind == "table":
                _docx_table(document, block.table, WD_ALIGN_PARAGRAPH, Pt)
            elif block.kind == "lights":
                for light in block.lights:
                    paragraph = document.add_paragraph()
                    dot = paragraph.add_run("● ")
                    dot.font.color.rgb = RGBColor.from_string(LIGHT_COLOURS.get(light["colour"], "6F6F6F"))
                    paragraph.add_run(f"{light['title']}: {light['label']}").bold = True
                    if light.get("remark"):
                        paragraph.add_run(f" — {light['remark']}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_table(document, table: Table, align, pt) -> None:
    if table.title:
        document.add_paragraph(table.title).runs[0].bold = True
    body = list(table.rows) + ([table.total] if table.total else [])
    grid = document.add_table(rows=1 + len(body), cols=len(table.columns))
    grid.style = "Table Grid"
    for i, column in enumerate(table.columns):
        cell = grid.rows[0].cells[i]
        cell.text = str(column.label)
        cell.paragraphs[0].runs[0].bold = True
    for r, row in enumerate(body, start=1):
        for c, value in enumerate(row):
            cell = grid.rows[r].cells[c]
            cell.text = value.text
            if value.numeric:
                cell.paragraphs[0].alignment = align.RIGHT
            if table.total and row is table.total:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    for row in grid.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = pt(8)
    if table.note:
        document.add_paragraph(str(table.note)).runs[0].italic = True
