"""Small-cell suppression and pseudonyms: one rule for page, PDF and Excel."""

import io
import re
from decimal import Decimal

from openpyxl import load_workbook

from roret.reports.excel import workbook
from roret.reports.tables import SUPPRESSED, Column, build_table, pseudonym, rows_to_hide

COLUMNS = [Column("label", "Group", "text"), Column("citizens", "Citizens", citizen_count=True),
           Column("cost_total", "Cost", "money"), Column("expensive_cases", "Expensive", citizen_count=True)]


def test_rows_with_fewer_than_five_citizens_are_hidden_with_a_complement():
    assert rows_to_hide([12, 3, 40, 7]) == {1, 3}          # one small row: the next smallest goes too
    assert rows_to_hide([12, 3, 4, 7]) == {1, 2}           # two small rows protect each other
    assert rows_to_hide([5, 6, 0]) == set()                # 5 is enough; 0 citizens reveals nobody


def test_build_table_suppresses_only_for_the_committee_and_says_so():
    items = [{"label": "A", "citizens": 12, "cost_total": Decimal("100"), "expensive_cases": 2},
             {"label": "B", "citizens": 3, "cost_total": Decimal("50"), "expensive_cases": 0},
             {"label": "C", "citizens": 30, "cost_total": Decimal("900"), "expensive_cases": 6}]
    total = {"label": "Total", "citizens": 45, "cost_total": Decimal("1050"), "expensive_cases": 8}
    shown = build_table("T", COLUMNS, items, total=total, suppress=True)
    texts = [[c.text for c in row] for row in shown.rows]
    assert texts[0] == ["A", SUPPRESSED, SUPPRESSED, SUPPRESSED]   # complement of B
    assert texts[1] == ["B", SUPPRESSED, SUPPRESSED, SUPPRESSED]
    assert texts[2] == ["C", "30", "900", "6"]
    assert [c.text for c in shown.total] == ["Total", "45", "1.050", "8"]
    assert "<5" in shown.note
    plain = build_table("T", COLUMNS, items, total=total, suppress=False)
    assert not plain.suppressed_any and [c.text for c in plain.rows[1]] == ["B", "3", "50", "0"]


def test_excel_writes_numbers_as_numbers_and_suppressed_cells_as_text():
    items = [{"label": "A", "citizens": 2, "cost_total": Decimal("1234.5"), "expensive_cases": 0},
             {"label": "C", "citizens": 30, "cost_total": Decimal("900"), "expensive_cases": 6}]
    book = load_workbook(io.BytesIO(workbook([build_table("Paragraph", COLUMNS, items, suppress=True)], title="KPI")))
    ws = book.worksheets[0]
    assert [ws.cell(5, c).value for c in range(1, 5)] == ["A", SUPPRESSED, SUPPRESSED, SUPPRESSED]
    assert [ws.cell(6, c).value for c in range(1, 5)] == ["C", SUPPRESSED, SUPPRESSED, SUPPRESSED]


def test_pseudonyms_are_stable_and_reveal_nothing():
    assert pseudonym(42) == pseudonym(42) != pseudonym(43)
    assert re.fullmatch(r"B-[0-9A-F]{8}", pseudonym(42))
