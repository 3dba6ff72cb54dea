"""Which temporary period tables a request built, read from its captured queries."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from roret.core.periods import Period
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


def get(client, persona, url):
    assert client.login(username=persona, password=PASSWORD)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return tables_built(ctx)
