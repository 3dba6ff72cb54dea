"""The offer catalogue as CSV, .xlsx and JSON in Tilbudsportalen's terms: the same figures as the
catalogue page, no formulas, the committee's small cells hidden, the tariff history, the refusals,
a bounded number of queries and the command line."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from roret.core.models import AuditEntry, Term
from roret.core.permissions import NotInScope
from roret.offers import catalogue_export
from roret.offers import services as offer_services
from tests.factories import PASSWORD
from tests.reports.cells import small_catalogue

TODAY = datetime.date.today()
START = TODAY - datetime.timedelta(days=300)
FIGURES = ("places", "occupied", "vacancy", "strategic_vacancy", "waiting")


@pytest.fixture
def small_world(world):
    """As tests/reports/test_committee_pages.py: the residential offer (2 places) with 1 resident
    and 1 waiting; the day offer (10 places) with 7 residents and 3 waiting; the external offer
    with 6 own citizens."""
    return small_catalogue(world, START)


def login(client, persona):
    assert client.login(username=persona, password=PASSWORD)
    return client


def download(client, fmt, query=""):
    response = client.get(reverse(f"offers:catalogue_{fmt}") + query)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == catalogue_export.CONTENT_TYPES[fmt]
    assert response["Content-Disposition"].startswith('attachment; filename="tilbudskatalog-')
    return response.content


def csv_rows(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def xlsx_sheets(data: bytes):
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Tilbud", "Takster"]
    return wb["Tilbud"], wb["Takster"]


def sheet_rows(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


COLUMN = dict((attr, name) for name, attr in catalogue_export.COLUMNS)


def _int(text):
    return None if text in ("", None) else int(text)


# --- the same figures as the page ---------------------------------------------------------------

def test_the_three_formats_give_the_figures_of_the_catalogue_page(small_world, client):
    login(client, "economist")
    page = client.get(reverse("offers:list")).context["page"].rows
    expected = {o.pk: {**{f: getattr(o, f) for f in FIGURES}, "tariff": o.tariff_amount} for o in page}
    assert len(expected) == 3 and expected[small_world.residential.pk]["occupied"] == 1

    from_csv = {int(r["Tilbud-id"]): {**{f: _int(r[COLUMN[f]]) for f in FIGURES},
                                      "tariff": Decimal(r[COLUMN["tariff_amount"]].replace(",", "."))}
                for r in csv_rows(download(client, "csv"))}
    offers, _tariffs = xlsx_sheets(download(client, "xlsx"))
    from_xlsx = {r["Tilbud-id"]: {**{f: r[COLUMN[f]] for f in FIGURES}, "tariff": Decimal(str(r[COLUMN["tariff_amount"]]))}
                 for r in sheet_rows(offers)}
    document = json.loads(download(client, "json"))
    from_json = {o["id"]: {**{f: o[f] for f in FIGURES}, "tariff": Decimal(o["tariff"]["amount"])}
                 for o in document["offers"]}
    assert from_csv == expected
    assert from_xlsx == expected
    assert from_json == expected
    assert document["format"] == "roret-tilbudskatalog" and document["version"] == catalogue_export.JSON_VERSION
    assert document["day"] == TODAY.isoformat() and document["suppressed"] is False


def test_the_file_speaks_tilbudsportalens_terms(small_world, client):
    groups = list(Term.objects.filter(group="target_group").order_by("display")[:2])
    small_world.residential.target_groups.set(groups)
    login(client, "economist")
    row = next(r for r in csv_rows(download(client, "csv")) if r["Tilbudsnavn"] == "Bostedet")
    assert row["Paragraf"] == "SEL § 108" and row["Lovgrundlag (kode)"] == "SEL108"
    assert row["Lovgrundlag"] == "SEL §108 (længerevarende botilbud)"
    assert row["Tilbudstype"] == "Almindeligt længerevarende botilbud til voksne"
    assert row["Tilbudstype (FFB-kode)"] == small_world.residential.offer_type.code
    assert row["Målgrupper"] == " | ".join(g.display for g in groups)
    assert row["Målgrupper (FFB-koder)"] == " | ".join(g.code for g in groups)
    assert (row["Takst (kr.)"], row["Takstenhed"]) == ("2250,00", "døgn")
    assert (row["Leverandørtype"], row["Ejerform"], row["Status"]) == ("Eget center", "Kommunal", "Åben")
    assert row["Alder fra"] == "18" and row["Alder til"] == ""
    external = next(r for r in csv_rows(download(client, "csv")) if r["Tilbudsnavn"] == "Eksternt bosted")
    # A purchased place is bought per citizen: no places and no vacancy of ours (as on the page).
    assert (external["Kommunekode"], external["Antal pladser"], external["Ledige pladser"]) == ("991", "", "")
    offer = next(o for o in json.loads(download(client, "json"))["offers"] if o["name"] == "Bostedet")
    assert offer["legal_basis"] == {"code": "SEL108", "paragraph": "SEL § 108",
                                    "label": "SEL §108 (længerevarende botilbud)"}
    assert offer["offer_type"]["system"] == Term.SYSTEM
    assert [g["code"] for g in offer["target_groups"]] == [g.code for g in groups]


def test_paragraph_texts():
    assert catalogue_export.paragraph("SEL82b") == "SEL § 82 b"
    assert catalogue_export.paragraph("ABL105") == "ABL § 105"
    assert catalogue_export.paragraph("odd") == "odd"


# --- no formulas ----------------------------------------------------------------------------------

def test_a_name_that_starts_like_a_formula_comes_out_as_text(world, client):
    world.offer('=HYPERLINK("http://x.example","klik")', "SEL104", places=5, tariff="100.00",
                offer_type="Aktivitets- og samværstilbud")
    world.offer("@SUM(A1)", "SEL104", places=5, tariff="100.00", offer_type="Aktivitets- og samværstilbud")
    login(client, "economist")
    names = [r["Tilbudsnavn"] for r in csv_rows(download(client, "csv"))]
    assert "'=HYPERLINK(\"http://x.example\",\"klik\")" in names and "'@SUM(A1)" in names
    offers, tariffs = xlsx_sheets(download(client, "xlsx"))
    for ws in (offers, tariffs):
        cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
        assert cells and all(c.data_type == "s" and c.value.startswith("'=") for c in cells), ws.title
        assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]


# --- the committee ----------------------------------------------------------------------------------

def test_the_committees_file_hides_the_cells_its_page_hides(small_world, client):
    login(client, "committee")
    # The committee's file is today's whatever day is asked for (as its page).
    document = json.loads(download(client, "json", "?day=2020-01-01"))
    assert document["suppressed"] is True and document["day"] == TODAY.isoformat()
    by_name = {o["name"]: o for o in document["offers"]}
    # Bostedet: 1 occupied (so its vacancy too), 1 waiting; Aktivitetshuset: 3 waiting.
    assert by_name["Bostedet"]["suppressed"] == ["occupied", "vacancy", "waiting"]
    assert [by_name["Bostedet"][f] for f in ("occupied", "vacancy", "waiting")] == [None, None, None]
    assert by_name["Aktivitetshuset"]["waiting"] is None and "waiting" in by_name["Aktivitetshuset"]["suppressed"]
    assert by_name["Bostedet"]["places"] == 2  # places are no count of citizens
    for offer in document["offers"]:
        assert offer["occupied"] is None or offer["occupied"] == 0 or offer["occupied"] >= 5
        assert offer["waiting"] is None or offer["waiting"] == 0 or offer["waiting"] >= 5

    page = client.get(reverse("offers:list")).context["page"].rows
    assert {o.pk: sorted(o.hidden & {"occupied", "vacancy", "waiting"}) for o in page} == \
        {o["id"]: sorted(o["suppressed"]) for o in document["offers"]}

    rows = {r["Tilbudsnavn"]: r for r in csv_rows(download(client, "csv"))}
    assert [rows["Bostedet"][c] for c in ("Belagte pladser", "Ledige pladser", "Venteliste")] == ["skjult"] * 3
    assert rows["Aktivitetshuset"]["Venteliste"] == "skjult"
    sheet = {r["Tilbudsnavn"]: r for r in sheet_rows(xlsx_sheets(download(client, "xlsx"))[0])}
    assert [sheet["Bostedet"][c] for c in ("Belagte pladser", "Ledige pladser", "Venteliste")] == ["skjult"] * 3
    assert sheet["Aktivitetshuset"]["Venteliste"] == "skjult"

    entry = AuditEntry.objects.filter(actor=small_world.users["committee"], action="export").first()
    assert entry.object_type == "offer_catalogue" and "undertrykt" in entry.summary and entry.citizen_id is None


def test_the_economist_file_shows_every_figure(small_world, client):
    login(client, "economist")
    by_name = {o["name"]: o for o in json.loads(download(client, "json"))["offers"]}
    assert (by_name["Bostedet"]["occupied"], by_name["Bostedet"]["waiting"], by_name["Bostedet"]["vacancy"]) == (1, 1, 1)
    assert by_name["Aktivitetshuset"]["waiting"] == 3 and not any(o["suppressed"] for o in by_name.values())


# --- tariff history ----------------------------------------------------------------------------------

def test_the_tariff_history_is_a_dated_row_per_tariff(world, client):
    economist = world.users["economist"]
    offer_services.add_tariff(world.residential, valid_from=datetime.date(2024, 1, 1), amount="2400.00", unit="day",
                              actor=economist, reason="Ny takst fra 2024")
    next_month = TODAY + datetime.timedelta(days=40)
    offer_services.add_tariff(world.residential, valid_from=next_month, amount="2500.00", unit="day", actor=economist)
    login(client, "economist")
    offer = next(o for o in json.loads(download(client, "json"))["offers"] if o["name"] == "Bostedet")
    assert offer["tariffs"] == [
        {"valid_from": "2015-01-01", "valid_through": "2023-12-31", "amount": "2250.00", "unit": "day", "unit_da": "døgn"},
        {"valid_from": "2024-01-01", "valid_through": (next_month - datetime.timedelta(days=1)).isoformat(),
         "amount": "2400.00", "unit": "day", "unit_da": "døgn"},
        {"valid_from": next_month.isoformat(), "valid_through": None, "amount": "2500.00", "unit": "day",
         "unit_da": "døgn"},
    ]
    assert offer["tariff"] == {"amount": "2400.00", "unit": "day", "unit_da": "døgn", "valid_from": "2024-01-01"}
    _offers, tariffs = xlsx_sheets(download(client, "xlsx"))
    rows = [r for r in sheet_rows(tariffs) if r["Tilbudsnavn"] == "Bostedet"]
    assert [(r["Gældende fra"].date(), r["Takst (kr.)"], r["Takstenhed"]) for r in rows] == [
        (datetime.date(2015, 1, 1), 2250, "døgn"), (datetime.date(2024, 1, 1), 2400, "døgn"), (next_month, 2500, "døgn")]
    assert len(sheet_rows(tariffs)) == 5  # and one row each for the other two offers


def test_a_corrected_tariff_row_is_left_out_of_the_history(world, client):
    row = world.residential.tariffs.get()
    offer_services.correct_tariff(row, amount="2200.00", unit="day", actor=world.users["economist"],
                                  reason="Forkert takst indtastet")
    built = catalogue_export.build(TODAY, suppress=False)
    residential = next(r for r in built.rows if r.id == world.residential.pk)
    assert [(t.valid_from, t.amount) for t in residential.tariffs] == [(datetime.date(2015, 1, 1), Decimal("2200.00"))]
    assert residential.tariff_amount == Decimal("2200.00")


# --- who may ------------------------------------------------------------------------------------------

def test_every_role_that_reads_the_catalogue_may_download_it_and_each_download_is_audited(world, client):
    for persona in ("caseworker", "centre_staff", "centre_leader", "economist", "committee", "admin", "leader"):
        login(client, persona)
        before = AuditEntry.objects.filter(action="export", object_type="offer_catalogue").count()
        download(client, "xlsx")
        entry = AuditEntry.objects.filter(action="export", object_type="offer_catalogue").first()
        assert AuditEntry.objects.filter(action="export", object_type="offer_catalogue").count() == before + 1
        assert entry.actor == world.users[persona] and entry.after["format"] == "xlsx", persona
        client.logout()


def test_anyone_without_the_catalogue_is_refused(world, client):
    for fmt in catalogue_export.FORMATS:
        response = client.get(reverse(f"offers:catalogue_{fmt}"))
        assert response.status_code == 302 and "/login" in response["Location"]
    caseworker = world.users["caseworker"]
    caseworker.is_active = False
    caseworker.save()
    before = AuditEntry.objects.count()
    with pytest.raises(NotInScope):
        catalogue_export.export(caseworker, "csv")
    stranger = type(caseworker)(username="stranger", role="nobody")
    with pytest.raises(NotInScope):
        catalogue_export.export(stranger, "json")
    assert AuditEntry.objects.count() == before


# --- bounded queries ------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", catalogue_export.FORMATS)
def test_the_export_uses_the_same_number_of_queries_for_3_and_9_offers(world, fmt):
    groups = list(Term.objects.filter(group="target_group")[:2])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            catalogue_export.export(world.users["economist"], fmt)
        return len(ctx.captured_queries)

    small = count()
    for i in range(6):
        offer = world.offer(f"Tilbud {i}", "SEL104", places=4, tariff="500.00", offer_type="Aktivitets- og samværstilbud")
        offer.target_groups.set(groups)
        offer_services.add_tariff(offer, valid_from=TODAY + datetime.timedelta(days=30), amount="510.00", unit="day",
                                  actor=world.users["economist"])
    assert catalogue_export.build(TODAY, suppress=False).rows.__len__() == 9
    assert count() == small, f"{fmt}: {small} queries with 3 offers, more with 9"


# --- the command line -----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", catalogue_export.FORMATS)
def test_the_command_writes_the_file_and_audits_it(world, tmp_path, fmt):
    out = tmp_path / f"katalog.{fmt}"
    stdout = io.StringIO()
    call_command("catalogue", "export", "--format", fmt, "--out", str(out), "--day", "2024-06-01", stdout=stdout)
    assert "3 offers" in stdout.getvalue() and out.exists()
    data = out.read_bytes()
    if fmt == "json":
        assert json.loads(data)["day"] == "2024-06-01" and len(json.loads(data)["offers"]) == 3
    elif fmt == "csv":
        assert len(csv_rows(data)) == 3
    else:
        assert len(sheet_rows(xlsx_sheets(data)[0])) == 3
    entry = AuditEntry.objects.filter(action="export", object_type="offer_catalogue").first()
    assert entry.channel == "cli" and entry.actor is None and entry.object_id == "2024-06-01"


def test_the_command_refuses_a_user_without_the_catalogue_and_another_day_for_the_committee(world, tmp_path):
    from django.core.management.base import CommandError

    out = tmp_path / "katalog.csv"
    with pytest.raises(CommandError, match="not an active user"):
        call_command("catalogue", "export", "--format", "csv", "--out", str(out), "--as", "nobody")
    with pytest.raises(CommandError, match="today only"):
        call_command("catalogue", "export", "--format", "csv", "--out", str(out), "--as", "committee",
                     "--day", "2024-06-01")
    with pytest.raises(CommandError, match="not a date"):
        call_command("catalogue", "export", "--format", "csv", "--out", str(out), "--day", "juni")
    assert not out.exists()
    call_command("catalogue", "export", "--format", "csv", "--out", str(out), "--as", "committee",
                 stdout=io.StringIO())
    assert out.exists()


def test_the_page_links_the_files_of_its_day(world, client):
    login(client, "economist")
    html = client.get(reverse("offers:list"), {"day": "2024-06-01"}).content.decode()
    assert all(f'href="/offers/catalogue.{fmt}?day=2024-06-01"' in html for fmt in catalogue_export.FORMATS)
    client.logout()
    login(client, "committee")
    html = client.get(reverse("offers:list"), {"day": "2024-06-01"}).content.decode()
    assert all(f'href="/offers/catalogue.{fmt}"' in html for fmt in catalogue_export.FORMATS)
