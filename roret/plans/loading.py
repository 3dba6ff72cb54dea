"""Reading a development plan's table from a file: JSON in the format of
``../shared/fixtures/plan-2020-status.json`` or the same columns from an .xlsx workbook.

Nothing here writes: :func:`parse` returns a :class:`ParsedPlan` with every error found (each
naming the row and field, or the sheet, row and column), and :func:`roret.plans.services.load_plan`
stores a plan only when the list is empty. Values are read exactly (Decimal, never float) and
multiplied by the unit, so "-1600" in a "1000 kr" plan is stored as -1,600,000.00 kr.

The .xlsx layout (docs/plans.md): a sheet ``info`` with ``title``, ``unit`` and optionally
``published_total`` (one value a year, in columns B...) and ``description``; a sheet ``plan``
whose first row is ``track``, ``initiative``, ``kind`` (investment or effect) and one column per
year, then one line per row and kind. Cells are data: formulas are not evaluated (a cell holding
a formula is refused).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from roret.plans.models import EstimateKind, PlanUnit
from roret.reports.toolkit.excel import unsafe_text

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 500
MAX_YEARS = 15
KINDS = (EstimateKind.INVESTMENT.value, EstimateKind.EFFECT.value)
ORE = Decimal("0.01")


class PlanFileError(ValueError):
    """The file cannot be read as a plan at all (not JSON, not a workbook, too large)."""


@dataclass
class Problem:
    """One thing wrong with the file: where (row and field, or sheet, row and column) and what."""

    where: str
    message: str

    def __str__(self):
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class ParsedRow:
    track: str | None
    track_name: str
    initiative: str
    description: str = ""
    #: kind -> year -> kroner (already multiplied by the unit)
    amounts: dict[str, dict[int, Decimal]] = field(default_factory=dict)


@dataclass
class ParsedPlan:
    title: str = ""
    unit: str = PlanUnit.THOUSAND
    years: list[int] = field(default_factory=list)
    description: str = ""
    rows: list[ParsedRow] = field(default_factory=list)
    published_total: list[Decimal] | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def error(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def net_totals(self) -> list[Decimal]:
        """The computed net (investments + effects) per year, in the plan's unit."""
        factor = PlanUnit(self.unit).factor
        totals = []
        for year in self.years:
            kroner = sum((row.amounts.get(kind, {}).get(year, Decimal(0)) for row in self.rows for kind in KINDS),
                         Decimal(0))
            totals.append(kroner / factor)
        return totals


def parse(name: str, data: bytes) -> ParsedPlan:
    """Read a plan file (by its name's ending: .json or .xlsx); raises PlanFileError when the file is
    not one at all, and returns every problem with its content otherwise."""
    if len(data) > MAX_FILE_BYTES:
        raise PlanFileError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
    lower = name.lower()
    if lower.endswith(".json"):
        return parse_json(data)
    if lower.endswith(".xlsx"):
        return parse_xlsx(data)
    raise PlanFileError(_("Choose a .json or .xlsx file (got %(name)s).") % {"name": name})


# --- shared checks --------------------------------------------------------------------------------


def _number(value, plan: ParsedPlan, where: str) -> Decimal | None:
    """A number from a JSON value or a cell, exactly; None (and a problem) when it is not one."""
    if isinstance(value, bool) or value is None:
        plan.error(where, _("not a number (%(value)s)") % {"value": json.dumps(value)})
        return None
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the shortest text that reads back as the same float
    else:
        plan.error(where, _("not a number (%(value)s)") % {"value": json.dumps(str(value), ensure_ascii=False)})
        return None
    if not number.is_finite():
        plan.error(where, _("not a number (%(value)s)") % {"value": value})
        return None
    return number


def _kroner(value: Decimal, plan: ParsedPlan, where: str) -> Decimal | None:
    kroner = value * PlanUnit(plan.unit).factor
    # The size first: quantize raises on a number beyond the decimal context's precision.
    if abs(kroner) >= Decimal(10) ** 14:
        plan.error(where, _("%(value)s is too large") % {"value": value})
        return None
    if kroner != kroner.quantize(ORE):
        plan.error(where, _("%(value)s has more decimals than whole øre in the unit %(unit)s")
                   % {"value": value, "unit": plan.unit})
        return None
    return kroner.quantize(ORE)


def _check_title(plan: ParsedPlan, title, where: str) -> None:
    from roret.plans.models import Plan

    if not isinstance(title, str) or not title.strip():
        plan.error(where, _("the plan needs a title"))
        return
    plan.title = title.strip()
    if len(plan.title) > 300:
        plan.error(where, _("the title is longer than 300 characters"))
    elif Plan.objects.filter(title=plan.title).exists():
        plan.error(where, _("a plan with the title “%(title)s” exists already") % {"title": plan.title})


