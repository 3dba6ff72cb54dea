"""Idempotency-Key on the API's unsafe requests: the same request sent again with the same key gets
the first answer and writes nothing again; the key with another request is refused; without the
key nothing changes."""

import datetime
import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from roret.api import idempotency
from roret.api.access import NOT_FOUND
from roret.core import api_tokens
from roret.core.models import AuditEntry, IdempotencyKey
from roret.core.retention import Policy, run
from tests.clients import SecondFactorClient
from tests.factories import PASSWORD

URL = "/api/v1/citizens/search"


@pytest.fixture
def token(world):
    return api_tokens.create_token(actor=world.users["caseworker"], name="Integration", days=30).token


def search(q: str, *, token: str, key: str | None = None, url: str = URL):
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers[idempotency.HEADER] = key
    return Client().post(url, json.dumps({"q": q}), content_type="application/json", headers=headers)


def searches() -> int:
    return AuditEntry.objects.filter(action="search", channel="api").count()


def test_the_same_key_gets_the_first_answer_and_writes_once(world, token):
    citizen = world.citizen(first_name="Signe")
    first = search(citizen.cpr, token=token, key="6f1c2a4e-0b7d-4a53-9a57-3f9e1b2c4d5e")
    assert first.status_code == 200 and searches() == 1
    world.citizen(first_name="Signe", last_name="Anden")  # the answer would differ if run again
    again = search(citizen.cpr, token=token, key="6f1c2a4e-0b7d-4a53-9a57-3f9e1b2c4d5e")
    assert again.status_code == 200 and again.json() == first.json()
    assert again[idempotency.REPLAYED] == "true"
    assert searches() == 1 and IdempotencyKey.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(world, token):
    citizen = world.citizen()
    assert search(citizen.cpr, token=token, key="k-1").status_code == 200
    other = search("Test", token=token, key="k-1")
    assert other.status_code == 422 and "allerede brugt til en anden forespørgsel" in other.json()["detail"]
    assert searches() == 1


def test_without_a_key_each_request_runs(world, token):
    citizen = world.citizen()
    assert search(citizen.cpr, token=token).status_code == 200
    assert search(citizen.cpr, token=token).status_code == 200
    assert searches() == 2 and not IdempotencyKey.objects.exists()


def test_keys_are_per_user(world, token):
    citizen = world.citizen()
    search(citizen.cpr, token=token, key="shared")
    session = SecondFactorClient()
    assert session.login(username="caseworker", password=PASSWORD)
    mine = session.post(URL, json.dumps({"q": citizen.cpr}), content_type="application/json",
                        headers={idempotency.HEADER: "shared"})
    assert mine.status_code == 200 and mine.get(idempotency.REPLAYED) == "true"  # the same user by session
    other = api_tokens.create_token(actor=world.users["outsider"], name="Anden", days=30).token
    theirs = search(citizen.cpr, token=other, key="shared")
    assert theirs.status_code == 200 and theirs.json()["items"] == [] and theirs.get(idempotency.REPLAYED) is None
    assert IdempotencyKey.objects.count() == 2


def test_a_refusal_for_the_caller_is_not_kept(world, token):
    """A 403 (here: CSRF missing on a session) says nothing about the request: sent properly with
    the same key, it runs."""
    citizen = world.citizen()
    browser = SecondFactorClient(enforce_csrf_checks=True)
    assert browser.login(username="caseworker", password=PASSWORD)
    refused = browser.post(URL, json.dumps({"q": citizen.cpr}), content_type="application/json",
                           headers={idempotency.HEADER: "k-2"})
    assert refused.status_code == 403 and not IdempotencyKey.objects.exists()
    assert search(citizen.cpr, token=token, key="k-2").status_code == 200 and searches() == 1


def test_a_malformed_key_is_refused(world, token):
    response = search("x", token=token, key="to ord")
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["detail"]
    assert not IdempotencyKey.objects.exists()


