"""Backup and restore of the whole database (``roret backup FILE``, ``roret restore FILE``).

SQLite: the online backup API copies a consistent snapshot page by page while roret runs.
PostgreSQL: ``pg_dump`` in its custom format, from a snapshot exported by a repeatable-read
transaction that also computes the manifest, so the manifest describes exactly what was dumped;
``pg_restore`` puts it back.

Beside the file, ``FILE.manifest.json`` records every table's row count and a checksum of the
tables that matter most (citizens, grants, placements, the audit log and its chain head).
Restoring checks the result against it and says where it differs. A restore goes into an empty
database and refuses one with tables in it unless told to (``force``).

The backup holds everything in the database: CPR numbers encrypted (the field keys are not in it),
names, case notes and the audit log in clear. Keep backups as the records themselves are kept
(docs/security.md).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.db import connections

Progress = Callable[[int, int], None]
FORMAT = 1


def checksum_tables() -> list[str]:
    """The tables whose content is checked row by row, not only counted."""
    return [apps.get_model(label)._meta.db_table for label in
            ("citizens.Citizen", "placements.Grant", "placements.Placement", "core.AuditEntry", "core.AuditChainHead")]


class BackupError(Exception):
    pass


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


@dataclass
class Manifest:
    vendor: str
    created: str
    counts: dict[str, int]
    checksums: dict[str, str]
    audit_head: str = ""
    format: int = FORMAT

    def write(self, path: Path) -> None:
        manifest_path(path).write_text(json.dumps(self.__dict__, indent=1, sort_keys=True))

    @classmethod
    def read(cls, path: Path) -> Manifest | None:
        target = manifest_path(path)
        if not target.exists():
            return None
        return cls(**json.loads(target.read_text()))


@dataclass
class Comparison:
    differences: list[str] = field(default_factory=list)
    tables: int = 0

    @property
    def ok(self) -> bool:
        return not self.differences


# --- raw connections, outside Django's (a restore target is not a configured database) ----------


def vendor_of(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"backup knows SQLite and PostgreSQL, not {engine}")


def _pg_params(settings_dict: dict) -> dict:
    params = {"dbname": settings_dict["NAME"], "user": settings_dict.get("USER") or None,
              "password": settings_dict.get("PASSWORD") or None, "host": settings_dict.get("HOST") or None,
              "port": settings_dict.get("PORT") or None}
    return {k: v for k, v in params.items() if v}


@contextmanager
def raw_connection(settings_dict: dict):
    if vendor_of(settings_dict) == "sqlite":
        conn = sqlite3.connect(settings_dict["NAME"])
    else:
        import psycopg

        conn = psycopg.connect(**_pg_params(settings_dict))
    try:
        yield conn
    finally:
        conn.close()


def _tables(conn, vendor: str) -> list[str]:
    cursor = conn.cursor()
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _canonical(value) -> str:
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | float | int):
        return repr(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return repr(value)


def table_checksum(conn, table: str) -> str:
    """SHA-256 over every row of ``table`` in a fixed order (all columns, in order)."""
    cursor = conn.cursor()
    cursor.execute(f"SELECT * FROM {_quote(table)} WHERE 1 = 0")
    width = len(cursor.description)
    cursor.execute(f"SELECT * FROM {_quote(table)} ORDER BY {', '.join(str(i) for i in range(1, width + 1))}")
    digest = hashlib.sha256()
    while True:
        rows = cursor.fetchmany(2000)
        if not rows:
            return digest.hexdigest()
        for row in rows:
            digest.update(("\x1f".join(_canonical(v) for v in row) + "\x1e").encode())


def describe(conn, vendor: str) -> Manifest:
    """Every table's row count and the checksums of :func:`checksum_tables`."""
    tables = _tables(conn, vendor)
    cursor = conn.cursor()
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    checksums = {t: table_checksum(conn, t) for t in checksum_tables() if t in counts}
    head = ""
    if "core_auditchainhead" in counts:
        cursor.execute("SELECT last_id, last_hash FROM core_auditchainhead WHERE id = 1")
        row = cursor.fetchone()
        head = f"{row[0]}:{row[1]}" if row else ""
    return Manifest(vendor=vendor, created=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                    counts=counts, checksums=checksums, audit_head=head)


def compare(expected: Manifest, actual: Manifest) -> Comparison:
    result = Comparison(tables=len(expected.counts))
    for table in sorted(set(expected.counts) | set(actual.counts)):
        want, have = expected.counts.get(table), actual.counts.get(table)
        if want != have:
            result.differences.append(f"{table}: {want} rows in the backup, {have} restored")
    for table, digest in sorted(expected.checksums.items()):
        if actual.checksums.get(table) != digest:
            result.differences.append(f"{table}: the rows' content differs from the backup's")
    return result


