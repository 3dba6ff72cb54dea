"""Lists that name citizens are audited: one entry per list shown, naming the list and how many
citizens it named (not one entry per citizen), on the pages and in the API."""

import datetime

import pytest
from django.urls import reverse

from roret.core import audit
from roret.core.models import AuditEntry
from roret.visitation import services as visitation
from tests.factories import PASSWORD
from tests.visitation import helpers
from tests.visitation.helpers import TODAY

DAY = datetime.timedelta(days=1)


def placed(world, offer, start, **extra):
    decision = helpers.granted(world, offer=offer, start=start)
    return visitation.place_from_decision(decision, offer, start, actor=world.users["caseworker"], **extra)


@pytest.fixture
def busy(world):
    """Two citizens placed a while ago (follow-ups overdue, no WHO-5 at move-in), an open case past
    its deadline, a citizen of 70 in a residential offer (elderly care), one waiting for the offer."""
    first = placed(world, world.residential, TODAY - 120 * DAY)
    second = placed(world, world.day_offer, TODAY - 100 * DAY)
    late = helpers.inquiry(world, received_on=TODAY - 120 * DAY)
    old = world.citizen(first_name="Ældre", birth=datetime.date(1950, 2, 3))
    world.place(old, world.external, start=TODAY - 400 * DAY)
    waiting = world.citizen(first_name="Venter")
    world.grant(waiting, world.residential, start=TODAY - 10 * DAY, preferred_offer=world.residential)
    return {"first": first, "second": second, "late": late, "old": old, "waiting": waiting}


def list_entries(name):
    return AuditEntry.objects.filter(action="list", object_type="list", object_id=name)


PAGES = [
    ("work_list", lambda: reverse("home")),
    ("cases", lambda: reverse("visitation:cases")),
    ("transitions", lambda: reverse("visitation:transitions")),
    ("follow_ups_due", lambda: reverse("outcomes:due")),
    ("compliance", lambda: reverse("outcomes:compliance")),
]


@pytest.mark.parametrize(("name", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_a_list_page_writes_one_entry_with_the_number_of_citizens(busy, world, client, name, url):
    cw = world.users["caseworker"]
    assert client.login(username="caseworker", password=PASSWORD)
    response = client.get(url())
    assert response.status_code == 200
    entries = list(list_entries(name))
    assert len(entries) == 1, f"{name}: {[str(e) for e in AuditEntry.objects.all()[:5]]}"
    entry = entries[0]
    assert entry.actor == cw and entry.citizen_id is None and entry.channel == "web"
    assert entry.citizen_count >= 1 and f"({entry.citizen_count} borger" in entry.summary
    # One entry for the list, none per citizen in it.
    assert not AuditEntry.objects.filter(action="view", at__gte=entry.at).exists()


def test_the_count_is_of_distinct_citizens_named(busy, world, client):
    assert client.login(username="caseworker", password=PASSWORD)
    client.get(reverse("outcomes:due"))
    from roret.outcomes import queries

    rows = queries.follow_ups_due(world.users["caseworker"], TODAY)
    assert list_entries("follow_ups_due").get().citizen_count == len({r.citizen_id for r in rows}) >= 1
    entry = audit.listed(world.users["caseworker"], "cases", [7, 7, 8, None])
    assert entry.citizen_count == 2 and "(2 borgere)" in entry.summary


def test_an_offers_residents_and_waiting_list_are_one_entry(busy, world, client):
    assert client.login(username="caseworker", password=PASSWORD)
    client.get(reverse("offers:detail", args=[world.residential.pk]))
    entry = list_entries("offer_people").get()
    assert entry.citizen_count == 2  # the resident and the citizen waiting
    assert "Bostedet: 1 beboere, 1 på venteliste" in entry.summary
    # The committee sees the offer's figures but no names: nothing to audit.
    client.logout()
    assert client.login(username="committee", password=PASSWORD)
    client.get(reverse("offers:detail", args=[world.residential.pk]))
    assert list_entries("offer_people").count() == 1


def test_a_name_search_is_audited_as_a_list_on_the_page_and_in_the_api(busy, client):
    assert client.login(username="caseworker", password=PASSWORD)
    client.post(reverse("citizens:search"), {"q": "ældre"})
    page = list_entries("name_search").get()
    assert page.citizen_count == 1 and page.channel == "web"
    client.post("/api/v1/citizens/search", {"q": "sofie"}, content_type="application/json")
    api = list_entries("name_search").get(channel="api")
    assert api.citizen_count >= 1
    # A search that names nobody names nobody in the log either.
    client.post(reverse("citizens:search"), {"q": "zzzingen"})
    assert list_entries("name_search").count() == 2


def test_follow_ups_due_in_the_api_are_audited(busy, client):
    assert client.login(username="caseworker", password=PASSWORD)
    response = client.get("/api/v1/follow-ups/due")
    assert response.status_code == 200 and response.json()
    entry = list_entries("follow_ups_due").get(channel="api")
    assert entry.citizen_count == len({r["citizen_id"] for r in response.json()["items"]})


def test_the_audit_log_page_names_the_list(busy, client):
    assert client.login(username="caseworker", password=PASSWORD)
    client.get(reverse("visitation:cases"))
    client.logout()
    assert client.login(username="admin", password=PASSWORD)
    page = client.get(reverse("core:audit_log"), {"action": "list"}).content.decode()
    assert "Listet" in page and "åbne sager" in page


def test_an_unknown_list_name_is_refused(world):
    with pytest.raises(ValueError, match="unknown list"):
        audit.listed(world.users["caseworker"], "everyone", [1, 2])
