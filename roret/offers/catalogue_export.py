"""The offer catalogue as a file another municipality or a regional framework agreement can read:
CSV, .xlsx and JSON in Tilbudsportalen's terms (offer type, legal basis, target groups, places,
tariff), with places, occupancy, vacancy, waiting list and the tariff history (docs/interop.md,
"Offer catalogue").

The rows are built once (:func:`build`) from the catalogue page's own read model
(``queries.committee_catalogue``), so a file and the page give the same figures, and the committee's
file hides the same cells as its page. Three queries whatever the number of offers: the catalogue,
the target groups and the tariff rows. The file names no citizen; it is audited as an export."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Font

from roret.core import audit, permissions
from roret.core.models import AuditAction, Term
from roret.offers.models import LegalBasis, Offer, ProviderKind, Tariff
from roret.offers.queries import committee_catalogue
from roret.reports.toolkit import excel
from roret.reports.toolkit.excel import safe_text

FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "json": "application/json"}
#: The JSON shape's version: raised when a key is renamed or removed (a new key keeps it).
JSON_VERSION = 1
JSON_FORMAT = "roret-tilbudskatalog"
#: Every role that reads the catalogue page may take it out (the editors read what they keep).
EXPORT_ROLES = permissions.CATALOGUE_ROLES | permissions.CATALOGUE_EDITORS

#: How Tilbudsportalen writes a tariff's unit ("døgntakst", "månedstakst", "timetakst").
UNIT_DA = {"day": "døgn", "month": "måned", "hour": "time", "module": "modul"}
#: Tilbudsportalen's ownership ("ejerform") of each kind of provider.
OWNERSHIP = {ProviderKind.OWN: "Kommunal", ProviderKind.MUNICIPALITY: "Kommunal", ProviderKind.REGION: "Regional",
             ProviderKind.PRIVATE: "Privat"}
#: The figures that count citizens and what the committee's suppression may hide of them.
FIGURES = ("occupied", "vacancy", "waiting")
HIDDEN_TEXT = "skjult"  # as the committee's pages and reports write a hidden cell (never "<5")

#: The columns of the CSV file and the first sheet, in Danish, with the row's attribute.
COLUMNS = [
    ("Tilbud-id", "id"),
    ("Tilbudsnavn", "name"),
    ("Leverandør", "provider_name"),
    ("Leverandørtype", "provider_kind_da"),
    ("Ejerform", "ownership"),
    ("Kommunekode", "municipality_code"),
    ("CVR-nummer", "cvr"),
    ("Paragraf", "paragraph"),
    ("Lovgrundlag", "legal_basis_da"),
    ("Lovgrundlag (kode)", "legal_basis"),
    ("Tilbudstype", "offer_type"),
    ("Tilbudstype (FFB-kode)", "offer_type_code"),
    ("Målgrupper", "target_groups_text"),
    ("Målgrupper (FFB-koder)", "target_group_codes_text"),
    ("Alder fra", "age_min"),
    ("Alder til", "age_max"),
    ("Antal pladser", "places"),
    ("Belagte pladser", "occupied"),
    ("Ledige pladser", "vacancy"),
    ("Strategisk tomgang", "strategic_vacancy"),
    ("Venteliste", "waiting"),
    ("Takst (kr.)", "tariff_amount"),
    ("Takstenhed", "tariff_unit_da"),
    ("Takst gældende fra", "tariff_from"),
    ("Status", "status"),
    ("Lukker den", "closes_on"),
]
#: The tariff history (the second sheet): one row per tariff in force from a date.
TARIFF_COLUMNS = [
    ("Tilbud-id", "offer_id"),
    ("Tilbudsnavn", "offer_name"),
    ("Gældende fra", "valid_from"),
    ("Gældende til og med", "valid_through"),
    ("Takst (kr.)", "amount"),
    ("Takstenhed", "unit_da"),
]


def paragraph(code: str) -> str:
    """A legal basis as the paragraph is written: "SEL108" -> "SEL § 108", "SEL82a" -> "SEL § 82 a"."""
    match = re.fullmatch(r"([A-Z]+)(\d+)([a-z]?)", code or "")
    if not match:
        return code or ""
    law, number, letter = match.groups()
    return f"{law} § {number}" + (f" {letter}" if letter else "")


@dataclass
class TariffRow:
    offer_id: int
    offer_name: str
    valid_from: datetime.date
    valid_through: datetime.date | None  # the day before the next row; None: the latest
    amount: Decimal
    unit: str

    @property
    def unit_da(self) -> str:
        return UNIT_DA.get(self.unit, self.unit)


@dataclass
class Row:
    """One offer as the file gives it. A figure in ``hidden`` is None (the committee's cells of 1-4
    citizens, and those that would give one away)."""

    id: int
    name: str
    provider_name: str
    provider_kind: str
    provider_kind_da: str
    ownership: str
    municipality_code: str
    cvr: str
    legal_basis: str
    legal_basis_da: str
    offer_type: str
    offer_type_code: str
    target_groups: list[tuple[str, str]]  # (FFB code, display)
    age_min: int
    age_max: int | None
    places: int | None
    occupied: int | None
    vacancy: int | None
    strategic_vacancy: int
    waiting: int | None
    tariff_amount: Decimal | None
    tariff_unit: str | None
    tariff_from: datetime.date | None
    closes_on: datetime.date | None
    hidden: list[str] = field(default_factory=list)
    tariffs: list[TariffRow] = field(default_factory=list)

    @property
    def paragraph(self) -> str:
        return paragraph(self.legal_basis)

    @property
    def tariff_unit_da(self) -> str:
        return UNIT_DA.get(self.tariff_unit, self.tariff_unit or "")

    @property
    def target_groups_text(self) -> str:
        return " | ".join(display for _code, display in self.target_groups)

    @property
    def target_group_codes_text(self) -> str:
        return " | ".join(code for code, _display in self.target_groups)

    @property
    def status(self) -> str:
        return "Lukker" if self.closes_on else "Åben"


@dataclass
class Catalogue:
    day: datetime.date
    suppressed: bool
    rows: list[Row]

    @property
    def tariff_rows(self) -> list[TariffRow]:
        return [t for row in self.rows for t in row.tariffs]


def build(day: datetime.date, *, suppress: bool) -> Catalogue:
    """The offers open on ``day`` with their figures, as the catalogue page computes them
    (``suppress``: the committee's pattern), their target groups and their tariff history."""
    rows = committee_catalogue(day, suppress=suppress).rows
    ids = [o.pk for o in rows]
    groups: dict[int, list[tuple[str, str]]] = {pk: [] for pk in ids}
    through = Offer.target_groups.through.objects.filter(offer_id__in=ids)
    for offer_id, code, display in (through.order_by("offer_id", "term__display")
                                    .values_list("offer_id", "term__code", "term__display")):
        groups[offer_id].append((code, display))
    history: dict[int, list[Tariff]] = {pk: [] for pk in ids}
    for tariff in Tariff.objects.filter(offer_id__in=ids).order_by("offer_id", "valid_from", "pk"):
        history[tariff.offer_id].append(tariff)
    own_code = settings.RORET["MUNICIPALITY_CODE"]
    with translation.override("da"):
        kinds = {k: str(label) for k, label in ProviderKind.choices}
        bases = {k: str(label) for k, label in LegalBasis.choices}
    out = []
    for o in rows:
        hidden = [name for name in FIGURES if name in o.hidden]
        figure = {name: None if name in hidden else getattr(o, name) for name in FIGURES}
        tariffs = history[o.pk]
        in_force = [t for t in tariffs if t.valid_from <= day]
        out.append(Row(
            id=o.pk, name=o.name, provider_name=o.provider.name, provider_kind=o.provider.kind,
            provider_kind_da=kinds.get(o.provider.kind, o.provider.kind), ownership=OWNERSHIP.get(o.provider.kind, ""),
            municipality_code=own_code if o.provider.kind == ProviderKind.OWN else o.provider.municipality_code,
            cvr=o.provider.cvr, legal_basis=o.legal_basis, legal_basis_da=bases.get(o.legal_basis, o.legal_basis),
            offer_type=o.offer_type.display, offer_type_code=o.offer_type.code, target_groups=groups[o.pk],
            age_min=o.age_min, age_max=o.age_max, places=o.places, strategic_vacancy=o.strategic_vacancy,
            tariff_amount=o.tariff_amount, tariff_unit=o.tariff_unit,
            tariff_from=in_force[-1].valid_from if in_force else None,
            closes_on=o.closed_on, hidden=hidden, **figure,
            tariffs=[TariffRow(o.pk, o.name, t.valid_from,
                               nxt.valid_from - datetime.timedelta(days=1) if nxt else None, t.amount, t.unit)
                     for t, nxt in zip(tariffs, [*tariffs[1:], None], strict=True)],
        ))
    return Catalogue(day, suppress, out)


# ------------------------------------------------------------------------------------ the formats

def _cell(row, attribute: str):
    """A row's value for a text file or a sheet: a hidden figure reads "skjult"."""
    if attribute in getattr(row, "hidden", ()):
        return HIDDEN_TEXT
    return getattr(row, attribute)


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")  # Danish Excel reads a semicolon file with decimal commas
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return safe_text(value)
    return str(value)


def to_csv(catalogue: Catalogue) -> bytes:
    """Semicolon-separated, UTF-8 with a byte-order mark (so Excel reads æ, ø and å), CRLF, one
    header row and one row per offer; every text through ``safe_text`` (no formulas)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([name for name, _attr in COLUMNS])
    for row in catalogue.rows:
        writer.writerow([_csv_text(_cell(row, attr)) for _name, attr in COLUMNS])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _sheet(ws, columns, rows, *, money: set):
    ws.append([name for name, _attr in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_cell(row, attr) for _name, attr in columns])
    for c, (_name, attr) in enumerate(columns, start=1):
        for (cell,) in ws.iter_rows(min_row=2, min_col=c, max_col=c):
            if attr in money and isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "YYYY-MM-DD"
    ws.freeze_panes = "C2"


def to_xlsx(catalogue: Catalogue) -> bytes:
    """Two sheets, "Tilbud" (one row per offer) and "Takster" (the tariff history), figures as
    numbers, saved through ``excel.save`` (no text becomes a formula)."""
    wb = Workbook()
    _sheet(wb.active, COLUMNS, catalogue.rows, money={"tariff_amount"})
    wb.active.title = "Tilbud"
    _sheet(wb.create_sheet("Takster"), TARIFF_COLUMNS, catalogue.tariff_rows, money={"amount"})
    return excel.save(wb)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def to_json(catalogue: Catalogue) -> bytes:
    """The documented shape (docs/interop.md, "Offer catalogue"), ``version`` :data:`JSON_VERSION`:
    amounts as strings with two decimals (exact), dates ISO, hidden figures null and named in
    ``suppressed``."""
    offers = []
    for r in catalogue.rows:
        offers.append({
            "id": r.id, "name": r.name,
            "provider": {"name": r.provider_name, "kind": r.provider_kind, "ownership": r.ownership,
                         "municipality_code": r.municipality_code or None, "cvr": r.cvr or None},
            "legal_basis": {"code": r.legal_basis, "paragraph": r.paragraph, "label": r.legal_basis_da},
            "offer_type": {"system": Term.SYSTEM, "code": r.offer_type_code, "display": r.offer_type},
            "target_groups": [{"system": Term.SYSTEM, "code": code, "display": display}
                              for code, display in r.target_groups],
            "age_min": r.age_min, "age_max": r.age_max,
            "places": r.places, "occupied": r.occupied, "vacancy": r.vacancy,
            "strategic_vacancy": r.strategic_vacancy, "waiting": r.waiting, "suppressed": r.hidden,
            "tariff": None if r.tariff_amount is None else {
                "amount": _money(r.tariff_amount), "unit": r.tariff_unit, "unit_da": r.tariff_unit_da,
                "valid_from": r.tariff_from.isoformat() if r.tariff_from else None},
            "tariffs": [{"valid_from": t.valid_from.isoformat(),
                         "valid_through": t.valid_through.isoformat() if t.valid_through else None,
                         "amount": _money(t.amount), "unit": t.unit, "unit_da": t.unit_da} for t in r.tariffs],
            "open": True, "closes_on": r.closes_on.isoformat() if r.closes_on else None,
        })
    document = {
        "format": JSON_FORMAT, "version": JSON_VERSION,
        "municipality": {"code": settings.RORET["MUNICIPALITY_CODE"], "name": settings.RORET["MUNICIPALITY_NAME"]},
        "day": catalogue.day.isoformat(), "made": timezone.now().isoformat(timespec="seconds"),
        "suppressed": catalogue.suppressed, "offers": offers,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "json": to_json}


def filename(day: datetime.date, fmt: str) -> str:
    return f"tilbudskatalog-{day.isoformat()}.{fmt}"


# ------------------------------------------------------------------------------- the export itself

def export(user, fmt: str, day: datetime.date | None = None, *, channel: str = "web") -> tuple[Catalogue, bytes]:
    """The catalogue on ``day`` (default today) as ``fmt`` for ``user``, audited as an export.

    A role that does not read the catalogue is refused (NotInScope). The committee's file is
    suppressed as its page is, and always today's (two days' files set side by side could give a
    hidden cell away, docs/suppression.md). ``user`` None: the command line, as the system
    (unsuppressed, as the economist's)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    if user is not None:
        permissions.require_role(user, EXPORT_ROLES, "this role does not read the offer catalogue")
    suppress = user is not None and permissions.suppresses(user)
    today = datetime.date.today()  # the catalogue page's today
    day = today if suppress or day is None else day
    built = build(day, suppress=suppress)
    data = WRITERS[fmt](built)
    hidden = sum(len(r.hidden) for r in built.rows)
    audit.record(user, AuditAction.EXPORT, object_type="offer_catalogue", object_id=day.isoformat(), channel=channel,
                 after={"format": fmt, "day": day.isoformat(), "offers": len(built.rows), "suppressed": suppress},
                 summary=f"Tilbudskataloget {day:%d.%m.%Y} hentet som {fmt} ({len(built.rows)} tilbud"
                         + (f", undertrykt: {hidden} skjulte tal" if suppress else "") + ")")
    return built, data
