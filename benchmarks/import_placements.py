"""A 100,000-row placement import through roret.imports against a plain row-by-row ORM insert.

Usage:

    python benchmarks/import_placements.py [--rows 100000] [--repeat 3] [--json]

Builds a scratch SQLite database in a temporary directory (migrated, with a caseworker's team of
``rows / 2`` citizens and 20 offers), and an .xlsx file of ``rows`` placements: each citizen has an
ended stay in a residential offer and a running one in a day offer (the history a municipality
keeps in Excel). Each timed run starts from a fresh copy of that database, and times:

- **framework**: ``roret.imports`` as ``roret import`` runs it: read the file (openpyxl,
  read-only, formulas not evaluated), check every row (CPR through the keyed hash, offers, dates,
  overlaps against the file and the database), then write in one transaction: a grant and a
  placement per row in bulk, an audit row per placement (hash-chained), and the marks for the
  economy's re-costing and the compliance list. The re-costing itself runs after the commit and
  is timed on its own (it is what any placement write triggers, the page's too).
- **row by row**: the same file read the same way, each row's citizen looked up by its keyed hash
  and then ``Grant.objects.create`` and ``Placement.objects.create`` per row, in one transaction:
  no checks, no audit, no re-costing.

Reports the median of ``--repeat`` runs of each, and the machine's load average before the runs.
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
SCRATCH = Path(tempfile.mkdtemp(prefix="roret-import-bench-"))
BASE = SCRATCH / "base.sqlite3"
LIVE = SCRATCH / "live.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{LIVE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roret.settings")
os.environ.setdefault("RORET_DEBUG", "1")
os.environ["RORET_VAR_DIR"] = str(SCRATCH / "var")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

settings.DEBUG = False  # no query log: 100,000 rows would fill memory with it

OFFERS = 10  # of each: residential (SEL108) and day (SEL104)


def build_base(rows: int) -> list[tuple]:
    """Migrate, make the team, caseworker, offers and citizens; return the file's rows."""
    from django.core.management import call_command

    from roret.citizens import cpr as cprlib
    from roret.citizens.models import Citizen
    from roret.core.models import Centre, Department, Role, Team, Term, User
    from roret.offers.models import Offer, PlaceChange, Provider, Tariff

    call_command("migrate", verbosity=0)
    department = Department.objects.create(name="H&P Benchkommune", municipality_code="999",
                                           municipality_name="Benchkommune")
    team = Team.objects.create(department=department, name="Team Import")
    User.objects.create(username="importer", role=Role.CASEWORKER, team=team)
    centre = Centre.objects.create(department=department, name="Center Import")
    provider = Provider.objects.create(kind="own", name="Center Import", centre=centre)
    types = {"SEL108": Term.objects.filter(group="offer_type").first(), "SEL104": Term.objects.filter(group="offer_type").last()}
    offers = []
    for basis, step in (("SEL108", 6), ("SEL104", 3)):
        for i in range(OFFERS):
            offer = Offer.objects.create(provider=provider, name=f"{basis} tilbud {i}", legal_basis=basis,
                                         offer_type=types[basis], staircase_step=step, account_function="5.38.50")
            PlaceChange.objects.create(offer=offer, valid_from=datetime.date(2015, 1, 1), change=10_000, reason="Start")
            Tariff.objects.create(offer=offer, valid_from=datetime.date(2015, 1, 1), amount=1500, unit="day")
            offers.append(offer)
    citizens, numbers = [], []
    birth = datetime.date(1950, 1, 1)
    for i in range(rows // 2):
        day = birth + datetime.timedelta(days=i % 18_000)
        number = f"{day:%d%m%y}{(i // 18_000) % 4}{i % 1000:03d}"
        citizen = Citizen(first_name=f"B{i}", last_name="Import", team=team)
        citizen.set_cpr(number)
        citizens.append(citizen)
        numbers.append(cprlib.formatted(number))
    for start in range(0, len(citizens), 5000):
        for citizen in citizens[start:start + 5000]:
            citizen.name_search = citizen.last_name_search = "x"
        Citizen.objects.bulk_create(citizens[start:start + 5000])
    file_rows = []
    for i, number in enumerate(numbers):
        file_rows.append((number, f"SEL108 tilbud {i % OFFERS}", "01-01-2022", "01-01-2023"))
        file_rows.append((number, f"SEL104 tilbud {i % OFFERS}", "01-01-2023", None))
    return file_rows[:rows]


def write_xlsx(rows: list[tuple], path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Placeringer")
    sheet.append(["cpr", "tilbud", "start", "slut"])
    for row in rows:
        sheet.append(list(row))
    book.save(path)


def fresh_copy() -> None:
    connection.close()
    shutil.copyfile(BASE, LIVE)


def run_framework(path: Path) -> dict:
    from roret.core.models import User
    from roret.economy import services as economy
    from roret.imports import services
    from roret.placements.models import Placement

    actor = User.objects.get(username="importer")
    recost = {}
    original = economy.recost_pending

    def timed_recost():
        start = time.perf_counter()
        result = original()
        recost["s"] = time.perf_counter() - start
        return result

    economy.recost_pending = timed_recost
    try:
        start = time.perf_counter()
        batch = services.stage(path.read_bytes(), path.name, "placements", actor=actor, channel="cli", background=False)
        checked = time.perf_counter() - start
        assert batch.status == "staged", batch.errors[:5]
        batch = services.commit(batch, actor=actor, channel="cli", background=False)
        total = time.perf_counter() - start
    finally:
        economy.recost_pending = original
    assert batch.status == "committed", batch.errors[:5]
    assert Placement.objects.count() == batch.new
    return {"check_s": checked, "commit_s": total - checked - recost.get("s", 0), "recost_s": recost.get("s", 0),
            "import_s": total - recost.get("s", 0), "total_s": total, "placements": batch.new}


def run_row_by_row(path: Path) -> dict:
    from openpyxl import load_workbook

    from roret.citizens.models import Citizen
    from roret.core.models import User
    from roret.imports.kinds.base import DATE_FORMATS
    from roret.offers.models import Offer
    from roret.placements.models import Grant, Placement

    actor = User.objects.get(username="importer")
    own = settings.RORET["MUNICIPALITY_CODE"]

    def day(text):
        return datetime.datetime.strptime(text, DATE_FORMATS[0]).date() if text else None

    start = time.perf_counter()
    offers = {o.name: o for o in Offer.objects.all()}
    sheet = load_workbook(path, read_only=True).active
    made = 0
    with transaction.atomic():
        for values in sheet.iter_rows(min_row=2, values_only=True):
            number, name, first, last = (*values, None, None)[:4]
            citizen = Citizen.objects.with_cpr(number).get()
            offer = offers[name]
            grant = Grant.objects.create(citizen=citizen, paragraph=offer.legal_basis, offer_type_id=offer.offer_type_id,
                                         start=day(first), end=day(last), team_id=citizen.team_id, decided_by=actor)
            Placement.objects.create(grant=grant, citizen=citizen, offer=offer, start=day(first), end=day(last),
                                     is_residential=offer.is_residential, acting_municipality=own,
                                     paying_municipality=own, end_reason="other" if last else "")
            made += 1
    return {"total_s": time.perf_counter() - start, "placements": made}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    began = time.perf_counter()
    rows = build_base(args.rows)
    connection.close()
    shutil.copyfile(LIVE, BASE)
    path = SCRATCH / "placeringer.xlsx"
    write_xlsx(rows, path)
    setup = time.perf_counter() - began
    load = os.getloadavg()
    results = {"framework": [], "row_by_row": []}
    for _ in range(args.repeat):
        for name, run in (("framework", run_framework), ("row_by_row", run_row_by_row)):
            fresh_copy()
            results[name].append(run(path))
            if not args.json:
                print(name, {k: round(v, 2) if isinstance(v, float) else v for k, v in results[name][-1].items()},
                      flush=True)
    medians = {name: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
               for name, runs in results.items()}
    summary = {
        "rows": args.rows, "repeat": args.repeat, "cpus": os.cpu_count(), "loadavg_before": load,
        "file_bytes": path.stat().st_size, "setup_s": round(setup, 1),
        "median": medians,
        "ratio_import_to_row_by_row": medians["framework"]["import_s"] / medians["row_by_row"]["total_s"],
        "runs": results,
    }
    print(json.dumps(summary, indent=2, default=str) if args.json else
          f"\nmedian of {args.repeat}, {args.rows} rows (load before: {load}):\n"
          f"  framework: check {medians['framework']['check_s']:.1f} s, write {medians['framework']['commit_s']:.1f} s "
          f"(import {medians['framework']['import_s']:.1f} s), then re-costing {medians['framework']['recost_s']:.1f} s\n"
          f"  row by row: {medians['row_by_row']['total_s']:.1f} s\n"
          f"  ratio import / row by row: {summary['ratio_import_to_row_by_row']:.2f}")
    shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
