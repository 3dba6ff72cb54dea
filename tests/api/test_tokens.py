"""API tokens: made and revoked on the account page (and by the administrator), shown once, stored
as a digest; a token is its user's session for the API (role, scope, audit), needs no CSRF token,
and is refused with 401 once revoked or expired or when its user is deactivated."""

import datetime
import hashlib
import json

import pytest
from django.test import Client
from django.utils import timezone

from roret.api.access import NOT_FOUND
from roret.core import api_tokens
from roret.core.models import ApiToken, AuditEntry
from roret.core.services import set_active
from tests.clients import SecondFactorClient
from tests.factories import PASSWORD


def logged_in(persona: str) -> Client:
    client = SecondFactorClient()
    assert client.login(username=persona, password=PASSWORD)
    return client


def make(world, persona="caseworker", name="Rapportscript", days=90) -> str:
    return api_tokens.create_token(actor=world.users[persona], name=name, days=days).token


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_shown_once_and_stored_as_its_digest(world):
    client = logged_in("caseworker")
    response = client.post("/account/api-tokens/", {"name": "Rapportscript", "days": "90"})
    assert response.status_code == 302 and response["Location"] == "/account/api-tokens/"
    page = client.get("/account/api-tokens/").content.decode()
    row = ApiToken.objects.get()
    token = page.split('id="new-token-value">')[1].split("<")[0]
    assert token.startswith(f"roret_{row.prefix}_")
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert row.expires - row.created == datetime.timedelta(days=90) and row.name == "Rapportscript"
    again = client.get("/account/api-tokens/").content.decode()
    assert token not in again and "Rapportscript" in again  # listed, never shown again
    entry = AuditEntry.objects.get(action="create", object_type="core.apitoken")
    assert entry.actor == world.users["caseworker"] and token not in entry.summary + json.dumps(entry.after)


def test_the_lifetime_is_capped_by_the_setting(world, settings):
    settings.API_TOKEN_MAX_DAYS = 60
    assert api_tokens.lifetimes() == [30, 60]
    response = logged_in("caseworker").post("/account/api-tokens/", {"name": "Lang", "days": "365"})
    assert response.status_code == 400 and not ApiToken.objects.exists()


def test_a_token_calls_the_api_as_its_user_without_csrf_and_each_call_is_audited_with_its_name(world):
    citizen = world.citizen(first_name="Signe")
    token = make(world)
    client = Client(enforce_csrf_checks=True)  # no session, no CSRF token: the token is enough
    response = client.get(f"/api/v1/citizens/{citizen.pk}", headers=bearer(token))
    assert response.status_code == 200 and response.json()["id"] == citizen.pk
    found = client.post("/api/v1/citizens/search", json.dumps({"q": citizen.cpr}), content_type="application/json",
                        headers=bearer(token))
    assert found.status_code == 200 and [c["id"] for c in found.json()["items"]] == [citizen.pk]
    entries = AuditEntry.objects.filter(actor=world.users["caseworker"], channel="api").order_by("pk")
    assert [e.action for e in entries] == ["view", "search"]
    assert all(e.summary.endswith("[API-nøgle: Rapportscript]") for e in entries)
    assert ApiToken.objects.get().last_used is not None


def test_a_session_call_names_no_token_and_still_needs_csrf(world):
    citizen = world.citizen()
    make(world)
    logged_in("caseworker").get(f"/api/v1/citizens/{citizen.pk}")
    assert "API-nøgle" not in AuditEntry.objects.get(action="view").summary
    browser = SecondFactorClient(enforce_csrf_checks=True)
    assert browser.login(username="caseworker", password=PASSWORD)
    refused = browser.post("/api/v1/citizens/search", json.dumps({"q": "x"}), content_type="application/json")
    assert refused.status_code == 403


