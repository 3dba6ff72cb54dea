"""The citizen search page's list of the citizens in the user's scope (roret.core.lists)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from roret.core.models import AuditEntry
from tests.factories import PASSWORD


def _pks(response):
    assert response.status_code == 200
    return [c.pk for c in response.context["page"].rows]


def test_the_list_shows_only_the_scope_filtered_and_sorted(world, client):
    b = world.citizen(first_name="Bo", last_name="Bech", birth=datetime.date(1990, 1, 1))
    a = world.citizen(first_name="Ane", last_name="Andersen", birth=datetime.date(1950, 1, 1))
    world.citizen(team=world.other_team, first_name="Syd", last_name="Aaberg")
    world.place(b, world.day_offer)
    client.login(username="caseworker", password=PASSWORD)
    assert _pks(client.get("/citizens/")) == [a.pk, b.pk]
    assert _pks(client.get("/citizens/", {"sort": "-name"})) == [b.pk, a.pk]
    assert _pks(client.get("/citizens/", {"sort": "age"})) == [b.pk, a.pk]
    assert _pks(client.get("/citizens/", {"offer": world.day_offer.pk})) == [b.pk]
    assert _pks(client.get("/citizens/", {"paragraph": "SEL104"})) == [b.pk]
    assert _pks(client.get("/citizens/", {"team": world.other_team.pk})) == []
    # One list entry per page shown that names citizens, for the rows on it (none for the empty one).
    assert list(AuditEntry.objects.filter(action="list", object_id="citizens").order_by("pk")
                .values_list("citizen_count", flat=True)) == [2, 2, 2, 1, 1]


def test_the_name_search_still_answers_as_before(world, client):
    world.citizen(first_name="Ane", last_name="Andersen")
    client.login(username="caseworker", password=PASSWORD)
    response = client.post("/citizens/", {"q": "ande"})
    assert response.context["page"] is None and [c.name for c in response.context["results"]] == ["Ane Andersen"]


def test_the_citizen_list_uses_the_same_number_of_queries_for_3_and_9_citizens(world, client):
    client.login(username="caseworker", password=PASSWORD)

    def count(**params):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/citizens/", params).status_code == 200
        return len(ctx.captured_queries)

    for n in range(3):
        world.citizen(first_name=f"B{n}", birth=datetime.date(1960 + n, 1, 1))
    small = [count(), count(sort="-age", offer=world.day_offer.pk), count(page=2)]
    for n in range(3, 9):
        world.citizen(first_name=f"B{n}", birth=datetime.date(1960 + n, 1, 1))
    assert [count(), count(sort="-age", offer=world.day_offer.pk), count(page=2)] == small


def test_the_download_is_audited_and_refused_to_centre_staff(world, client):
    c = world.citizen(first_name="Ane", last_name="Andersen")
    world.place(c, world.residential)
    client.login(username="centre_staff", password=PASSWORD)
    assert client.get("/citizens/", {"format": "xlsx"}).status_code == 404
    client.logout()
    client.login(username="caseworker", password=PASSWORD)
    assert client.get("/citizens/", {"format": "xlsx"}).status_code == 200
    entry = AuditEntry.objects.get(action="export", object_id="citizens")
    assert entry.actor == world.users["caseworker"] and entry.after == {"citizens": [c.pk]}
