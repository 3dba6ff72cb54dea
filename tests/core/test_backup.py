"""Backup and restore: a small world backed up, restored into an empty database, and compared table
by table (row counts) and row by row (checksums of the citizen, placement and audit tables).

On SQLite in every run; on PostgreSQL when the suite runs there (DATABASE_URL) and pg_dump and
pg_restore are on PATH."""

import datetime
import io
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from roret.core import audit, audit_chain, backup
from tests.factories import World

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def small_world():
    world = World()
    people = [world.citizen(first_name=f"Borger{i}") for i in range(3)]
    world.place(people[0], world.residential, start=datetime.date(2024, 1, 1))
    world.place(people[1], world.day_offer, start=datetime.date(2024, 3, 1), end=datetime.date(2024, 9, 1))
    audit.listed(world.users["caseworker"], "cases", [p.pk for p in people])
    return world


@pytest.fixture
def empty_database(tmp_path):
    """The settings of an empty database of the suite's kind, dropped afterwards."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {**source, "NAME": str(tmp_path / "restored.sqlite3")}
        return
    if not backup.pg_tools():
        pytest.skip("pg_dump and pg_restore are not on PATH")
    import psycopg

    name = f"{source['NAME']}_restore_{os.getpid()}"
    admin = psycopg.connect(**{**backup._pg_params(source), "dbname": "postgres"}, autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**source, "NAME": name}
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def describe(settings_dict):
    with backup.raw_connection(settings_dict) as conn:
        return backup.describe(conn, backup.vendor_of(settings_dict))


def test_a_backup_restores_into_an_empty_database_table_for_table(small_world, empty_database, tmp_path):
    file = tmp_path / "roret.backup"
    out = io.StringIO()
    call_command("backup", str(file), stdout=out, verbosity=0)
    assert "Backed up" in out.getvalue() and backup.manifest_path(file).exists()
    source = describe(connection.settings_dict)
    manifest = backup.Manifest.read(file)
    assert manifest.counts == source.counts and manifest.checksums == source.checksums
    assert source.counts["citizens_citizen"] == 3 and source.counts["placements_placement"] == 2
    assert set(manifest.checksums) >= {"citizens_citizen", "placements_placement", "core_auditentry"}

    assert backup.is_empty(empty_database)
    expected, comparison = backup.restore(file, empty_database)
    assert comparison.ok, comparison.differences
    restored = describe(empty_database)
    # Every table's row count, and the citizen, placement and audit tables row by row.
    assert restored.counts == source.counts
    assert restored.checksums == source.checksums
    assert restored.audit_head == source.audit_head == expected.audit_head
    # The audit log comes back as the whole chain it was: the same rows, the same head.
    assert audit_chain.verify().ok

    # Into a database that is no longer empty: refused, unless told.
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore(file, empty_database)
    _, again = backup.restore(file, empty_database, force=True)
    assert again.ok, again.differences


def test_a_restore_that_differs_from_the_backup_is_reported(small_world, empty_database, tmp_path):
    file = tmp_path / "roret.backup"
    backup.backup(file, connection.settings_dict)
    backup.restore(file, empty_database)
    with backup.raw_connection(empty_database) as conn:
        cursor = conn.cursor()
        cursor.execute("UPDATE citizens_citizen SET first_name = 'Ændret' WHERE id = "
                       "(SELECT MIN(id) FROM citizens_citizen)")
        cursor.execute("DELETE FROM citizens_relative")
        cursor.execute("DELETE FROM offers_tariff WHERE id = (SELECT MIN(id) FROM offers_tariff)")
        conn.commit()
    comparison = backup.compare(backup.Manifest.read(file), describe(empty_database))
    assert not comparison.ok
    assert "citizens_citizen: the rows' content differs from the backup's" in comparison.differences
    assert any(d.startswith("offers_tariff:") and "rows in the backup" in d for d in comparison.differences)


def test_the_restore_command_refuses_a_database_that_is_not_empty(small_world, tmp_path):
    file = tmp_path / "roret.backup"
    call_command("backup", str(file), verbosity=0)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(file), verbosity=0)
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(file), verbosity=0)


def test_a_file_that_is_no_backup_is_refused(small_world, empty_database, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own check of the file")
    file = tmp_path / "not-a.backup"
    file.write_bytes(b"not a database at all" * 100)
    with pytest.raises(backup.BackupError, match="not a sound SQLite database"):
        backup.restore(file, empty_database)
