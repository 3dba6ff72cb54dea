"""The HR staff-figures import: a clean file, one bad row among thousands, the same file again, a
hostile file, the preview and the command."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from roret.balance import services
from roret.balance.models import StaffImport, StaffMonth, StaffUpload
from roret.core.models import AuditEntry, Centre

pytestmark = pytest.mark.django_db

HEADER = "centre;month;fte_employed;fte_budgeted;sickness_days;working_days;leavers;vacancies"


def many_centres(world, n=24) -> list[str]:
    names = [world.centre.name, world.other_centre.name]
    for i in range(n - 2):
        names.append(Centre.objects.create(department=world.department, name=f"Center {i:02d}").name)
    return names


def csv_file(names, years=10, bad=None, start=2016) -> bytes:
    """A file of ``years`` years per centre; ``bad`` = (row number, column, text) puts one bad cell."""
    lines = [HEADER]
    for name in names:
        for y in range(start, start + years):
            for m in range(1, 13):
                lines.append(f"{name};{y}-{m:02d};21,5;23;{(m % 5) + 3},25;430,0;{m % 2};1")
    if bad is not None:
        row, column, text = bad
        cells = lines[row - 1].split(";")
        cells[HEADER.split(";").index(column)] = text
        lines[row - 1] = ";".join(cells)
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def test_a_clean_file_is_imported_whole(world):
    economist = world.users["economist"]
    names = many_centres(world, 3)
    made = services.import_staff(csv_file(names, years=2), actor=economist, file_name="hr.csv")
    assert (made.rows, made.new, made.changed, made.unchanged) == (72, 72, 0, 0)
    assert StaffMonth.objects.count() == 72
    month = StaffMonth.objects.get(centre=world.centre, month="2016-03-01")
    assert (month.fte_employed, month.sickness_days, month.working_days, month.leavers) == (
        Decimal("21.50"), Decimal("6.25"), Decimal("430.00"), 1)
    entry = AuditEntry.objects.filter(object_type="balance.staffimport", object_id=str(made.pk)).get()
    assert entry.action == "create" and entry.actor == economist and "72 nye" in entry.summary


def test_one_bad_row_among_thousands_imports_nothing_and_names_row_and_column(world):
    economist = world.users["economist"]
    names = many_centres(world)                               # 24 centres x 120 months = 2,880 rows
    before = StaffMonth.objects.count()
    with pytest.raises(services.StaffImportError) as caught:
        services.import_staff(csv_file(names, bad=(1234, "sickness_days", "syg")), actor=economist, file_name="hr.csv")
    assert caught.value.errors == ["Row 1234, column sickness_days: not a number"]
    assert StaffMonth.objects.count() == before == 0
    assert not StaffImport.objects.exists()


def test_the_same_file_again_changes_nothing(world):
    economist = world.users["economist"]
    names = many_centres(world, 4)
    data = csv_file(names, years=3)
    services.import_staff(data, actor=economist, file_name="hr.csv")
    stored = list(StaffMonth.objects.order_by("pk").values())
    again = services.import_staff(data, actor=economist, file_name="hr.csv")
    assert (again.new, again.changed, again.unchanged) == (0, 0, 144)
    assert list(StaffMonth.objects.order_by("pk").values()) == stored


def test_a_changed_month_is_counted_and_updated(world):
    economist = world.users["economist"]
    data = csv_file([world.centre.name], years=1)
    services.import_staff(data, actor=economist, file_name="hr.csv")
    changed = data.replace(b"2016-05;21,5", b"2016-05;19,0")
    preview = services.parse(changed, "hr.csv")
    assert (preview.new, preview.changed, preview.unchanged) == (0, 1, 11)
    services.import_staff(changed, actor=economist, file_name="hr.csv")
    assert StaffMonth.objects.get(centre=world.centre, month="2016-05-01").fte_employed == Decimal("19.00")


@pytest.mark.parametrize("cell, column, message", [
    ("-1", "leavers", "negative"), ("1,5", "leavers", "not a whole number"), ("", "working_days", "empty"),
    ("2016-13", "month", "not a month (YYYY-MM)"), ("Ukendt center", "centre", "no centre is named 'Ukendt center'"),
    ("999", "sickness_days", "more sickness days than working days"), ("1,234", "fte_budgeted", "more than two decimals"),
])
def test_each_kind_of_bad_cell_is_named(world, cell, column, message):
    data = csv_file([world.centre.name], years=1, bad=(3, column, cell))
    parsed = services.parse(data, "hr.csv")
    assert parsed.errors == [f"Row 3, column {column}: {message}"]


def test_a_month_twice_is_an_error_naming_both_rows(world):
    lines = [HEADER, "Center A;2024-01;1;1;0;20;0;0", "Center A;2024-01;2;2;0;20;0;0"]
    parsed = services.parse("\n".join(lines).encode(), "hr.csv")
    assert parsed.errors == ["Row 3, column month: Center A 2024-01 is also on row 2"]


def test_comma_separated_with_decimal_points_and_centre_numbers(world):
    data = f"centre,month,fte_employed,fte_budgeted,sickness_days,working_days,leavers,vacancies\n" \
           f"{world.centre.pk},2024-01,10.5,12,3.5,200,0,1\n".encode()
    parsed = services.parse(data, "hr.csv")
    assert not parsed.errors and parsed.rows[0].values[0] == Decimal("10.5")


def test_an_excel_sheet_is_read_as_data(world):
    import datetime

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(HEADER.split(";"))
    book.active.append([world.centre.name, datetime.datetime(2024, 2, 1), 10, 12, 3.25, 200, 1, "=1+1"])
    out = io.BytesIO()
    book.save(out)
    parsed = services.parse(out.getvalue(), "hr.xlsx")
    # Cells are data: a formula is not evaluated (never saved by Excel, it has no value).
    assert parsed.errors == ["Row 2, column vacancies: empty"]
    book.active["H2"] = 2
    out = io.BytesIO()
    book.save(out)
    parsed = services.parse(out.getvalue(), "hr.xlsx")
    assert not parsed.errors and parsed.rows[0].month == datetime.date(2024, 2, 1)


@pytest.mark.parametrize("data, name", [
    (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8, "hr.csv"),         # a binary renamed .csv
    (b"PK\x03\x04" + b"\x00" * 200, "hr.xlsx"),                               # a broken zip named .xlsx
    (b"centre;month\nCenter A;2024-01\n", "hr.xlsx"),                         # text named .xlsx
    ("centre;month\n".encode("utf-16"), "hr.csv"),                            # not UTF-8
    (b"", "hr.csv"),
    (b"centre;month\nCenter A;2024-01\n", "hr.csv"),                          # columns missing
])
def test_a_hostile_or_wrong_file_is_refused_with_a_message(world, data, name):
    with pytest.raises(services.StaffImportError) as caught:
        services.import_staff(data, actor=world.users["economist"], file_name=name)
    assert caught.value.errors and all(isinstance(e, str) for e in caught.value.errors)
    assert not StaffMonth.objects.exists()


def test_a_file_over_the_limit_is_refused(world, monkeypatch):
    monkeypatch.setattr(services, "MAX_BYTES", 100)
    with pytest.raises(services.StaffImportError, match="larger than"):
        services.parse(csv_file([world.centre.name], years=1), "hr.csv")


def test_only_the_economist_imports(world):
    from roret.core.permissions import NotInScope

    data = csv_file([world.centre.name], years=1)
    for persona in ("caseworker", "centre_staff", "centre_leader", "committee", "admin", "outsider"):
        with pytest.raises(NotInScope):
            services.import_staff(data, actor=world.users[persona], file_name="hr.csv")
    assert not StaffMonth.objects.exists()


def test_a_staged_upload_is_committed_once(world):
    economist = world.users["economist"]
    data = csv_file([world.centre.name], years=1)
    upload, parsed = services.stage_upload(io.BytesIO(data), actor=economist, file_name="hr.csv")
    assert parsed.new == 12 and not StaffMonth.objects.exists()
    assert services.commit_upload(parsed.sha256, actor=economist).new == 12
    assert services.commit_upload(parsed.sha256, actor=economist) is None      # a second submit: nothing
    assert StaffMonth.objects.count() == 12 and StaffImport.objects.count() == 1
    assert not StaffUpload.objects.exists()


def test_the_command_imports_and_its_dry_run_writes_nothing(world, tmp_path, capsys):
    path = tmp_path / "hr.csv"
    path.write_bytes(csv_file([world.centre.name], years=1))
    call_command("balance_import", str(path), "--user", "economist", "--dry-run", verbosity=0)
    assert not StaffMonth.objects.exists()
    assert "12 new" in capsys.readouterr().out
    call_command("balance_import", str(path), "--user", "economist", verbosity=0)
    assert StaffMonth.objects.count() == 12
    assert StaffImport.objects.get().channel == "cli"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file([world.centre.name], years=1, bad=(5, "leavers", "x")))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("balance_import", str(bad), "--user", "economist", verbosity=0)
    assert "Row 5, column leavers: not a number" in capsys.readouterr().err
    with pytest.raises(CommandError, match="may not import"):
        call_command("balance_import", str(path), "--user", "committee", verbosity=0)


def test_a_preview_never_confirmed_is_dropped_after_a_day(world):
    import datetime

    from django.utils import timezone

    economist = world.users["economist"]
    services.stage_upload(io.BytesIO(csv_file([world.centre.name], years=1)), actor=economist, file_name="a.csv")
    StaffUpload.objects.update(uploaded_at=timezone.now() - datetime.timedelta(days=2))
    services.stage_upload(io.BytesIO(csv_file([world.centre.name], years=2)), actor=economist, file_name="b.csv")
    assert list(StaffUpload.objects.values_list("file_name", flat=True)) == ["b.csv"]
