"""Loading a development plan from JSON or .xlsx: the published totals reproduced, every malformed
file refused naming row and field, and nothing stored when it is refused."""

import copy
import io
import json
import pathlib
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from roret.plans import loading, services
from roret.plans.models import Estimate, Initiative, Plan, PlanRow, Track
from roret.plans.table import plan_table
from roret.plans.workbook import plan_workbook

FIXTURE = pathlib.Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "plan-2020-status.json"
PACKAGED = pathlib.Path(loading.__file__).parent / "fixtures" / "plan-2020-status.json"
pytestmark = pytest.mark.django_db


def fixture() -> dict:
    path = FIXTURE if FIXTURE.exists() else PACKAGED
    return json.loads(path.read_text())


def counts() -> tuple:
    return tuple(m.objects.count() for m in (Plan, Track, Initiative, PlanRow, Estimate))


def refused(tmp_path, document: dict, *expected: str) -> str:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document, ensure_ascii=False))
    before = counts()
    with pytest.raises(CommandError) as caught:
        call_command("plan", "load", str(path))
    assert counts() == before, "a refused file stored something"
    message = str(caught.value)
    for text in expected:
        assert text in message, message
    return message


def test_the_fixture_reproduces_the_published_totals_row_exactly(tmp_path, capsys):
    document = fixture()
    call_command("plan", "load", str(FIXTURE if FIXTURE.exists() else PACKAGED))
    capsys.readouterr()
    call_command("plan", "show", document["title"], "--json")
    shown = json.loads(capsys.readouterr().out)
    assert shown["years"] == [2020, 2021, 2022, 2023, 2024]
    assert shown["totals"] == document["published_total"] == [-2500, -5950, -8750, -11550, -15850]
    assert shown["effect_totals"] == document["published_total"]
    assert shown["investment_totals"] == [0, 0, 0, 0, 0]
    assert [r["effect"] for r in shown["rows"]] == [r["effect"] for r in document["rows"]]
    assert [r["track"] for r in shown["rows"]] == ["1", "2", "3", "4a", "4b"]
    # Stored exactly in kroner: -1600 (1000 kr) is -1,600,000.00 kr.
    row = PlanRow.objects.get(track__number="1")
    assert Estimate.objects.get(row=row, year=2021).amount == Decimal("-1600000.00")


def test_show_json_writes_a_part_amount_as_exact_text_not_a_float(capsys):
    document = {"title": "P", "unit": "1000 kr", "years": [2026], "rows": [{"track": "1", "initiative": "A",
                                                                            "effect": [-250.55]}]}
    plan = services.load_plan(loading.parse("p.json", json.dumps(document).encode()), actor=None)
    call_command("plan", "show", str(plan.pk), "--json")
    shown = json.loads(capsys.readouterr().out)
    assert shown["totals"] == ["-250.55"] and shown["rows"][0]["effect"] == ["-250.55"]


def test_show_by_id_and_a_plan_that_does_not_exist(tmp_path, capsys):
    call_command("plan", "load", str(PACKAGED))
    plan = Plan.objects.get()
    call_command("plan", "show", str(plan.pk))
    out = capsys.readouterr().out
    assert "-15850" in out and "Netto" in out
    with pytest.raises(CommandError, match="No development plan"):
        call_command("plan", "show", "no such plan")


def test_a_copy_with_one_altered_total_is_refused_naming_the_year(tmp_path):
    document = fixture()
    document["published_total"][2] = -8751
    refused(tmp_path, document, "2022", "-8750", "-8751")
    message = refused(tmp_path, document)
    assert "2021" not in message.split("published_total", 1)[1]


def test_two_altered_totals_name_both_years(tmp_path):
    document = fixture()
    document["published_total"][0] = 0
    document["published_total"][4] = 1
    refused(tmp_path, document, "2020", "2024", "-2500", "-15850")


