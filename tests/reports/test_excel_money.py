"""Money goes into the Excel export as Decimal, never through float."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from roret.reports.toolkit import excel
from roret.reports.toolkit.tables import Column, build_table


def test_money_and_percentages_reach_openpyxl_as_decimal(monkeypatch):
    written = []
    real = excel._number

    def spy(value, kind):
        out = real(value, kind)
        written.append((kind, out))
        return out

    monkeypatch.setattr(excel, "_number", spy)
    columns = [Column("label", "Label", "text"), Column("cost", "Cost", "money"), Column("share", "Share", "pct"),
               Column("citizens", "Citizens"), Column("days", "Days", "days")]
    table = build_table("T", columns, [{"label": "a", "cost": Decimal("1234567.89"), "share": Decimal("12.35"),
                                        "citizens": 7, "days": 214.5}])
    data = excel.workbook([table], title="Test")
    assert written == [("money", Decimal("1234567.89")), ("pct", Decimal("12.35")), ("int", 7), ("days", 214.5)]
    assert all(type(v) is Decimal for kind, v in written if kind in ("money", "pct"))
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet[5]] == ["a", 1234567.89, 12.35, 7, 214.5]
