"""No export of roret's carries a live formula: a text starting with =, +, -, @, tab or CR is written
with a leading apostrophe (reports.toolkit.excel.save), numbers stay numbers, and the budget
template's note comes back into roret as it was typed."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from roret.economy import services as economy
from roret.economy.models import Budget
from roret.reports.toolkit import excel
from roret.reports.toolkit.tables import Column, build_table
from tests.factories import PASSWORD

LINK = '=HYPERLINK("http://x","y")'
LAST_YEAR = datetime.date.today().year - 1


def formulas(data: bytes) -> list[str]:
    """Every cell of the workbook that a spreadsheet would run as a formula."""
    book = load_workbook(io.BytesIO(data))
    return [f"{ws.title}!{c.coordinate}: {c.value!r}" for ws in book.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith(excel.FORMULA_START))]


def texts(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


@pytest.mark.parametrize("text", [LINK, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_text_that_starts_like_a_formula_is_written_as_text(text):
    columns = [Column("label", "Navn", "text"), Column("cost", "Udgift", "money")]
    data = excel.workbook([build_table("T", columns, [{"label": text, "cost": Decimal("-1250.50")}])], title=text)
    assert formulas(data) == []
    # XML parsers read a CR back as a line feed; with lxml installed openpyxl keeps the CR.
    assert {"'" + text, "'" + text.replace("\r", "\n")} & set(texts(data))


def test_negative_amounts_stay_numbers():
    columns = [Column("label", "Navn", "text"), Column("cost", "Udgift", "money"), Column("n", "Antal")]
    data = excel.workbook([build_table("T", columns, [{"label": "-", "cost": Decimal("-1250.50"), "n": -3}])],
                          title="T")
    row = load_workbook(io.BytesIO(data)).worksheets[0][5]
    assert [c.value for c in row] == ["'-", -1250.5, -3]
    assert [c.data_type for c in row] == ["s", "n", "n"]


def test_the_budget_template_writes_a_note_as_text_and_reads_it_back_as_typed(world, client):
    economist = world.users["economist"]
    economy.set_budget(2026, "5.38.50", Decimal("1000000"), actor=economist, note=LINK)
    assert client.login(username="economist", password=PASSWORD)
    download = client.get(reverse("economy:budget_template") + "?year=2026")
    assert download.status_code == 200
    assert formulas(download.content) == []
    assert "'" + LINK in texts(download.content)
    upload = io.BytesIO(download.content)
    upload.name = "budget-2026.xlsx"
    client.post(reverse("economy:budget_import"), {"file": upload})
    assert Budget.objects.get(year=2026, account_function="5.38.50").note == LINK


def test_the_kpi_report_in_excel_has_no_formula(world, client):
    world.day_offer.name = LINK
    world.day_offer.save()
    for _ in range(6):
        world.place(world.citizen(), world.day_offer, start=datetime.date(LAST_YEAR, 1, 1))
    assert client.login(username="economist", password=PASSWORD)
    download = client.get(reverse("reports:kpi_report_xlsx") + f"?half={LAST_YEAR}-H1")
    assert download.status_code == 200
    assert formulas(download.content) == []
    assert "'" + LINK in texts(download.content)