def test_an_expired_key_is_taken_as_new_and_retention_deletes_old_keys(world, token, settings):
    citizen = world.citizen()
    search(citizen.cpr, token=token, key="k-3")
    IdempotencyKey.objects.update(created=timezone.now() - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS + 1))
    assert search("Test", token=token, key="k-3").status_code == 200  # another body, but the old key is gone
    assert IdempotencyKey.objects.count() == 1 and searches() == 1
    IdempotencyKey.objects.update(created=timezone.now() - datetime.timedelta(days=2))
    [result] = run(Policy.from_settings(), dry_run=False, only={"idempotency_keys"})
    assert result.count == 1 and not IdempotencyKey.objects.exists()


def test_the_schema_declares_the_header_on_unsafe_operations(world):
    client = SecondFactorClient()
    assert client.login(username="caseworker", password=PASSWORD)
    schema = client.get("/api/v1/openapi.json").json()
    search_op = schema["paths"]["/api/v1/citizens/search"]["post"]
    assert idempotency.HEADER in [p["name"] for p in search_op.get("parameters", [])]
    offers = schema["paths"]["/api/v1/offers"]["get"]
    assert idempotency.HEADER not in [p["name"] for p in offers.get("parameters", [])]


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_with_the_same_key_write_once(world, token):
    """The key's row and the write commit together: the second request waits for the first's
    transaction and answers with its result (PostgreSQL: the unique index; SQLite: the write lock)."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite database is not shared between threads")
    citizen = world.citizen()
    answers = []

    def send():
        try:
            answers.append(search(citizen.cpr, token=token, key="k-race"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers) == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert searches() == 1 and IdempotencyKey.objects.count() == 1


def test_a_replay_is_audited_as_a_read_naming_the_token_and_the_citizens(world, token):
    citizen = world.citizen(first_name="Signe")
    search(citizen.cpr, token=token, key="k-audit")
    before = AuditEntry.objects.count()
    again = search(citizen.cpr, token=token, key="k-audit")
    assert again[idempotency.REPLAYED] == "true"
    [entry] = AuditEntry.objects.order_by("pk")[before:]
    assert (entry.action, entry.channel, entry.citizen_id, entry.citizen_count) == ("list", "api", citizen.pk, 1)
    assert "Idempotency-Key" in entry.summary and "[API-nøgle: Integration]" in entry.summary


def test_a_replayed_write_is_audited_as_a_view_of_its_citizen_and_refused_once_out_of_scope(world, token):
    citizen = world.citizen(first_name="Målt")
    world.place(citizen, world.residential)
    path = f"/api/v1/citizens/{citizen.pk}/measurements"
    headers = {"Authorization": f"Bearer {token}", idempotency.HEADER: "k-measure"}

    def measure():
        return Client().post(path, json.dumps({"answers": [3, 3, 2, 4, 1]}), content_type="application/json",
                             headers=headers)

    first = measure()
    assert first.status_code == 201
    before = AuditEntry.objects.count()
    again = measure()
    assert again.status_code == 201 and again.json() == first.json() and again[idempotency.REPLAYED] == "true"
    [entry] = AuditEntry.objects.order_by("pk")[before:]
    assert (entry.action, entry.channel, entry.citizen_id) == ("view", "api", citizen.pk)
    assert f"POST {path} -> 201" in entry.summary and "Integration" in entry.summary
    # The citizen moves to another team: the stored answer is no longer the caller's to read.
    citizen.team = world.other_team
    citizen.save()
    gone = measure()
    assert gone.status_code == 404 and gone.json()["detail"] == NOT_FOUND and gone.get(idempotency.REPLAYED) is None
    assert AuditEntry.objects.order_by("pk").last().action == "refused"


def test_a_stored_search_naming_a_citizen_now_out_of_scope_is_run_again_not_replayed(world, token):
    citizen = world.citizen(first_name="Flyttet")
    first = search(citizen.cpr, token=token, key="k-moved")
    assert [i["id"] for i in first.json()["items"]] == [citizen.pk]
    citizen.team = world.other_team  # the citizen moves to another team: no longer the caller's to see
    citizen.save()
    again = search(citizen.cpr, token=token, key="k-moved")
    assert again.status_code == 200 and again.get(idempotency.REPLAYED) is None
    assert again.json()["items"] == []  # run again through the gate, not the stored answer naming them
    assert "Flyttet" not in again.content.decode()
