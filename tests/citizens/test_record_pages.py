import datetime

from django.urls import reverse

from roret.citizens.models import Consent, Relative
from tests.factories import PASSWORD


def login(client, world, who="caseworker"):
    assert client.login(username=world.users[who].username, password=PASSWORD)


def test_a_caseworker_adds_a_relative_and_it_is_audited(world, client, assert_audited):
    citizen = world.citizen()
    login(client, world)
    response = client.post(reverse("citizens:add_relative", args=[citizen.pk]),
                           {"name": "Bente Borger", "relation": "parent", "phone": "99 11 22 33",
                            "is_network_person": "on"}, follow=True)
    assert response.status_code == 200
    relative = Relative.objects.get(citizen=citizen)
    assert relative.is_network_person and relative.get_relation_display()
    assert "Bente Borger" in response.content.decode()
    assert_audited("create", world.users["caseworker"], citizen=citizen, obj=relative)


def test_a_bad_relative_says_what_is_wrong_and_writes_nothing(world, client):
    citizen = world.citizen()
    login(client, world)
    response = client.post(reverse("citizens:add_relative", args=[citizen.pk]),
                           {"name": "", "relation": "cousin", "email": "not-an-address"}, follow=True)
    page = response.content.decode()
    assert not Relative.objects.exists()
    assert "alert-error" in page


def test_consents_are_recorded_checked_and_withdrawn_with_audit(world, client, assert_audited):
    citizen = world.citizen()
    login(client, world)
    url = reverse("citizens:add_consent", args=[citizen.pk])
    bad = client.post(url, {"subject": "share_health", "given_on": "2025-05-01", "given_by": "Borgeren",
                            "expires_on": "2025-04-01"}, follow=True)
    assert not Consent.objects.exists() and "alert-error" in bad.content.decode()
    client.post(url, {"subject": "share_health", "given_on": "2025-05-01", "given_by": "Borgeren",
                      "expires_on": "2027-05-01"})
    consent = Consent.objects.get()
    assert_audited("create", world.users["caseworker"], citizen=citizen, obj=consent)
    client.post(reverse("citizens:withdraw_consent", args=[citizen.pk, consent.pk]))
    consent.refresh_from_db()
    assert consent.withdrawn_on == datetime.date.today()
    entry = assert_audited("change", world.users["caseworker"], citizen=citizen, obj=consent)
    assert entry.after == {"withdrawn_on": datetime.date.today().isoformat()}
    again = client.post(reverse("citizens:withdraw_consent", args=[citizen.pk, consent.pk]), follow=True)
    assert "alert-error" in again.content.decode()


def test_another_teams_caseworker_cannot_add_to_the_record(world, client):
    citizen = world.citizen()
    login(client, world, "outsider")
    response = client.post(reverse("citizens:add_relative", args=[citizen.pk]),
                           {"name": "X", "relation": "parent"})
    assert response.status_code == 404
    assert not Relative.objects.exists()