def _check_unit(plan: ParsedPlan, unit, where: str) -> None:
    if unit not in PlanUnit.values:
        plan.error(where, _("the unit must be “kr” or “1000 kr” (got %(unit)s)")
                   % {"unit": json.dumps(unit, ensure_ascii=False)})
    else:
        plan.unit = unit


def _check_years(plan: ParsedPlan, years, where: str) -> None:
    if (not isinstance(years, list) or not years
            or not all(isinstance(y, int) and not isinstance(y, bool) for y in years)):
        plan.error(where, _("the years must be a list of whole years, e.g. [2025, 2026]"))
        return
    if years != list(range(years[0], years[0] + len(years))):
        plan.error(where, _("the years must follow each other without gaps (got %(years)s)") % {"years": years})
        return
    if not (2000 <= years[0] and years[-1] <= 2100):
        plan.error(where, _("the years must lie between 2000 and 2100"))
        return
    if len(years) > MAX_YEARS:
        plan.error(where, _("a plan covers at most %(n)d years") % {"n": MAX_YEARS})
        return
    plan.years = years


def _check_rows_together(plan: ParsedPlan, row_names: list[str]) -> None:
    seen: dict[str, str] = {}
    for row, where in zip(plan.rows, row_names, strict=True):
        if row.initiative in seen:
            plan.error(where, _("the initiative “%(title)s” is also in %(other)s")
                       % {"title": row.initiative, "other": seen[row.initiative]})
        seen.setdefault(row.initiative, where)
    # A track's name: given, or the one row's text when the track has a single row (as in the
    # 2020 catalogue, where each track is one line), or "Spor N".
    by_track: dict[str, list[ParsedRow]] = {}
    for row in plan.rows:
        if row.track is not None:
            by_track.setdefault(row.track, []).append(row)
    for number, rows in by_track.items():
        name = next((r.track_name for r in rows if r.track_name), "")
        if not name:
            name = rows[0].initiative if len(rows) == 1 else _("Track %(number)s") % {"number": number}
        for row in rows:
            row.track_name = name


def _check_published(plan: ParsedPlan, published, where: str) -> None:
    if published is None:
        return
    if not isinstance(published, list) or len(published) != len(plan.years):
        plan.error(where, _("must have one value a year (%(n)d values)") % {"n": len(plan.years)})
        return
    values = [_number(v, plan, f"{where}[{i + 1}]") for i, v in enumerate(published)]
    if any(v is None for v in values):
        return
    plan.published_total = values
    if plan.problems:
        return  # a row error already explains a difference
    differing = [(year, computed, given) for year, computed, given
                 in zip(plan.years, plan.net_totals(), values, strict=True) if computed != given]
    for year, computed, given in differing:
        plan.error(where, _("%(year)d: the rows add up to %(computed)s, the file's total says %(given)s")
                   % {"year": year, "computed": _plain(computed), "given": _plain(given)})


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


# --- JSON -----------------------------------------------------------------------------------------


def parse_json(data: bytes) -> ParsedPlan:
    try:
        document = json.loads(data.decode("utf-8-sig"), parse_float=Decimal, parse_int=int)
    except UnicodeDecodeError:
        raise PlanFileError(_("The file is not UTF-8 text.")) from None
    except json.JSONDecodeError as exc:
        raise PlanFileError(_("The file is not valid JSON: line %(line)d, column %(col)d: %(msg)s")
                            % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}) from None
    plan = ParsedPlan()
    if not isinstance(document, dict):
        plan.error("", _("the file must hold one JSON object with title, unit, years and rows"))
        return plan
    _check_title(plan, document.get("title"), "title")
    _check_unit(plan, document.get("unit"), "unit")
    _check_years(plan, document.get("years"), "years")
    description = document.get("description", "")
    plan.description = description if isinstance(description, str) else ""
    rows = document.get("rows")
    if not isinstance(rows, list) or not rows:
        plan.error("rows", _("the plan needs at least one row"))
        return plan
    if len(rows) > MAX_ROWS:
        plan.error("rows", _("at most %(n)d rows") % {"n": MAX_ROWS})
        return plan
    names = []
    for number, raw in enumerate(rows, start=1):
        where = _("row %(n)d") % {"n": number}
        names.append(where)
        row = _json_row(plan, raw, where)
        if row is not None:
            plan.rows.append(row)
    if len(plan.rows) == len(rows):
        _check_rows_together(plan, names)
    _check_published(plan, document.get("published_total"), "published_total")
    return plan