@pytest.mark.parametrize("change, where", [
    (lambda d: d["rows"][1].update(effect=[-250, -1250, -1750]), "row 2, effect"),            # wrong length
    (lambda d: d["rows"][2].update(effect={"2019": -1}), "row 3, effect"),                     # unknown year
    (lambda d: d["rows"][0]["effect"].__setitem__(3, "mange"), "row 1, effect 2023"),          # non-number
    (lambda d: d["rows"][0]["effect"].__setitem__(1, None), "row 1, effect 2021"),             # null
    (lambda d: d["rows"][0]["effect"].__setitem__(1, True), "row 1, effect 2021"),             # a boolean
    (lambda d: d.pop("title"), "title"),                                                       # missing title
    (lambda d: d.update(title="  "), "title"),                                                 # empty title
    (lambda d: d.update(unit="mio. kr"), "unit"),                                              # unknown unit
    (lambda d: d.update(years=[2020, 2022]), "years"),                                         # a gap
    (lambda d: d["rows"][3].pop("initiative"), "row 4, initiative"),                           # no text
    (lambda d: d["rows"][4].update(investment=[-1, 0, 0, 0, 0]), "row 5, investment 2020"),    # negative investment
    (lambda d: d["rows"][4].update(initiative=d["rows"][0]["initiative"]), "row 5"),           # duplicate initiative
    (lambda d: d["rows"][0]["effect"].__setitem__(0, -250.000001), "row 1, effect 2020"),        # below an øre
    (lambda d: d.update(rows=[]), "rows"),
    (lambda d: d["rows"][0]["effect"].__setitem__(2, 10 ** 30), "row 1, effect 2022"),           # too large
], ids=["length", "unknown-year", "non-number", "null", "bool", "no-title", "blank-title", "unit", "years-gap",
        "no-initiative", "negative-investment", "duplicate", "sub-ore", "no-rows", "huge"])
def test_malformed_files_are_refused_naming_row_and_field(tmp_path, change, where):
    document = copy.deepcopy(fixture())
    change(document)
    refused(tmp_path, document, where)


def test_a_title_that_exists_is_refused(tmp_path):
    call_command("plan", "load", str(PACKAGED))
    refused(tmp_path, fixture(), "title", "exists already")


def test_files_that_are_not_plans(tmp_path):
    for name, data, text in [("plan.json", b"{not json", "not valid JSON"),
                             ("plan.json", b"\xff\xfe\x00", "not UTF-8"),
                             ("plan.xlsx", b"MZ\x90\x00 a renamed program", "not an Excel workbook"),
                             ("plan.csv", b"a;b", ".json or .xlsx")]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(CommandError, match=text):
            call_command("plan", "load", str(path))
    assert counts() == (0, 0, 0, 0, 0)


def test_the_workbook_round_trip_gives_the_same_table():
    plan = services.load_plan(loading.parse("p.json", PACKAGED.read_bytes()), actor=None)
    data = plan_workbook(plan_table(plan))
    plan.title = "Old"
    plan.save()
    again = services.load_plan(loading.parse("p.xlsx", data), actor=None)
    first, second = plan_table(plan), plan_table(again)
    assert second.totals == first.totals and [r.as_dict() for r in second.rows] == [r.as_dict() for r in first.rows]


def _workbook(rows, info=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "info"
    for line in info or [["title", "Plan 2025-2027"], ["unit", "kr"], ["published_total", 100, -300, -500]]:
        sheet.append(line)
    plan = book.create_sheet("plan")
    plan.append(["track", "initiative", "kind", 2025, 2026, 2027])
    for row in rows:
        plan.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_plan_with_investments_effects_and_a_plan_level_row():
    data = _workbook([["1", "Nyt botilbud", "investment", 500, 200, 0],
                      ["1", "Nyt botilbud", "effect", -400, -500, -500],
                      [None, "Samlet effekt af tidlig indsats", "effect", 0, 0, 0]])
    parsed = loading.parse("plan.xlsx", data)
    assert parsed.ok, parsed.problems
    plan = services.load_plan(parsed, actor=None)
    table = plan_table(plan)
    assert table.investment_totals == [500, 200, 0]
    assert table.effect_totals == [-400, -500, -500]
    assert table.totals == [100, -300, -500]
    assert [r.level for r in table.rows] == ["initiative", "plan"]


def test_xlsx_errors_name_sheet_row_and_column():
    data = _workbook([["1", "Nyt botilbud", "investment", 500, "ti", 0],
                      ["1", "Nyt botilbud", "effekt", -400, -500, -500],
                      ["2", "", "effect", "=1+1", 0, 0]])
    parsed = loading.parse("plan.xlsx", data)
    text = "\n".join(map(str, parsed.problems))
    assert "sheet plan, row 2, E (2026)" in text and "not a number" in text
    assert "sheet plan, row 3, C (kind)" in text
    assert "sheet plan, row 4, B (initiative)" in text
    assert "sheet plan, row 4, D (2025)" in text and "formula" in text
    before = counts()
    with pytest.raises(Exception):  # noqa: B017 - the service refuses a parsed file with problems
        services.load_plan(parsed, actor=None)
    assert counts() == before


def test_xlsx_published_total_is_checked():
    data = _workbook([["1", "Nyt botilbud", "effect", -400, -500, -500]],
                     info=[["title", "P"], ["unit", "kr"], ["published_total", -400, -500, -499]])
    parsed = loading.parse("plan.xlsx", data)
    assert [p.message for p in parsed.problems] == ["2027: the rows add up to -500, the file's total says -499"]
