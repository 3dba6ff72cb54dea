"""The steering pages ask a number of queries that does not grow with the rows: the same
count with three citizens' placements as with nine, with every figure computed (no stored
figures) and on the next request (the figures stored)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roret.economy.models import StoredFigure
from tests.clients import SecondFactorClient
from tests.factories import PASSWORD

PAGES = [("economist", "/economy/"), ("economist", "/economy/?by=offer"), ("economist", "/economy/self-sufficiency/"),
         ("economist", "/economy/expensive-cases/"), ("economist", "/economy/budget/"), ("economist", "/reports/kpi/"),
         ("committee", "/economy/"), ("committee", "/reports/kpi/"), ("centre_leader", "/economy/"),
         ("centre_leader", "/economy/self-sufficiency/")]


def _counts(persona, url) -> tuple[int, int]:
    """(queries computing every figure, queries with the figures stored)."""
    StoredFigure.objects.all().delete()
    client = SecondFactorClient()
    assert client.login(username=persona, password=PASSWORD)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    return counts[0], counts[1]


@pytest.mark.parametrize(("persona", "url"), PAGES)
def test_steering_pages_ask_the_same_number_of_queries_whatever_the_rows(world, persona, url):
    last_year = datetime.date.today().year - 1

    def add(n, first):
        for i in range(first, first + n):
            start = datetime.date(last_year - 3, 1, 1) + datetime.timedelta(days=97 * i)
            citizen = world.citizen(first_name=f"Borger{i:03d}")
            world.place(citizen, world.day_offer, start=start, end=start + datetime.timedelta(days=200))
            world.place(citizen, world.external, start=start)
            world.place(world.citizen(first_name=f"Beboer{i:03d}"), world.residential,
                        start=start + datetime.timedelta(days=30), over_occupancy_reason="Akut behov, aftalt med centret",
                        **({"paying_municipality": "0101"} if i % 3 == 0 else {}))

    add(3, 0)
    few = _counts(persona, url)
    add(6, 3)
    many = _counts(persona, url)
    assert few == many, (few, many)
    assert many[1] <= many[0]            # stored figures: never more queries than computing them