def _json_row(plan: ParsedPlan, raw, where: str) -> ParsedRow | None:
    if not isinstance(raw, dict):
        plan.error(where, _("a row must be an object with track, initiative, investment and effect"))
        return None
    before = len(plan.problems)
    track = raw.get("track")
    if isinstance(track, int) and not isinstance(track, bool):
        track = str(track)
    if track is not None and (not isinstance(track, str) or not track.strip() or len(track.strip()) > 10):
        plan.error(f"{where}, track", _("the track must be a short text such as “1” or “4a”, or null"))
    track = track.strip() if isinstance(track, str) else None
    initiative = raw.get("initiative")
    if not isinstance(initiative, str) or not initiative.strip():
        plan.error(f"{where}, initiative", _("the row needs a text (initiative)"))
    elif len(initiative.strip()) > 300:
        plan.error(f"{where}, initiative", _("longer than 300 characters"))
    track_name = raw.get("track_name", "")
    if not isinstance(track_name, str) or len(track_name) > 300:
        plan.error(f"{where}, track_name", _("must be a text of at most 300 characters"))
        track_name = ""
    unknown = sorted(set(raw) - {"track", "track_name", "initiative", "description", "investment", "effect"})
    if unknown:
        plan.error(where, _("unknown field(s): %(fields)s") % {"fields": ", ".join(unknown)})
    amounts: dict[str, dict[int, Decimal]] = {}
    if "investment" not in raw and "effect" not in raw:
        plan.error(where, _("the row has neither investment nor effect"))
    for kind in KINDS:
        if kind in raw:
            amounts[kind] = _json_values(plan, raw[kind], f"{where}, {kind}", kind)
    if len(plan.problems) > before:
        return None
    description = raw.get("description", "")
    return ParsedRow(track=track, track_name=track_name.strip(), initiative=initiative.strip(),
                     description=description if isinstance(description, str) else "", amounts=amounts)


def _json_values(plan: ParsedPlan, values, where: str, kind: str) -> dict[int, Decimal]:
    """One value a year: an array as long as ``years``, or an object keyed by year."""
    if not plan.years:
        return {}
    if isinstance(values, list):
        if len(values) != len(plan.years):
            plan.error(where, _("has %(got)d values, the plan has %(n)d years (%(first)d-%(last)d)")
                       % {"got": len(values), "n": len(plan.years), "first": plan.years[0], "last": plan.years[-1]})
            return {}
        pairs = list(zip(plan.years, values, strict=True))
    elif isinstance(values, dict):
        pairs = []
        for key, value in values.items():
            try:
                year = int(key)
            except ValueError:
                year = None
            if year not in plan.years:
                plan.error(where, _("unknown year %(year)s (the plan covers %(first)d-%(last)d)")
                           % {"year": key, "first": plan.years[0], "last": plan.years[-1]})
                continue
            pairs.append((year, value))
    else:
        plan.error(where, _("must be an array with one value a year"))
        return {}
    out = {}
    for year, value in pairs:
        number = _number(value, plan, f"{where} {year}")
        if number is None:
            continue
        if kind == EstimateKind.INVESTMENT and number < 0:
            plan.error(f"{where} {year}", _("an investment is a positive amount (got %(value)s)") % {"value": number})
            continue
        kroner = _kroner(number, plan, f"{where} {year}")
        if kroner is not None:
            out[year] = kroner
    return out


# --- .xlsx ----------------------------------------------------------------------------------------


