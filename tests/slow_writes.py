"""Slow writes on PostgreSQL, so that two connections are inside the same write together: a
trigger that sleeps before each row's INSERT or UPDATE on a table, for the length of a block.
On SQLite (one writer at a time) the block runs without it."""

from contextlib import contextmanager

from django.db import connection


@contextmanager
def slow_writes(table: str, event: str = "INSERT", seconds: float = 0.5):
    """Hold every ``event`` (INSERT or UPDATE) on ``table`` for ``seconds`` inside the block."""
    if connection.vendor != "postgresql":
        yield
        return
    name = f"test_slow_{table}_{event.lower()}"
    with connection.cursor() as cursor:
        cursor.execute(f"""
            CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
            BEGIN PERFORM pg_sleep({float(seconds)}); RETURN NEW; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();""")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();")
