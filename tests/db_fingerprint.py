"""A fingerprint of the database in one query: whether a request or a service call changed it.

It counts the rows of every table (sessions and login attempts aside: logging in and out is not a
change of record; stored economy figures and the stored compliance list aside: a page that reads a
period stores what it computed, a copy of figures derived from the record, not a change of it)
and, of the audit log, the entries that record a change (create, change, delete, export): reading,
searching, listing and a refused attempt are audited too, and a refused write may read first, but
it must write nothing.
Every service writes an audit row for what it changes, so an update that leaves the counts alone
still moves the audit count.
"""

from functools import cache

from django.apps import apps
from django.db import connection

from roret.core.models import AuditAction, AuditEntry

READS = (AuditAction.VIEW, AuditAction.SEARCH, AuditAction.LIST, AuditAction.REFUSED, AuditAction.LOGIN_FAILED,
         AuditAction.LOCKED)
#: Sessions and django-axes's records of login attempts: logging in and out is not a change of record.
LOGIN_TABLES = ("django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog",
                "axes_accessattemptexpiration")

#: Figures a read stores for the next read (roret.economy.rollup.FigureStore, balance.StoredFigures), and
#: the stored compliance list a read brings up to date (roret.outcomes.compliance): derived.
DERIVED_TABLES = ("economy_storedfigure", "balance_storedfigures",  # + roret.balance.figures.record_figures
                  "outcomes_missingmeasurement", "outcomes_compliancestale", "outcomes_compliancebuild")


@cache
def _query() -> tuple[list[str], str]:
    qn = connection.ops.quote_name
    tables = sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)
                     if not m._meta.proxy and m._meta.managed
                     and m._meta.db_table not in (*LOGIN_TABLES, *DERIVED_TABLES, AuditEntry._meta.db_table)})
    audit = AuditEntry._meta.db_table
    reads = ", ".join(f"'{a.value}'" for a in READS)
    columns = [f"(SELECT COUNT(*) FROM {qn(t)})" for t in tables]
    columns.append(f"(SELECT COUNT(*) FROM {qn(audit)} WHERE {qn('action')} NOT IN ({reads}))")
    return [*tables, f"{audit} (changes)"], "SELECT " + ", ".join(columns)


def fingerprint() -> dict[str, int]:
    """Row counts by table, and the audit log's change entries."""
    names, sql = _query()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(names, cursor.fetchone(), strict=True))


def difference(before: dict, after: dict) -> dict[str, tuple[int, int]]:
    """The tables whose counts differ: {table: (before, after)}."""
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}