def parse_xlsx(data: bytes) -> ParsedPlan:
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise PlanFileError(_("The file is not an Excel workbook (.xlsx)."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > 20 * MAX_FILE_BYTES:
                raise PlanFileError(_("The workbook unpacks to more than %(mb)d MB.")
                                    % {"mb": 20 * MAX_FILE_BYTES // (1024 * 1024)})
        workbook = load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except PlanFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise PlanFileError(_("The workbook cannot be read: %(error)s") % {"error": exc}) from None
    plan = ParsedPlan()
    try:
        missing = [name for name in ("info", "plan") if name not in workbook.sheetnames]
        if missing:
            plan.error("", _("the workbook needs the sheets “info” and “plan” (missing: %(names)s)")
                       % {"names": ", ".join(missing)})
            return plan
        info = _read_info(plan, workbook["info"])
        _read_plan_sheet(plan, workbook["plan"])
        if plan.years:
            published = info.get("published_total")
            if published is not None:
                where, values = published
                _check_published(plan, values, where)
    finally:
        workbook.close() if hasattr(workbook, "close") else None
    return plan


def _cell_value(plan: ParsedPlan, cell, where: str):
    value = cell.value
    if isinstance(value, str) and cell.data_type == "f":
        plan.error(where, _("holds a formula (%(formula)s); enter the value") % {"formula": value[:40]})
        return None
    return unsafe_text(value)  # roret's own workbooks escape a text such as "-1" against formulas


def _read_info(plan: ParsedPlan, sheet) -> dict:
    found: dict = {}
    for index, row in enumerate(sheet.iter_rows(max_col=MAX_YEARS + 1), start=1):
        if not row or row[0].value is None:
            continue
        key = str(row[0].value).strip().lower()
        where = _("sheet info, row %(n)d") % {"n": index}
        if key == "published_total":
            values = [_cell_value(plan, c, f"{where}, {c.column_letter}") for c in row[1:] if c.value is not None]
            found[key] = (where, values)
        elif key in ("title", "unit", "description"):
            value = _cell_value(plan, row[1], f"{where}, B") if len(row) > 1 else None
            found[key] = (where, value)
    title_where, title = found.get("title", (_("sheet info"), None))
    _check_title(plan, title, title_where)
    unit_where, unit = found.get("unit", (_("sheet info"), None))
    _check_unit(plan, str(unit).strip() if unit is not None else None, unit_where)
    plan.description = str(found.get("description", ("", ""))[1] or "")
    return found


def _read_plan_sheet(plan: ParsedPlan, sheet) -> None:
    rows = sheet.iter_rows()
    header = next(rows, None)
    if not header:
        plan.error(_("sheet plan, row 1"), _("the first row must name the columns track, initiative, kind and the years"))
        return
    names = [str(c.value).strip().lower() if c.value is not None else "" for c in header]
    if names[:3] != ["track", "initiative", "kind"]:
        plan.error(_("sheet plan, row 1"), _("the first three columns must be track, initiative and kind"))
        return
    years = []
    for cell, name in zip(header[3:], names[3:], strict=True):
        if not name:
            break
        try:
            years.append(int(name.removesuffix(".0")))
        except ValueError:
            plan.error(_("sheet plan, row 1, column %(col)s") % {"col": cell.column_letter},
                       _("“%(name)s” is not a year") % {"name": name})
            return
    _check_years(plan, years, _("sheet plan, row 1"))
    if not plan.years:
        return
    by_key: dict[tuple, ParsedRow] = {}
    where_of: dict[int, str] = {}
    count = 0
    for index, cells in enumerate(rows, start=2):
        if all(c.value is None for c in cells):
            continue
        count += 1
        if count > MAX_ROWS * 2:
            plan.error(_("sheet plan"), _("at most %(n)d rows") % {"n": MAX_ROWS})
            return
        where = _("sheet plan, row %(n)d") % {"n": index}
        before = len(plan.problems)
        track = _cell_value(plan, cells[0], f"{where}, A")
        if isinstance(track, float) and track.is_integer():
            track = int(track)
        track = str(track).strip() if track is not None and str(track).strip() else None
        if track is not None and len(track) > 10:
            plan.error(f"{where}, A (track)", _("the track must be a short text such as “1” or “4a”"))
        text = _cell_value(plan, cells[1], f"{where}, B")
        if not isinstance(text, str) or not text.strip():
            plan.error(f"{where}, B (initiative)", _("the row needs a text (initiative)"))
        kind = _cell_value(plan, cells[2], f"{where}, C")
        kind = str(kind).strip().lower() if kind is not None else ""
        if kind not in KINDS:
            plan.error(f"{where}, C (kind)", _("the kind must be “investment” or “effect” (got “%(kind)s”)")
                       % {"kind": kind})
        values: dict[int, Decimal] = {}
        for year, cell in zip(plan.years, cells[3: 3 + len(plan.years)], strict=False):
            cell_where = f"{where}, {cell.column_letter} ({year})"
            value = _cell_value(plan, cell, cell_where)
            if value is None:
                continue  # an empty cell is no amount that year
            number = _number(value, plan, cell_where)
            if number is None:
                continue
            if kind == EstimateKind.INVESTMENT and number < 0:
                plan.error(cell_where, _("an investment is a positive amount (got %(value)s)") % {"value": number})
                continue
            kroner = _kroner(number, plan, cell_where)
            if kroner is not None:
                values[year] = kroner
        if len(plan.problems) > before:
            continue
        key = (track, text.strip())
        row = by_key.get(key)
        if row is None:
            row = by_key[key] = ParsedRow(track=track, track_name="", initiative=text.strip())
            plan.rows.append(row)
            where_of[id(row)] = where
        if kind in row.amounts:
            plan.error(where, _("a second %(kind)s line for “%(title)s”") % {"kind": kind, "title": text.strip()})
            continue
        row.amounts[kind] = values
    if not plan.rows and not plan.problems:
        plan.error(_("sheet plan"), _("the plan needs at least one row"))
    if not plan.problems:
        _check_rows_together(plan, [where_of[id(r)] for r in plan.rows])
