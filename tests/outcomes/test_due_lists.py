"""The follow-ups due and compliance lists on the shared list mechanism: filters and sorts give
their exact rows, the query count does not grow with the rows, and only a role that may export
citizens downloads the list (audited)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roret.core.models import AuditEntry
from roret.outcomes import services
from tests.factories import PASSWORD
from tests.visitation.helpers import TODAY

DAY = datetime.timedelta(days=1)


@pytest.fixture
def due(world):
    """A follow-up due ``days`` from today of a citizen placed in ``offer``."""
    made = []

    def make(days, offer=None, last_name="Borger"):
        made.append(days)
        citizen = world.citizen(last_name=last_name, birth=datetime.date(1950 + len(made), 2, 3))
        placement = world.place(citizen, offer or world.day_offer)
        return services.schedule_follow_up(placement.grant, TODAY + days * DAY, actor=world.users["caseworker"])
    return make


def _pks(response):
    assert response.status_code == 200
    return [r.pk for r in response.context["rows"]]


def test_status_offer_and_paragraph_filters_and_sorting_give_exact_rows(world, client, due):
    late = due(-3, last_name="Carlsen")
    soon = due(5, world.residential, last_name="Andersen")
    later = due(20, last_name="Bech")
    client.login(username="caseworker", password=PASSWORD)
    assert _pks(client.get("/outcomes/follow-ups/")) == [late.pk, soon.pk, later.pk]
    assert _pks(client.get("/outcomes/follow-ups/", {"status": "overdue"})) == [late.pk]
    for params, total in (({}, 3), ({"status": "upcoming"}, 2), ({"status": "upcoming", "offer": world.residential.pk}, 1)):
        assert client.get("/outcomes/follow-ups/", params).context["page"].total == total
    assert _pks(client.get("/outcomes/follow-ups/", {"status": "upcoming"})) == [soon.pk, later.pk]
    assert _pks(client.get("/outcomes/follow-ups/", {"offer": world.residential.pk})) == [soon.pk]
    assert _pks(client.get("/outcomes/follow-ups/", {"paragraph": "SEL104"})) == [late.pk, later.pk]
    assert _pks(client.get("/outcomes/follow-ups/", {"sort": "citizen"})) == [soon.pk, later.pk, late.pk]
    assert _pks(client.get("/outcomes/follow-ups/", {"sort": "-due"})) == [later.pk, soon.pk, late.pk]
    assert client.get("/outcomes/follow-ups/").context["counts"] == {"overdue": 1, "upcoming": 2}


def test_the_follow_ups_list_uses_the_same_number_of_queries_for_3_and_9_rows(world, client, due):
    client.login(username="caseworker", password=PASSWORD)

    def count(**params):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/outcomes/follow-ups/", params).status_code == 200
        return len(ctx.captured_queries)

    for n in range(3):
        due(n)
    small = [count(), count(sort="-citizen", status="upcoming"), count(page=3)]
    for n in range(3, 9):
        due(n)
    assert [count(), count(sort="-citizen", status="upcoming"), count(page=3)] == small


def test_the_compliance_list_filters_by_reason_and_sorts_by_citizen(world, client, due):
    a = due(-2, last_name="Bech").citizen_id
    b = due(-1, last_name="Andersen").citizen_id
    client.login(username="caseworker", password=PASSWORD)
    rows = client.get("/outcomes/compliance/", {"reason": "follow_up", "sort": "citizen"}).context["rows"]
    assert [r["citizen"].pk for r in rows] == [b, a]
    assert client.get("/outcomes/compliance/", {"reason": "expensive"}).context["rows"] == []


def test_centre_staff_see_the_list_but_may_not_download_it(world, client, due):
    due(-1, world.residential)
    client.login(username="centre_staff", password=PASSWORD)
    page = client.get("/outcomes/follow-ups/")
    assert len(page.context["rows"]) == 1 and page.context["export_url"] == ""
    assert client.get("/outcomes/follow-ups/", {"format": "xlsx"}).status_code == 404
    assert client.get("/outcomes/compliance/", {"format": "xlsx"}).status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_caseworker_downloads_the_follow_ups_audited_with_the_citizens(world, client, due):
    rows = [due(-1), due(3)]
    client.login(username="caseworker", password=PASSWORD)
    response = client.get("/outcomes/follow-ups/", {"format": "xlsx", "page": "2"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith('attachment; filename="opfoelgninger')
    entry = AuditEntry.objects.get(action="export", object_id="follow_ups_due")
    assert entry.citizen_count == 2 and entry.after == {"citizens": sorted(r.citizen_id for r in rows)}


def test_the_compliance_excel_is_audited_with_its_citizens(world, client, due):
    citizen_id = due(-2).citizen_id
    client.login(username="caseworker", password=PASSWORD)
    response = client.get("/outcomes/compliance/", {"format": "xlsx", "reason": "follow_up"})
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="export", object_id="compliance")
    assert entry.after == {"citizens": [citizen_id]} and entry.actor == world.users["caseworker"]
