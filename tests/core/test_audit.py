import datetime

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from roret.core.models import AuditEntry
from roret.placements import services as placement_services
from tests.factories import PASSWORD


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_viewing_a_citizen_page_is_audited(world, client, assert_audited):
    citizen = world.citizen()
    login(client, world.users["caseworker"])
    response = client.get(reverse("citizens:detail", args=[citizen.pk]))
    assert response.status_code == 200
    entry = assert_audited("view", world.users["caseworker"], citizen=citizen, obj=citizen, channel="web")
    assert entry.actor_role == "caseworker"


def test_viewing_through_the_api_is_audited(world, client, assert_audited):
    citizen = world.citizen()
    login(client, world.users["caseworker"])
    response = client.get(f"/api/v1/citizens/{citizen.pk}")
    assert response.status_code == 200 and response.json()["cpr"] == citizen.cpr
    assert_audited("view", world.users["caseworker"], citizen=citizen, channel="api")


def test_printing_the_access_log_is_audited_as_an_export(world, client, assert_audited):
    citizen = world.citizen()
    login(client, world.users["caseworker"])
    client.get(reverse("citizens:detail", args=[citizen.pk]))
    response = client.get(reverse("citizens:access_log", args=[citizen.pk]))
    assert response.status_code == 200
    assert_audited("export", world.users["caseworker"], citizen=citizen)
    # The log shows who has looked, by name and role in Danish (not the user name or role code).
    rows = response.content.decode().split('id="access-log"')[1]
    assert "Caseworker" in rows and "Sagsbehandler" in rows
    assert ">caseworker<" not in rows


def test_a_change_is_audited_with_before_and_after(world, assert_audited):
    citizen = world.citizen()
    placement = world.place(citizen, start=datetime.date(2024, 1, 1))
    placement_services.end_placement(placement, datetime.date(2024, 9, 1), "goal_achieved",
                                     actor=world.users["caseworker"])
    entry = assert_audited("change", world.users["caseworker"], citizen=citizen, obj=placement)
    assert entry.before["end"] is None and entry.after["end"] == "2024-09-01"
    assert entry.after["end_reason"] == "goal_achieved"
    assert_audited("create", world.users["caseworker"], citizen=citizen, obj=placement)


def test_cpr_searches_are_audited_with_the_number_masked(world, client, assert_audited):
    citizen = world.citizen()
    login(client, world.users["caseworker"])
    response = client.post(reverse("citizens:search"), {"q": citizen.cpr})
    assert [c.pk for c in response.context["results"]] == [citizen.pk]
    entry = assert_audited("search", world.users["caseworker"])
    assert citizen.cpr not in entry.summary and citizen.cpr_masked in entry.summary


def test_the_audit_log_is_append_only(world):
    entry = AuditEntry.objects.create(actor_name="x", action="view", summary="test", object_type="t")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    # Also against the database itself, bypassing the model.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(summary="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "test"


def test_admin_searches_the_log_by_citizen_cpr_and_sees_no_cpr_in_clear(world, client):
    citizen = world.citizen()
    other = world.citizen(first_name="Anden")
    login(client, world.users["caseworker"])
    client.get(reverse("citizens:detail", args=[citizen.pk]))
    client.get(reverse("citizens:detail", args=[other.pk]))
    client.logout()
    login(client, world.users["admin"])
    posted = client.post(reverse("core:audit_log"), {"cpr": citizen.cpr, "action": "view"})
    assert posted.status_code == 302 and citizen.cpr not in posted["Location"]
    response = client.get(posted["Location"])
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1
    assert citizen.cpr not in page
    bad = client.post(reverse("core:audit_log"), {"cpr": "12"})
    assert bad.status_code == 200
    assert "10 digits" in bad.content.decode() or "10 cifre" in bad.content.decode()
    bad = client.get(reverse("core:audit_log"), {"from": "igår"})
    assert "er ikke en dato" in bad.content.decode()


def test_lists_show_only_masked_cpr(world, client):
    citizen = world.citizen(first_name="Maskeret")
    login(client, world.users["caseworker"])
    page = client.get(reverse("citizens:search"), {"q": "maskeret"}).content.decode()
    assert citizen.cpr_masked in page and citizen.cpr not in page
