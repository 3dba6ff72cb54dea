"""Refused attempts to open a record are logged; a reason for access can be required per role; one
account opening many records in a short time raises the mass-read alarm."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from roret.core import audit
from roret.core.models import AuditEntry, MassReadAlarm
from tests.factories import PASSWORD
from tests.visitation import helpers


def login(client, username):
    assert client.login(username=username, password=PASSWORD)


# --- refused attempts ----------------------------------------------------------------------------


def _without_tokens(body: bytes) -> bytes:
    """The page without its per-render tokens (CSRF and form token), which differ on every page."""
    return re.sub(rb'name="(csrfmiddlewaretoken|form_token)" value="[^"]*"', rb'name="\1"', body)


def test_opening_a_record_outside_the_scope_is_logged_as_refused(world, client):
    citizen = world.citizen()  # Team Nord's; the outsider is in Team Syd
    login(client, "outsider")
    response = client.get(reverse("citizens:detail", args=[citizen.pk]))
    missing = client.get(reverse("citizens:detail", args=[citizen.pk + 1000]))
    # The user learns nothing: a record outside the scope answers as one that does not exist.
    assert response.status_code == missing.status_code == 404
    assert _without_tokens(response.content) == _without_tokens(missing.content)
    refused = AuditEntry.objects.filter(action="refused", actor=world.users["outsider"]).order_by("pk")
    assert [(e.citizen_id, e.object_type, e.object_id) for e in refused] == [
        (citizen.pk, "citizens.citizen", str(citizen.pk)), (None, "citizens.citizen", str(citizen.pk + 1000))]
    assert "uden for brugerens adgang" in refused[0].summary and "findes ikke" in refused[1].summary
    # The citizen's access log shows the attempt.
    assert AuditEntry.objects.filter(citizen_id=citizen.pk, action="refused").exists()


def test_a_refused_part_of_a_record_names_its_citizen(world, client):
    inquiry = helpers.inquiry(world)
    login(client, "outsider")
    assert client.get(reverse("visitation:inquiry", args=[inquiry.pk])).status_code == 404
    entry = AuditEntry.objects.get(action="refused", actor=world.users["outsider"])
    assert (entry.citizen_id, entry.object_type, entry.object_id) == (inquiry.citizen_id, "visitation.inquiry",
                                                                     str(inquiry.pk))


def test_a_refused_api_read_is_logged_with_its_channel(world, client):
    citizen = world.citizen()
    login(client, "outsider")
    assert client.get(f"/api/v1/citizens/{citizen.pk}").status_code == 404
    assert client.get(f"/api/v1/citizens/{citizen.pk}/goals").status_code == 404
    entries = AuditEntry.objects.filter(action="refused", channel="api", citizen_id=citizen.pk)
    assert entries.count() == 2


def test_an_id_that_is_no_number_is_refused_and_logged_without_error(world, rf):
    from roret.citizens import services
    from roret.core.permissions import NotInScope

    with pytest.raises(NotInScope):
        services.get_citizen(world.users["outsider"], "1 OR 1=1")
    entry = AuditEntry.objects.get(action="refused")
    assert entry.citizen_id is None and entry.object_id == "" and "1 OR 1=1" in entry.summary


# --- the reason for access -----------------------------------------------------------------------


@pytest.fixture
def reasons_required(settings):
    settings.ACCESS_REASON_ROLES = ["caseworker"]


def test_without_the_setting_no_reason_is_asked(world, client):
    citizen = world.citizen()
    login(client, "caseworker")
    assert client.get(reverse("citizens:detail", args=[citizen.pk])).status_code == 200


def test_a_role_that_must_give_a_reason_is_asked_once_per_citizen(world, client, reasons_required):
    citizen, other = world.citizen(), world.citizen(first_name="Anden")
    login(client, "caseworker")
    url = reverse("citizens:detail", args=[citizen.pk])
    asked = client.get(url)
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("core:access_reason"))
    assert not AuditEntry.objects.filter(action="view", citizen_id=citizen.pk).exists()
    form = client.get(asked["Location"])
    assert form.status_code == 200 and citizen.name not in form.content.decode()
    too_short = client.post(reverse("core:access_reason"), {"citizen": citizen.pk, "reason": "fordi", "next": url})
    assert too_short.status_code == 200
    given = client.post(reverse("core:access_reason"),
                        {"citizen": citizen.pk, "reason": "Opfølgningsmøde på torsdag", "next": url})
    assert given.status_code == 302 and given["Location"] == url
    assert client.get(url).status_code == 200
    assert client.get(reverse("outcomes:citizen", args=[citizen.pk])).status_code == 200  # not asked again
    views = AuditEntry.objects.filter(action="view", citizen_id=citizen.pk)
    assert views.count() == 2 and set(views.values_list("reason", flat=True)) == {"Opfølgningsmøde på torsdag"}
    # Another citizen: asked again.
    assert client.get(reverse("citizens:detail", args=[other.pk])).status_code == 302
    # Other roles are not asked.
    client.logout()
    login(client, "centre_staff")
    placed = world.citizen(first_name="Placeret")
    world.place(placed, world.residential, start=datetime.date(2024, 1, 1))
    assert client.get(reverse("citizens:detail", args=[placed.pk])).status_code == 200


def test_the_reason_page_goes_back_only_within_roret(world, client, reasons_required):
    login(client, "caseworker")
    response = client.post(reverse("core:access_reason"), {"citizen": 1, "reason": "Opfølgningsmøde på torsdag",
                                                           "next": "https://evil.example/steal"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_an_api_client_gives_the_reason_in_a_header(world, client, reasons_required):
    citizen = world.citizen()
    login(client, "caseworker")
    refused = client.get(f"/api/v1/citizens/{citizen.pk}")
    assert refused.status_code == 403 and "X-Access-Reason" in refused.json()["detail"]
    ok = client.get(f"/api/v1/citizens/{citizen.pk}", HTTP_X_ACCESS_REASON="Klage fra borgerens værge")
    assert ok.status_code == 200
    assert AuditEntry.objects.get(action="view", channel="api").reason == "Klage fra borgerens værge"


def test_the_reason_stands_on_changes_made_in_the_same_session(world, client, reasons_required):
    citizen = world.citizen()
    login(client, "caseworker")
    client.post(reverse("core:access_reason"), {"citizen": citizen.pk, "reason": "Ny pårørende meldt",
                                                "next": "/"})
    client.post(reverse("citizens:add_relative", args=[citizen.pk]),
                {"name": "Søster Hansen", "relation": "sibling"})
    created = AuditEntry.objects.get(action="create", object_type="citizens.relative")
    assert created.reason == "Ny pårørende meldt"


# --- the mass-read alarm -------------------------------------------------------------------------


@pytest.fixture
def low_threshold(settings):
    settings.MASS_READ_RECORDS = 3
    settings.MASS_READ_MINUTES = 10


def test_opening_more_records_than_the_threshold_raises_one_alarm(world, client, low_threshold):
    people = [world.citizen(first_name=f"Borger{i}") for i in range(6)]
    login(client, "caseworker")
    for citizen in people[:3]:
        client.get(reverse("citizens:detail", args=[citizen.pk]))
        client.get(reverse("citizens:detail", args=[citizen.pk]))  # the same record twice is one record
    assert not MassReadAlarm.objects.exists()
    for citizen in people[3:]:
        assert client.get(reverse("citizens:detail", args=[citizen.pk])).status_code == 200  # not locked
    alarm = MassReadAlarm.objects.get()
    assert (alarm.user, alarm.records, alarm.threshold, alarm.minutes) == (world.users["caseworker"], 4, 3, 10)
    assert AuditEntry.objects.filter(action="alarm").count() == 1  # once per window, not per read
    world.users["caseworker"].refresh_from_db()
    assert world.users["caseworker"].is_active
    # The administrator sees it on the audit log page and on the overview.
    client.logout()
    login(client, "admin")
    page = client.get(reverse("core:audit_log")).content.decode()
    assert 'id="open-alarms"' in page and "caseworker" in page[page.index('id="open-alarms"'):]
    assert f'href="{reverse("core:audit_log")}#alarms">1<' in client.get(reverse("home")).content.decode()


def test_refused_attempts_count_towards_the_alarm(world, client, low_threshold):
    people = [world.citizen(first_name=f"Borger{i}") for i in range(4)]
    login(client, "outsider")
    for citizen in people:
        assert client.get(reverse("citizens:detail", args=[citizen.pk])).status_code == 404
    alarm = MassReadAlarm.objects.get()
    assert (alarm.records, alarm.refused) == (0, 4)


def test_reads_older_than_the_window_do_not_count(world, low_threshold):
    cw = world.users["caseworker"]
    for i in range(5):
        audit.record(cw, "view", citizen=100 + i, summary="gammel")
    assert audit.recent_reads(cw, timezone.now() + datetime.timedelta(seconds=1)) == (0, 0)
    assert audit.recent_reads(cw, timezone.now() - datetime.timedelta(minutes=10)) == (5, 0)


def test_the_alarm_can_deactivate_the_account_when_configured(world, client, low_threshold, settings):
    settings.MASS_READ_DEACTIVATE = True
    people = [world.citizen(first_name=f"Borger{i}") for i in range(4)]
    login(client, "caseworker")
    for citizen in people:
        client.get(reverse("citizens:detail", args=[citizen.pk]))
    world.users["caseworker"].refresh_from_db()
    assert not world.users["caseworker"].is_active and MassReadAlarm.objects.get().deactivated
    assert client.get(reverse("citizens:detail", args=[people[0].pk])).status_code == 302  # logged out


def test_the_administrator_marks_an_alarm_handled_with_what_was_found(world, client, low_threshold):
    alarm = MassReadAlarm.objects.create(user=world.users["caseworker"], records=4, threshold=3, minutes=10)
    login(client, "admin")
    client.post(reverse("core:alarm_handle", args=[alarm.pk]), {"note": "kort"})
    alarm.refresh_from_db()
    assert alarm.handled_at is None
    client.post(reverse("core:alarm_handle", args=[alarm.pk]),
                {"note": "Talt med medarbejderen: forberedte visitationsmødet"})
    alarm.refresh_from_db()
    assert alarm.handled_by == world.users["admin"] and alarm.note.startswith("Talt med")
    entry = AuditEntry.objects.get(action="change", object_type="core.massreadalarm")
    assert entry.actor == world.users["admin"] and entry.reason == alarm.note
    page = client.get(reverse("core:audit_log")).content.decode()
    assert 'id="open-alarms"' not in page and "Talt med medarbejderen" in page
