"""Balance writes: the HR system's staff figures (parse, preview, import all or nothing) and the
dated targets of the balance page.

The staff file is the HR system's monthly export, one row per centre and month (docs/balance.md):
``centre;month;fte_employed;fte_budgeted;sickness_days;working_days;leavers;vacancies``, as CSV
(semicolon or comma, UTF-8 with or without BOM, decimal comma or point) or as an Excel sheet
(.xlsx). Every row is validated; every error names its row and column. An import writes every row
or none, in one transaction, and a file imported twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from roret.balance.models import STAFF_FIELDS, BalanceTarget, StaffImport, StaffMonth, StaffUpload, TargetKind
from roret.core import audit, permissions, text_limits
from roret.core.models import Centre, Role

logger = logging.getLogger(__name__)

#: Who imports staff figures: the economist (the secretariat keeps the steering data).
IMPORTERS = permissions.PLANNERS
#: Who sets balance targets: the economist for the department and every centre, a centre leader
#: for their own centre.
TARGET_SETTERS = permissions.PLANNERS | {Role.CENTRE_LEADER}

#: The largest file accepted (ten years of 50 centres is 6,000 rows, about 300 kB as CSV).
MAX_BYTES = 10 * 1024 * 1024
#: The most rows a file may have.
MAX_ROWS = 200_000

COLUMNS = ("centre", "month", *STAFF_FIELDS)
#: Header names the import accepts for each column (the HR system's Danish names too).
HEADERS = {
    "centre": {"centre", "center", "centre_id", "center_id"},
    "month": {"month", "måned", "maaned"},
    "fte_employed": {"fte_employed", "årsværk_ansatte", "aarsvaerk_ansatte", "ansatte_årsværk"},
    "fte_budgeted": {"fte_budgeted", "årsværk_normering", "normering", "normering_årsværk"},
    "sickness_days": {"sickness_days", "sygedage", "fraværsdage_sygdom"},
    "working_days": {"working_days", "arbejdsdage", "mulige_arbejdsdage"},
    "leavers": {"leavers", "fratrådte", "fratraadte"},
    "vacancies": {"vacancies", "vakancer", "ledige_stillinger"},
}
WHOLE = {"leavers", "vacancies"}
#: Digits before the decimal point each decimal field holds (StaffMonth's max_digits - 2).
LIMITS = {"fte_employed": Decimal("999999.99"), "fte_budgeted": Decimal("999999.99"),
          "sickness_days": Decimal("99999999.99"), "working_days": Decimal("99999999.99")}
MAX_WHOLE = 2_000_000_000
#: How long a previewed file waits for its confirmation.
UPLOAD_KEEP = datetime.timedelta(days=1)


class StaffImportError(ValueError):
    """A staff file that cannot be read at all (not a CSV or .xlsx, too large, no header)."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class StaffRow:
    row: int                      # the row number in the file (the header is row 1)
    centre_id: int
    month: datetime.date
    values: tuple                 # in STAFF_FIELDS order


