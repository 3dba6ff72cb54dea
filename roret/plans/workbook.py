"""A plan's table as an .xlsx workbook in the layout ``roret plan load`` reads (docs/plans.md):
a sheet ``info`` (title, unit, description, published_total) and a sheet ``plan`` (track,
initiative, kind and one column a year). Downloaded, edited and loaded again under a new title,
it gives the same table."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font

from roret.plans.models import EstimateKind
from roret.plans.table import PlanTable
from roret.reports.toolkit.excel import save


def plan_workbook(table: PlanTable) -> bytes:
    plan = table.plan
    book = Workbook()
    info = book.active
    info.title = "info"
    info.append(["title", plan.title])
    info.append(["unit", plan.unit])
    info.append(["description", plan.description])
    info.append(["published_total", *table.totals])
    info["A1"].font = info["A2"].font = info["A3"].font = info["A4"].font = Font(bold=True)
    sheet = book.create_sheet("plan")
    sheet.append(["track", "initiative", "kind", *table.years])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        for kind in EstimateKind.values:
            values = row.values[kind]
            if kind == EstimateKind.INVESTMENT and all(v is None for v in values):
                continue
            sheet.append([row.track, row.label, kind, *values])
    sheet.column_dimensions["B"].width = 60
    return save(book)