def test_a_token_gets_the_same_404_as_the_session_outside_the_users_scope(world):
    citizen = world.citizen()  # in the caseworker's team, not the outsider's
    token = make(world, "outsider")
    by_token = Client().get(f"/api/v1/citizens/{citizen.pk}", headers=bearer(token))
    by_session = logged_in("outsider").get(f"/api/v1/citizens/{citizen.pk}")
    assert by_token.status_code == by_session.status_code == 404
    assert by_token.json() == by_session.json() == {"detail": NOT_FOUND, "errors": []}
    refusals = AuditEntry.objects.filter(action="refused", actor=world.users["outsider"]).order_by("pk")
    assert [e.summary.endswith("[API-nøgle: Rapportscript]") for e in refusals] == [True, False]


def test_a_token_keeps_its_users_role(world):
    token = make(world, "committee")
    assert Client().get("/api/v1/offers", headers=bearer(token)).status_code == 200
    assert Client().post("/api/v1/citizens/search", json.dumps({"q": "x"}), content_type="application/json",
                         headers=bearer(token)).status_code == 403


def test_anonymous_and_an_unknown_token_get_401(world):
    assert Client().get("/api/v1/offers").status_code == 401
    unknown = Client().get("/api/v1/offers", headers=bearer("roret_00000000_" + "x" * 43))
    assert unknown.status_code == 401 and unknown.json() == {"detail": "Ukendt API-nøgle.", "errors": []}


def test_a_revoked_token_gets_401(world):
    token = make(world)
    client = logged_in("caseworker")
    row = ApiToken.objects.get()
    assert client.post(f"/account/api-tokens/{row.pk}/revoke/").status_code == 302
    response = Client().get("/api/v1/offers", headers=bearer(token))
    assert response.status_code == 401 and response.json() == {"detail": "API-nøglen er tilbagekaldt.", "errors": []}
    entry = AuditEntry.objects.get(action="change", object_type="core.apitoken")
    assert entry.actor == world.users["caseworker"] and entry.after == {"revoked": True}


def test_an_expired_token_gets_401(world):
    token = make(world, days=30)
    ApiToken.objects.update(created=timezone.now() - datetime.timedelta(days=31),
                            expires=timezone.now() - datetime.timedelta(seconds=1))
    response = Client().get("/api/v1/offers", headers=bearer(token))
    assert response.status_code == 401 and response.json() == {"detail": "API-nøglen er udløbet.", "errors": []}


def test_a_deactivated_users_token_gets_401(world):
    token = make(world)
    set_active(world.users["caseworker"], actor=world.users["admin"], active=False, reason="Fratrådt ved månedens udgang")
    assert Client().get("/api/v1/offers", headers=bearer(token)).status_code == 401


def test_the_administrator_revokes_another_users_token_and_no_one_else_may(world):
    token = make(world)
    row = ApiToken.objects.get()
    for persona in ("outsider", "economist", "centre_leader"):
        assert logged_in(persona).post(f"/account/api-tokens/{row.pk}/revoke/").status_code == 404
    assert logged_in("economist").get("/users/api-tokens/").status_code == 403
    assert Client().get("/api/v1/offers", headers=bearer(token)).status_code == 200
    admin = logged_in("admin")
    assert "Rapportscript" in admin.get("/users/api-tokens/").content.decode()
    response = admin.post(f"/account/api-tokens/{row.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/users/api-tokens/"
    row.refresh_from_db()
    assert row.revoked_by == world.users["admin"]
    assert Client().get("/api/v1/offers", headers=bearer(token)).status_code == 401
    entry = AuditEntry.objects.get(action="change", object_type="core.apitoken")
    assert entry.actor == world.users["admin"] and "caseworker" in entry.summary


def test_own_tokens_page_lists_only_ones_own(world):
    make(world, "caseworker", name="Mit script")
    make(world, "outsider", name="Andens script")
    page = logged_in("caseworker").get("/account/api-tokens/").content.decode()
    assert "Mit script" in page and "Andens script" not in page


@pytest.mark.parametrize("seconds, writes", [(10, False), (120, True)])
def test_last_used_is_written_at_most_once_a_minute(world, seconds, writes):
    token = make(world)
    earlier = timezone.now() - datetime.timedelta(seconds=seconds)
    ApiToken.objects.update(last_used=earlier)
    assert Client().get("/api/v1/offers", headers=bearer(token)).status_code == 200
    assert (ApiToken.objects.get().last_used != earlier) is writes
