"""A budget import whose database connection drops halfway writes nothing and says where it stopped.

The connection really goes: on PostgreSQL a second connection terminates the import's server
process (pg_terminate_backend) when the import reaches row 4; on SQLite the import's own
connection is closed under it. Either way the three rows before are not in the database."""

import time

import pytest
from django.db import connection, connections

from roret.core.models import AuditEntry
from roret.economy.models import Budget
from roret.economy.services import BudgetImportError, import_budgets
from tests.economy.test_pages import _budget_file

ROWS = [[2026, f"5.38.{n}", 100000 * (i + 1)] for i, n in enumerate(("50", "52", "53", "58", "59"))]
STOP_AT = 4  # the sheet's row 4: the third budget, after two have been written


def drop_connection():
    """Make the import's database connection go away, as a network cut or a restarted server would."""
    if connection.vendor != "postgresql":
        connection.connection.close()  # the raw SQLite connection, under Django's feet
        return
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(100):  # the backend ends asynchronously
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    break
                time.sleep(0.05)
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_an_import_whose_connection_drops_halfway_writes_nothing_and_says_where(world):
    rows, seen = ROWS, []

    def on_row(row):
        seen.append(row)
        if row == STOP_AT:
            drop_connection()

    with pytest.raises(BudgetImportError) as refused:
        import_budgets(_budget_file(rows), actor=world.users["economist"], on_row=on_row)
    assert seen == [2, 3, 4]  # two rows were written in the transaction before the drop
    assert refused.value.errors[0].startswith("row 4: the database stopped the import (")
    connection.close()  # Django reconnects for the checks below
    assert not Budget.objects.exists()
    assert not AuditEntry.objects.filter(object_type="economy.budget").exists()

    # The same file imports whole once the database answers again.
    assert import_budgets(_budget_file(rows), actor=world.users["economist"]) == len(rows)
    assert Budget.objects.count() == len(rows)
