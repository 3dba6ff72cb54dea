"""Two caseworkers take the last free place at the same moment, each through the page on a
database connection of its own: exactly one is placed, the other sees the "no free place" form
error (not a server error).

On PostgreSQL a trigger in the test database holds each placement's INSERT for half a second,
so both requests are inside start_placement together: without the offer's row lock both read
"one place free" and both are placed. SQLite serialises writers with BEGIN IMMEDIATE
(settings.py); there the same test checks the page's answer."""

import threading

import pytest
from django.db import connection
from django.test import Client

from roret.placements.models import Placement
from tests.slow_writes import slow_writes
from tests.visitation.helpers import TODAY, granted


@pytest.fixture
def slow_inserts(transactional_db):
    with slow_writes("placements_placement", "INSERT", 0.5):
        yield


@pytest.mark.django_db(transaction=True)
def test_two_caseworkers_taking_the_last_place_at_once_one_is_placed_one_sees_the_form_error(world, slow_inserts):
    world.place(world.citizen(first_name="Beboer"), world.residential, start=TODAY.replace(day=1))  # 1 of 2 left
    decisions = [granted(world, offer=world.residential) for _ in range(2)]
    clients = []
    for _ in decisions:
        client = Client()
        client.force_login(world.users["caseworker"])
        clients.append(client)
    barrier = threading.Barrier(2)
    answers = {}

    def place(client, decision):
        try:
            barrier.wait(10)
            answers[decision.pk] = client.post(f"/visitation/decisions/{decision.pk}/", {
                "action": "place", "offer": world.residential.pk, "start": decision.start.isoformat()})
        except Exception as exc:  # noqa: BLE001 (the test client re-raises a view's error: a 500)
            answers[decision.pk] = exc
        finally:
            connection.close()  # each thread's own connection

    threads = [threading.Thread(target=place, args=pair) for pair in zip(clients, decisions, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = sorted(getattr(a, "status_code", repr(a)) for a in answers.values())
    assert statuses == [200, 302], statuses
    refused = next(a for a in answers.values() if a.status_code == 200).content.decode()
    assert "ingen ledig plads" in refused and "Bostedet" in refused
    assert Placement.objects.filter(offer=world.residential).count() == 2
    assert Placement.objects.filter(grant__decision__in=decisions).count() == 1
