"""Reading an uploaded spreadsheet as data: .xlsx or .csv, refused before it is opened when it is
too large, not what its name says, a zip bomb or an XML entity trick. Formulas are never evaluated:
a formula cell is reported as an error where it stands."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from roret.core.parsing import declares_xml_entities

#: A part of an honest workbook unpacks to at most this many times its packed size (sheet XML of
#: repeated rows packs well, some 10-40 times); a zip bomb's parts unpack to thousands of times.
MAX_RATIO = 200
FORMULA_TYPE = "f"


class FileRefused(ValueError):
    """The file cannot be read at all; the message says why, for a person."""


@dataclass(frozen=True)
class Cell:
    value: object
    column: str      # the column letter, as Excel shows it
    header: str      # the header as written in the file
    formula: bool = False


@dataclass
class Row:
    sheet: str
    number: int      # the row number as Excel shows it (the header is row 1)
    cells: dict[str, Cell]

    def get(self, key: str):
        cell = self.cells.get(key)
        return None if cell is None else cell.value


@dataclass
class Table:
    """A sheet's rows under its header, with the kind's column keys found by header name."""

    sheet: str
    columns: dict[str, tuple[int, str]]   # key -> (0-based index, header as written)
    rows: list[tuple[int, tuple]]          # (row number, values); values keep formula markers
    total: int = 0


def _size_checked(data: bytes) -> None:
    limit = settings.RORET["IMPORT_MAX_BYTES"]
    if not data:
        raise FileRefused(_("The file is empty."))
    if len(data) > limit:
        raise FileRefused(_("The file is %(size)s MB; the largest file that can be imported is %(max)s MB.")
                          % {"size": f"{len(data) / 2**20:.1f}", "max": f"{limit / 2**20:.0f}"})


def _zip_checked(data: bytes) -> None:
    """Refuse a renamed binary, a zip bomb and an XML entity before openpyxl opens anything."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FileRefused(_("The file is named .xlsx but is not an Excel workbook; save it from Excel as .xlsx."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(_("The file is named .xlsx but is not an Excel workbook; save it from Excel as .xlsx.")) from None
    if "xl/workbook.xml" not in names:
        raise FileRefused(_("The file is a zip archive but not an Excel workbook (.xlsx)."))
    unpacked = sum(m.file_size for m in members)
    if unpacked > settings.RORET["IMPORT_MAX_UNPACKED_BYTES"] or any(
            m.file_size > 2**20 and m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members):
        raise FileRefused(_("The file unpacks to far more than an Excel workbook of its size would (%(mb)s MB): "
                            "it is refused as a possible zip bomb.") % {"mb": f"{unpacked / 2**20:.0f}"})
    if declares_xml_entities(io.BytesIO(data)):
        raise FileRefused(_("The file declares an XML entity or DOCTYPE, which an Excel sheet never needs; "
                            "save it again from Excel as .xlsx."))


def _header_map(header: tuple, columns: dict[str, tuple[str, ...]]) -> dict[str, tuple[int, str]]:
    found = {}
    for i, name in enumerate(header):
        text = " ".join(str(name or "").split()).casefold()
        for key, names in columns.items():
            if key not in found and text in names:
                found[key] = (i, str(name).strip())
    return found


def _xlsx_sheets(data: bytes) -> Iterator[tuple[str, Iterator[tuple]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileRefused(_("The file is not an Excel workbook (.xlsx) that can be read (%(error)s).")
                          % {"error": exc.__class__.__name__}) from None
    for sheet in book.worksheets:
        yield sheet.title, (
            tuple(FormulaText(c.value) if c.data_type == FORMULA_TYPE else c.value for c in row)
            for row in sheet.iter_rows())


def _csv_sheets(data: bytes, file_name: str) -> Iterator[tuple[str, Iterator[tuple]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # A CSV cell is text; one that starts with "=" is what Excel would take for a formula.
    yield file_name.rsplit("/", 1)[-1], (
        tuple(FormulaText(v) if v.startswith("=") else v for v in row) for row in reader)


class FormulaText(str):
    """A formula cell's text, kept as text (never evaluated) so the row can say where it stands."""


def checked(data: bytes, file_name: str) -> str:
    """The file's format ("xlsx" or "csv") once it has passed every check before reading."""
    _size_checked(data)
    name = file_name.lower()
    if name.endswith(".xlsx"):
        _zip_checked(data)
        return "xlsx"
    if name.endswith(".csv"):
        if data[:4] == b"PK\x03\x04":
            raise FileRefused(_("The file is named .csv but is a zip archive; save it as CSV or .xlsx."))
        if b"\x00" in data[:65536]:
            raise FileRefused(_("The file is named .csv but is not text; save it as CSV (semicolon separated)."))
        return "csv"
    raise FileRefused(_("Only Excel workbooks (.xlsx) and CSV files (.csv) can be imported."))


def read_table(data: bytes, file_name: str, *, sheet_names: tuple[str, ...],
               columns: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Table:
    """The first sheet named one of ``sheet_names`` (else the first sheet), with ``columns``
    (key -> accepted header names, case-insensitive) found in its first row. A required column
    that is missing refuses the file, naming the sheet and the column; so does a file that breaks
    off while it is read (openpyxl reads a sheet's XML only as its rows are asked for)."""
    try:
        return _read_table(data, file_name, sheet_names=sheet_names, columns=columns, required=required)
    except FileRefused:
        raise
    except Exception as exc:  # a damaged sheet (XML that breaks off, a bad cell) or a broken CSV
        raise FileRefused(_("The file could not be read to the end (%(error)s); it may be damaged. Save it again "
                            "from Excel and try once more.") % {"error": exc.__class__.__name__}) from None


def _read_table(data: bytes, file_name: str, *, sheet_names: tuple[str, ...],
                columns: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Table:
    kind = checked(data, file_name)
    sheets = list(_xlsx_sheets(data) if kind == "xlsx" else _csv_sheets(data, file_name))
    wanted = {n.casefold() for n in sheet_names}
    title, rows = next(((t, r) for t, r in sheets if t.casefold() in wanted), sheets[0] if sheets else (None, None))
    if title is None:
        raise FileRefused(_("The workbook has no sheets."))
    header = next(rows, None)
    if header is None:
        raise FileRefused(_("Sheet %(sheet)s is empty.") % {"sheet": title})
    found = _header_map(header, columns)
    missing = [columns[k][0] for k in required if k not in found]
    if missing:
        raise FileRefused(_("Sheet %(sheet)s, row 1: the column(s) %(missing)s are missing (found: %(found)s).")
                          % {"sheet": title, "missing": ", ".join(missing),
                             "found": ", ".join(str(h) for h in header if h not in (None, "")) or "-"})
    body = []
    for number, values in enumerate(rows, start=2):
        if any(v not in (None, "") and str(v).strip() for v in values):
            body.append((number, values))
    return Table(sheet=title, columns=found, rows=body, total=len(body))


def row_of(table: Table, number: int, values: tuple) -> Row:
    cells = {}
    for key, (i, header) in table.columns.items():
        value = values[i] if i < len(values) else None
        if isinstance(value, str) and not isinstance(value, FormulaText):
            value = value.strip()
        cells[key] = Cell(value, get_column_letter(i + 1), header, isinstance(value, FormulaText))
    return Row(table.sheet, number, cells)
