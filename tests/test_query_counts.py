"""Query-count guards: list and record pages must not grow a query per row."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD


def queries_for(client, url, method="get", data=None):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def populated(world):
    made = []

    def add(n):
        for i in range(len(made), len(made) + n):
            made.append(i)
            citizen = world.citizen(first_name=f"Borger{i:03d}")
            start = datetime.date(2020, 1, 1) + datetime.timedelta(days=40 * i)
            world.place(citizen, world.day_offer, start=start, end=start + datetime.timedelta(days=30))
            world.place(citizen, world.external, start=start)
            world.grant(citizen, world.residential, start=start, preferred_offer=world.residential)
    return add


@pytest.mark.parametrize("page", ["search", "detail", "offers", "offer", "home"])
def test_pages_use_a_bounded_number_of_queries(world, client, populated, page):
    populated(3)
    client.login(username="caseworker", password=PASSWORD)
    citizen = world.users["caseworker"].team.caseload.first()

    def count():
        if page == "search":
            return queries_for(client, reverse("citizens:search"), "post", {"q": "borger"})
        if page == "detail":
            return queries_for(client, reverse("citizens:detail", args=[citizen.pk]))
        if page == "offers":
            return queries_for(client, reverse("offers:list"))
        if page == "offer":
            return queries_for(client, reverse("offers:detail", args=[world.external.pk]))
        return queries_for(client, reverse("home"))

    small = count()
    populated(12)
    large = count()
    assert large == small, f"{page}: {small} queries with few rows, {large} with more"
    assert large <= 15, f"{page}: {large} queries"