def is_empty(settings_dict: dict) -> bool:
    """No tables at all (a database that has never been migrated)."""
    if vendor_of(settings_dict) == "sqlite" and not Path(settings_dict["NAME"]).exists():
        return True
    with raw_connection(settings_dict) as conn:
        return not _tables(conn, vendor_of(settings_dict))


# --- backup ------------------------------------------------------------------------------------


def backup(path: Path, settings_dict: dict, *, progress: Progress | None = None) -> Manifest:
    """Copy the database to ``path`` (and its manifest beside it)."""
    path = Path(path)
    if vendor_of(settings_dict) == "sqlite":
        manifest = _backup_sqlite(path, settings_dict, progress)
    else:
        manifest = _backup_postgresql(path, settings_dict, progress)
    manifest.write(path)
    return manifest


def _sqlite_progress(progress: Progress | None):
    if progress is None:
        return None
    return lambda status, remaining, total: progress(total - remaining, total)


def _backup_sqlite(path: Path, settings_dict: dict, progress) -> Manifest:
    # Into a temporary file first, so an interrupted backup never leaves a half file under the name.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        with raw_connection(settings_dict) as source:
            target = sqlite3.connect(tmp)
            try:
                source.backup(target, pages=256, progress=_sqlite_progress(progress))
                manifest = describe(target, "sqlite")
            finally:
                target.close()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return manifest


def _pg_env(settings_dict: dict) -> dict:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env


def _pg_args(settings_dict: dict) -> list[str]:
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    return args


def pg_tools() -> bool:
    return bool(shutil.which("pg_dump") and shutil.which("pg_restore"))


def _run_counting(command: list[str], env: dict, marker: str, total: int, progress) -> None:
    """Run ``command``, counting its --verbose lines that contain ``marker`` as progress."""
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    done, errors = 0, []
    for line in process.stderr:
        if marker in line:
            done += 1
            if progress:
                progress(min(done, total), total)
        elif "error" in line.lower():
            errors.append(line.strip())
    if process.wait() != 0:
        raise BackupError(f"{command[0]} failed: " + ("; ".join(errors[-5:]) or f"exit status {process.returncode}"))


def _backup_postgresql(path: Path, settings_dict: dict, progress) -> Manifest:
    if not pg_tools():
        raise BackupError("pg_dump and pg_restore are needed on PATH for a PostgreSQL backup")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        with raw_connection(settings_dict) as conn:
            # The manifest and the dump read the same snapshot, whatever is written meanwhile.
            import psycopg

            conn.isolation_level, conn.read_only = psycopg.IsolationLevel.REPEATABLE_READ, True
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            manifest = describe(conn, "postgresql")
            command = ["pg_dump", "--format=custom", "--no-owner", "--no-acl", "--verbose", f"--snapshot={snapshot}",
                       "--file", tmp, *_pg_args(settings_dict), "--dbname", settings_dict["NAME"]]
            _run_counting(command, _pg_env(settings_dict), "dumping contents of table",
                          len(manifest.counts), progress)
            conn.rollback()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return manifest


# --- restore -----------------------------------------------------------------------------------


def restore(path: Path, settings_dict: dict, *, force: bool = False,
            progress: Progress | None = None) -> tuple[Manifest | None, Comparison | None]:
    """Restore ``path`` into the database of ``settings_dict``: an empty one, or any with ``force``.
    Returns the backup's manifest and how the restored database compares with it."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"no backup at {path}")
    vendor = vendor_of(settings_dict)
    expected = Manifest.read(path)
    if expected is not None and expected.vendor != vendor:
        raise BackupError(f"the backup is of a {expected.vendor} database; this one is {vendor}")
    if not force and not is_empty(settings_dict):
        raise BackupError(f"the database {settings_dict['NAME']} is not empty: restore into an empty database, "
                          "or say --force to replace what is there")
    if vendor == "sqlite":
        source = sqlite3.connect(str(path))
        try:
            try:
                sound = source.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            except sqlite3.DatabaseError:
                sound = False
            if not sound:
                raise BackupError(f"{path} is not a sound SQLite database")
            with raw_connection(settings_dict) as target:
                source.backup(target, pages=256, progress=_sqlite_progress(progress))
        finally:
            source.close()
    else:
        if not pg_tools():
            raise BackupError("pg_restore is needed on PATH to restore a PostgreSQL backup")
        command = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", "--verbose",
                   *(["--clean", "--if-exists"] if force else []), *_pg_args(settings_dict),
                   "--dbname", settings_dict["NAME"], str(path)]
        total = len(expected.counts) if expected else 0
        _run_counting(command, _pg_env(settings_dict), "processing data for table", total, progress)
    if expected is None:
        return None, None
    with raw_connection(settings_dict) as conn:
        actual = describe(conn, vendor)
    return expected, compare(expected, actual)


def database_settings(alias: str = "default") -> dict:
    return dict(connections[alias].settings_dict)
