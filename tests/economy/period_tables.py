"""Which periods a request asked figures of, and which temporary period tables it built."""

import datetime
import re
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext

from roret.core.periods import Period
from roret.economy.sql import PeriodTable
from tests.factories import PASSWORD

day = datetime.date
WHERE = re.compile(r'"end_day" > (\d+) AND "economy_costsegment"\."start_day" < (\d+)')


def tables_built(ctx) -> list[Period]:
    """The period of each CREATE TEMPORARY TABLE among the captured queries, in order."""
    out = []
    for query in ctx.captured_queries:
        if "CREATE TEMPORARY TABLE" in query["sql"].upper():
            after, before = WHERE.search(query["sql"]).groups()
            out.append(Period(day.fromordinal(int(after)), day.fromordinal(int(before))))
    return out


@contextmanager
def periods_asked():
    """The period of every :class:`PeriodTable` made in the block, in order: every figure of a
    period (from the rollup, stored, or from a built table) is asked through one."""
    asked: list[Period] = []
    original = PeriodTable.__init__

    def record(self, period, where=None):
        asked.append(period)
        original(self, period, where)

    PeriodTable.__init__ = record
    try:
        yield asked
    finally:
        PeriodTable.__init__ = original


def get(client, persona, url) -> tuple[list[Period], list[Period]]:
    """(periods asked, tables built) of one GET as ``persona``."""
    assert client.login(username=persona, password=PASSWORD)
    with CaptureQueriesContext(connection) as ctx, periods_asked() as asked:
        response = client.get(url)
    assert response.status_code == 200
    return asked, tables_built(ctx)