@dataclass
class Parsed:
    """A staff file read and checked: its rows, every error, and what importing it would do."""

    file_name: str
    sha256: str
    rows: list[StaffRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    new: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


# ---- reading the file -------------------------------------------------------------------------


def _read_bytes(file) -> bytes:
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise StaffImportError([_("The file is larger than %(mb)d MB; split it by year.") % {"mb": MAX_BYTES // 2**20}])
    if not data:
        raise StaffImportError([_("The file is empty.")])
    return data


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    from roret.core.parsing import declares_xml_entities

    if declares_xml_entities(io.BytesIO(data)):
        raise StaffImportError([_("The file declares an XML entity or DOCTYPE, which an Excel sheet never needs; "
                                  "save it again from Excel as .xlsx.")])
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    except StaffImportError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise StaffImportError([_("The file is not an Excel workbook (.xlsx) that can be read (%(error)s).")
                                % {"error": exc.__class__.__name__}]) from None


def _csv_rows(data: bytes):
    if b"\x00" in data[:4096]:
        raise StaffImportError([_("The file is neither a CSV file nor an Excel workbook (.xlsx).")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StaffImportError([_("The CSV file is not UTF-8 text; save it as CSV UTF-8.")]) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def read_rows(data: bytes, file_name: str) -> list[tuple]:
    """The file's rows as tuples of cells (strings from CSV, typed values from .xlsx)."""
    if data[:4] == b"PK\x03\x04":
        return _xlsx_rows(data)
    if file_name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise StaffImportError([_("The file is named as an Excel workbook but is not one (.xlsx).")])
    return _csv_rows(data)


# ---- cells ------------------------------------------------------------------------------------


class _Bad(ValueError):
    pass


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def parse_decimal(value) -> Decimal:
    """A number from a cell: 12.5, "12,5", "1.234,5" (Danish), "1,234.5", " 12 "."""
    if isinstance(value, bool):
        raise _Bad
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = _text(value).replace(" ", "").replace("\xa0", "")
        if not text:
            raise _Bad
        if "," in text and "." in text:
            text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
        else:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _Bad from None
    if not number.is_finite():
        raise _Bad
    return number


def parse_month(value) -> datetime.date:
    if isinstance(value, datetime.datetime | datetime.date):
        day = value.date() if isinstance(value, datetime.datetime) else value
        return day.replace(day=1)
    text = _text(value)
    for fmt in ("%Y-%m", "%Y-%m-%d", "%m-%Y", "%Y/%m"):
        try:
            day = datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if fmt == "%Y-%m-%d" and day.day != 1:
            raise _Bad
        return day.replace(day=1)
    raise _Bad


def _centres() -> tuple[dict, dict]:
    by_name, by_id = {}, {}
    for pk, name in Centre.objects.values_list("pk", "name"):
        by_name[name.casefold()] = pk
        by_id[str(pk)] = pk
    return by_name, by_id


def _header(cells) -> dict[str, int]:
    names = [_text(c).casefold().replace(" ", "_") for c in cells]
    where = {}
    for key, accepted in HEADERS.items():
        for i, name in enumerate(names):
            if name in accepted:
                where[key] = i
                break
    return where


def parse(file, file_name: str = "") -> Parsed:
    """Read and check a staff file; nothing is written. Errors name the row and the column:
    "Row 1234, column sickness_days: not a number"."""
    data = _read_bytes(file)
    parsed = Parsed(file_name=file_name[:255], sha256=hashlib.sha256(data).hexdigest())
    rows = read_rows(data, file_name)
    if not rows or not any(_text(c) for c in rows[0]):
        raise StaffImportError([_("Row 1: the header is missing (columns %(columns)s).") % {"columns": ", ".join(COLUMNS)}])
    where = _header(rows[0])
    missing = [c for c in COLUMNS if c not in where]
    if missing:
        raise StaffImportError([_("Row 1: missing column(s) %(missing)s (found: %(found)s).") % {
            "missing": ", ".join(missing), "found": ", ".join(filter(None, (_text(c) for c in rows[0])))}])
    if len(rows) - 1 > MAX_ROWS:
        raise StaffImportError([_("The file has more than %(n)d rows.") % {"n": MAX_ROWS}])
    by_name, by_id = _centres()
    seen: dict[tuple[int, datetime.date], int] = {}
    errors = parsed.errors

    def error(r, column, message):
        errors.append(_("Row %(row)d, column %(column)s: %(message)s") % {"row": r, "column": column, "message": message})

    for r, cells in enumerate(rows[1:], start=2):
        if all(_text(c) == "" for c in cells):
            continue

        def cell(key, cells=cells):
            i = where[key]
            return cells[i] if i < len(cells) else None

        ok = True
        name = _text(cell("centre"))
        centre_id = by_id.get(name) or by_name.get(name.casefold())
        if centre_id is None:
            error(r, "centre", _("no centre is named %(name)r") % {"name": name[:60]} if name else _("empty"))
            ok = False
        try:
            month = parse_month(cell("month"))
            if not 2000 <= month.year <= 2100:
                raise _Bad
        except _Bad:
            error(r, "month", _("not a month (YYYY-MM)"))
            ok, month = False, None
        values = []
        for key in STAFF_FIELDS:
            raw = cell(key)
            try:
                number = parse_decimal(raw)
            except _Bad:
                error(r, key, _("empty") if _text(raw) == "" else _("not a number"))
                ok = False
                values.append(None)
                continue
            if number < 0:
                error(r, key, _("negative"))
                ok = False
            elif key in WHOLE:
                if number != number.to_integral_value():
                    error(r, key, _("not a whole number"))
                    ok = False
                elif number > MAX_WHOLE:
                    error(r, key, _("too large"))
                    ok = False
                number = int(number)
            elif number > LIMITS[key]:
                error(r, key, _("too large"))
                ok = False
            elif number != number.quantize(Decimal("0.01")):
                error(r, key, _("more than two decimals"))
                ok = False
            values.append(number)
        if ok and values[2] > values[3]:
            error(r, "sickness_days", _("more sickness days than working days"))
            ok = False
        if centre_id is not None and month is not None:
            key = (centre_id, month)
            if key in seen:
                error(r, "month", _("%(centre)s %(month)s is also on row %(other)d") % {
                    "centre": name, "month": f"{month:%Y-%m}", "other": seen[key]})
                ok = False
            else:
                seen[key] = r
        if ok:
            parsed.rows.append(StaffRow(r, centre_id, month, tuple(values)))
    if not parsed.rows and not errors:
        errors.append(_("The file has no rows below the header."))
    _compare(parsed)
    return parsed


def _quantised(values) -> tuple:
    return tuple(v if isinstance(v, int) else Decimal(v).quantize(Decimal("0.01")) for v in values)


def _existing(rows: list[StaffRow]) -> dict[tuple[int, datetime.date], StaffMonth]:
    if not rows:
        return {}
    first, last = min(r.month for r in rows), max(r.month for r in rows)
    centres = {r.centre_id for r in rows}
    return {(m.centre_id, m.month): m for m in StaffMonth.objects.filter(
        centre_id__in=centres, month__gte=first, month__lte=last)}


def _compare(parsed: Parsed) -> None:
    existing = _existing(parsed.rows)
    parsed.new = parsed.changed = parsed.unchanged = 0
    for row in parsed.rows:
        month = existing.get((row.centre_id, row.month))
        if month is None:
            parsed.new += 1
        elif _quantised(getattr(month, f) for f in STAFF_FIELDS) == _quantised(row.values):
            parsed.unchanged += 1
        else:
            parsed.changed += 1


# ---- importing --------------------------------------------------------------------------------


def import_staff(file, *, actor, file_name: str = "", channel: str = "web", on_row=None) -> StaffImport:
    """Import a staff file: every row or none. Raises :class:`StaffImportError` with every error
    (row and column) and writes nothing when any row is bad. Rows that equal what is stored are
    left alone, so importing a file again changes nothing. ``on_row(done, total)`` reports progress."""
    permissions.require_role(actor, IMPORTERS, "only the economist imports staff figures")
    parsed = parse(file, file_name)
    if parsed.errors:
        raise StaffImportError(parsed.errors)
    return _write(parsed, actor=actor, channel=channel, on_row=on_row)


def _write(parsed: Parsed, *, actor, channel: str, on_row=None) -> StaffImport:
    try:
        with transaction.atomic():
            existing = _existing(parsed.rows)
            new, changed, unchanged = [], [], 0
            total = len(parsed.rows)
            for i, row in enumerate(parsed.rows, start=1):
                month = existing.get((row.centre_id, row.month))
                if month is None:
                    new.append(StaffMonth(centre_id=row.centre_id, month=row.month,
                                          **dict(zip(STAFF_FIELDS, row.values, strict=True))))
                elif _quantised(getattr(month, f) for f in STAFF_FIELDS) == _quantised(row.values):
                    unchanged += 1
                else:
                    for name, value in zip(STAFF_FIELDS, row.values, strict=True):
                        setattr(month, name, value)
                    changed.append(month)
                if on_row is not None and (i % 500 == 0 or i == total):
                    on_row(i, total)
            StaffMonth.objects.bulk_create(new, batch_size=1000)
            StaffMonth.objects.bulk_update(changed, list(STAFF_FIELDS), batch_size=500)
            made = StaffImport.objects.create(
                imported_by=actor if getattr(actor, "pk", None) else None, file_name=parsed.file_name or "-",
                sha256=parsed.sha256, rows=total, new=len(new), changed=len(changed), unchanged=unchanged,
                channel=channel)
            audit.record(actor, "create", obj=made, channel=channel,
                         summary=f"Personaletal importeret fra {parsed.file_name or '-'}: {len(new)} nye, "
                                 f"{len(changed)} ændrede, {unchanged} uændrede måneder",
                         after={"sha256": parsed.sha256, "rows": total, "new": len(new), "changed": len(changed),
                                "unchanged": unchanged})
    except (DatabaseError, IntegrityError) as exc:
        logger.warning("staff import stopped by a database error", exc_info=True)
        raise StaffImportError([_("The database stopped the import (%(error)s); nothing was imported. Try again.")
                                % {"error": type(exc).__name__}]) from exc
    return made


def stage_upload(file, *, actor, file_name: str, channel: str = "web") -> tuple[StaffUpload, Parsed]:
    """Read an uploaded staff file for its preview and keep it server-side (keyed by its SHA-256),
    so the import commits exactly the previewed file. Nothing is imported yet."""
    permissions.require_role(actor, IMPORTERS, "only the economist imports staff figures")
    data = _read_bytes(file)
    parsed = parse(data, file_name)
    with transaction.atomic():
        # A preview never confirmed is kept a day, then dropped with the user's next upload.
        StaffUpload.objects.filter(uploaded_by=actor, uploaded_at__lt=timezone.now() - UPLOAD_KEEP).delete()
        upload, _created = StaffUpload.objects.update_or_create(
            uploaded_by=actor, sha256=parsed.sha256, defaults={"file_name": file_name[:255], "content": data})
        audit.record(actor, "create", obj=upload, channel=channel,
                     summary=f"Personalefil {file_name[:100] or '-'} indlæst til forhåndsvisning: {parsed.new} nye, "
                             f"{parsed.changed} ændrede, {parsed.unchanged} uændrede måneder, {len(parsed.errors)} fejl")
    return upload, parsed


def commit_upload(sha256: str, *, actor, channel: str = "web") -> StaffImport | None:
    """Import the staged upload with that SHA-256 (the preview's file), then forget it. None when
    there is no such upload (imported already, or never uploaded by this user)."""
    permissions.require_role(actor, IMPORTERS, "only the economist imports staff figures")
    with transaction.atomic():
        upload = StaffUpload.objects.select_for_update().filter(uploaded_by=actor, sha256=str(sha256)[:64]).first()
        if upload is None:
            return None
        parsed = parse(bytes(upload.content), upload.file_name)
        if parsed.errors:
            raise StaffImportError(parsed.errors)
        made = _write(parsed, actor=actor, channel=channel)
        upload.delete()
    return made


def template_csv() -> str:
    """A staff file with its header and one example row per centre for last month, ready to fill in."""
    today = datetime.date.today()
    last = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for name in Centre.objects.order_by("name").values_list("name", flat=True):
        writer.writerow([name, f"{last:%Y-%m}", "", "", "", "", "", ""])
    return "\ufeff" + out.getvalue()


# ---- targets ----------------------------------------------------------------------------------


class TargetError(ValueError):
    """A target that cannot be saved; ``errors`` maps a field to what is wrong."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def set_target(kind: str, value, valid_from, *, actor, centre=None, note: str = "", channel: str = "web") -> BalanceTarget:
    """A new target for a balance figure from ``valid_from`` on, for the department (``centre``
    None) or one centre. The earlier target stays (a new row), so past half-years keep theirs.
    The economist sets targets everywhere; a centre leader for their own centre only."""
    permissions.require_role(actor, TARGET_SETTERS, "no targets for this role")
    centre_id = getattr(centre, "pk", centre)
    if actor.role == Role.CENTRE_LEADER and (centre_id is None or centre_id != actor.centre_id):
        raise permissions.NotInScope("a centre leader sets targets for their own centre only")
    errors = {}
    if kind not in TargetKind.values:
        errors["kind"] = _("Choose which figure the target is for.")
    try:
        value = parse_decimal(value)
        if not (0 <= value <= 100) or value != value.quantize(Decimal("0.01")):
            raise _Bad
    except _Bad:
        errors["value"] = _("The target is a percentage from 0 to 100 with at most two decimals.")
    if isinstance(valid_from, str):
        try:
            valid_from = datetime.date.fromisoformat(valid_from.strip())
        except ValueError:
            valid_from = None
    if not isinstance(valid_from, datetime.date) or not 2000 <= valid_from.year <= 2100:
        errors["valid_from"] = _("Give the date the target applies from (YYYY-MM-DD).")
    if centre_id is not None and not Centre.objects.filter(pk=centre_id).exists():
        errors["centre"] = _("Choose a centre, or none for the department.")
    errors.update(text_limits.errors(BalanceTarget, note=(note or "").strip()))
    if errors:
        raise TargetError(errors)
    with transaction.atomic():
        target = BalanceTarget.objects.create(kind=kind, centre_id=centre_id, value=value.quantize(Decimal("0.01")),
                                              valid_from=valid_from, note=(note or "").strip(),
                                              set_by=actor if getattr(actor, "pk", None) else None)
        audit.record(actor, "create", obj=target, channel=channel,
                     summary=f"Balancemål {target.get_kind_display()}: {target.value} % fra {valid_from:%d.%m.%Y}"
                             f"{' for ' + str(target.centre) if centre_id else ' for forvaltningen'}",
                     after={"kind": kind, "centre": centre_id, "value": str(target.value),
                            "valid_from": valid_from.isoformat()})
    return target
