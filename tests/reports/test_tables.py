"""Small-cell suppression and pseudonyms: one rule for page, PDF and Excel."""

import io
import re
from decimal import Decimal

from openpyxl import load_workbook

from roret.reports.toolkit.excel import workbook
from roret.reports.toolkit.tables import Column, build_table, pseudonym

COLUMNS = [Column("label", "Group", "text"), Column("citizens", "Citizens", citizen_count=True),
           Column("cost_total", "Cost", "money"), Column("expensive_cases", "Expensive", citizen_count=True)]
HIDDEN = "hidden"  # tests run in English; the Danish page reads "skjult"


def test_build_table_hides_a_small_row_whole_with_the_smallest_complement_only_for_the_committee():
    items = [{"label": "A", "citizens": 12, "cost_total": Decimal("100"), "expensive_cases": 0},
             {"label": "B", "citizens": 3, "cost_total": Decimal("50"), "expensive_cases": 0},
             {"label": "C", "citizens": 30, "cost_total": Decimal("900"), "expensive_cases": 6},
             {"label": "D", "citizens": 40, "cost_total": Decimal("700"), "expensive_cases": 2}]
    total = {"label": "Total", "citizens": 85, "cost_total": Decimal("1750"), "expensive_cases": 8}
    shown = build_table("T", COLUMNS, items, total=total, suppress=True)
    texts = [[c.text for c in row] for row in shown.rows]
    assert texts[0] == ["A", HIDDEN, HIDDEN, HIDDEN]   # the smallest row beside B (12 citizens)
    assert texts[1] == ["B", HIDDEN, HIDDEN, HIDDEN]   # 3 citizens: hidden whole
    # D's 2 expensive cases hide as a cell; A's hidden 0 cannot be told from a 1, so it covers D.
    assert texts[2] == ["C", "30", "900", "6"]
    assert texts[3] == ["D", "40", "700", HIDDEN]
    assert [c.text for c in shown.total] == ["Total", "85", "1.750", "8"]
    assert "cannot be worked out" in shown.note and "<5" not in shown.note
    assert [c.citizens for c in shown.rows[0]] == [False, True, False, True]
    plain = build_table("T", COLUMNS, items, total=total, suppress=False)
    assert not plain.suppressed_any and [c.text for c in plain.rows[1]] == ["B", "3", "50", "0"]


def test_a_complement_holding_5_or_more_reads_hidden_not_small():
    items = [{"label": "A", "citizens": 52}, {"label": "B", "citizens": 1}, {"label": "C", "citizens": 80}]
    shown = build_table("T", COLUMNS[:2], items, total={"label": "Total", "citizens": 133}, suppress=True)
    assert [[c.text for c in row] for row in shown.rows] == [["A", HIDDEN], ["B", HIDDEN], ["C", "80"]]


def test_without_a_total_row_a_small_row_stands_alone_unless_its_total_is_shown_elsewhere():
    items = [{"label": "A", "citizens": 12, "cost_total": 100}, {"label": "B", "citizens": 3, "cost_total": 50},
             {"label": "C", "citizens": 30, "cost_total": 900}]
    alone = build_table("T", COLUMNS[:3], items, suppress=True)
    assert [r[1].suppressed for r in alone.rows] == [False, True, False]
    implied = build_table("T", COLUMNS[:3], items, suppress=True, implied_total=True)
    assert [r[1].suppressed for r in implied.rows] == [True, True, False]


def test_a_small_total_hides_the_whole_table():
    items = [{"label": "A", "citizens": 1, "cost_total": 100}, {"label": "B", "citizens": 2, "cost_total": 50}]
    shown = build_table("T", COLUMNS[:3], items, total={"label": "Total", "citizens": 3, "cost_total": 150},
                        suppress=True)
    assert all(c.suppressed for row in [*shown.rows, shown.total] for c in row[1:])


def test_a_small_count_in_the_total_row_hides_as_a_cell_and_a_pinned_pair_takes_a_third_row():
    items = [{"label": "A", "citizens": 1, "cost_total": 100, "expensive_cases": 1},
             {"label": "B", "citizens": 6, "cost_total": 50, "expensive_cases": 0},
             {"label": "C", "citizens": 1, "cost_total": 70, "expensive_cases": 0}]
    total = {"label": "Total", "citizens": 8, "cost_total": 220, "expensive_cases": 1}
    shown = build_table("T", COLUMNS, items, total=total, suppress=True)
    # A and C (1 each) would both read 1 from the total of 8 less B's 6: B hides too.
    assert all(c.suppressed for row in shown.rows for c in row[1:])
    assert [c.text for c in shown.total] == ["Total", "8", "220", HIDDEN]


def test_the_same_figures_give_the_same_pattern_in_any_row_order():
    items = [{"label": "A", "citizens": 9}, {"label": "B", "citizens": 2}, {"label": "C", "citizens": 9}]
    total = {"label": "Total", "citizens": 20}
    one = build_table("T", COLUMNS[:2], items, total=total, suppress=True)
    other = build_table("T", COLUMNS[:2], items[::-1], total=total, suppress=True)
    hidden = {row[0].value for row in one.rows if row[1].suppressed}
    assert hidden == {row[0].value for row in other.rows if row[1].suppressed} == {"A", "B"}


def test_excel_writes_numbers_as_numbers_and_hidden_cells_as_the_word():
    items = [{"label": "A", "citizens": 2, "cost_total": Decimal("1234.5"), "expensive_cases": 0},
             {"label": "C", "citizens": 30, "cost_total": Decimal("900"), "expensive_cases": 6}]
    book = load_workbook(io.BytesIO(workbook([build_table("Paragraph", COLUMNS, items, suppress=True)], title="KPI")))
    ws = book.worksheets[0]
    assert [ws.cell(5, c).value for c in range(1, 5)] == ["A", HIDDEN, HIDDEN, HIDDEN]
    assert [ws.cell(6, c).value for c in range(1, 5)] == ["C", 30, 900, 6]
    assert "cannot be worked out" in ws.cell(8, 1).value


def test_pseudonyms_are_stable_and_reveal_nothing():
    assert pseudonym(42) == pseudonym(42) != pseudonym(43)
    assert re.fullmatch(r"B-[0-9A-F]{8}", pseudonym(42))


def test_a_mean_hides_with_the_count_it_is_built_from():
    columns = [Column("label", "Basis", "text"), Column("citizens", "Citizens", citizen_count=True),
               Column("completed", "Completed", citizen_count=True),
               Column("completed_mean_days", "Mean", "days", of="completed")]
    items = [{"label": "A", "citizens": 150, "completed": 4, "completed_mean_days": 6097},
             {"label": "B", "citizens": 80, "completed": 8, "completed_mean_days": 1866},
             {"label": "C", "citizens": 250, "completed": 36, "completed_mean_days": 1369}]
    total = {"label": "Total", "citizens": 480, "completed": 48, "completed_mean_days": 1800}
    shown = build_table("T", columns, items, total=total, suppress=True)
    assert [[c.text for c in row] for row in shown.rows] == [
        ["A", "150", HIDDEN, HIDDEN], ["B", "80", HIDDEN, HIDDEN], ["C", "250", "36", "1.369"]]
