"""Report tables as an Excel workbook (openpyxl): one sheet per table, numbers as numbers with
Danish-style formats, cells hidden from the committee as the text "skjult" (the note below says why).

Every workbook roret writes is saved with :func:`save`, which makes sure no text becomes a formula
(a note ``=HYPERLINK(...)`` typed into roret must come back as the text, not as a live link or a
command, when the sheet is opened in Excel or LibreOffice)."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from roret.reports.toolkit.tables import Cell, Table

FORMATS = {"money": "#,##0", "int": "#,##0", "days": "#,##0", "pct": '0.0" %"', "score": "0.0"}
# A text starting with one of these is read as a formula by a spreadsheet (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """A text a spreadsheet shows as it is: one starting with =, +, -, @, tab or CR gets a leading
    apostrophe. Anything but a text (a number, a negative amount too) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unsafe_text(value):
    """The text :func:`safe_text` was given, for a sheet that comes back to be imported."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def save(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes, every text cell through :func:`safe_text`: the one place where
    roret's exports are kept free of formulas, whichever code filled the cells."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    cell.value = safe_text(cell.value)  # a text again (openpyxl typed it 'f' for "=")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet_title(title: str, used: set) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title)[:28].strip() or "Sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:25]} {n}", n + 1
    used.add(name)
    return name


def _number(value, kind: str):
    """A figure as the number openpyxl writes: money and percentages as Decimal (exact; openpyxl
    writes a Decimal's digits), a mean score as Decimal, counts as int, average days as they come."""
    if kind in ("money", "pct", "score"):
        return value if isinstance(value, Decimal) else Decimal(str(value))
    if kind == "days":
        return value
    return int(value)


def _write_cell(ws, row: int, col: int, cell: Cell, bold: bool = False):
    target = ws.cell(row=row, column=col)
    if cell.suppressed:
        target.value = cell.text
        target.alignment = Alignment(horizontal="right")
    elif cell.kind == "text" or cell.value is None:
        target.value = None if cell.value is None else str(cell.value)
    else:
        target.value = _number(cell.value, cell.kind)
        target.number_format = FORMATS.get(cell.kind, "General")
    if bold:
        target.font = Font(bold=True)


def workbook(tables: Sequence[Table], *, title: str, subtitle: str = "") -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    used: set = set()
    for table in tables:
        ws = wb.create_sheet(_sheet_title(table.title, used))
        ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
        ws.cell(row=2, column=1, value=f"{table.title}{' · ' + subtitle if subtitle else ''}")
        for c, column in enumerate(table.columns, start=1):
            head = ws.cell(row=4, column=c, value=column.label)
            head.font = Font(bold=True)
            head.alignment = Alignment(wrap_text=True, vertical="top")
            ws.column_dimensions[get_column_letter(c)].width = 34 if column.kind == "text" else 16
        r = 5
        for row in table.rows:
            for c, cell in enumerate(row, start=1):
                _write_cell(ws, r, c, cell)
            r += 1
        if table.total:
            for c, cell in enumerate(table.total, start=1):
                _write_cell(ws, r, c, cell, bold=True)
            r += 1
        if table.note:
            ws.cell(row=r + 1, column=1, value=table.note)
        ws.freeze_panes = "B5"
    return save(wb)
