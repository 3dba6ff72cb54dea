"""The second factor (TOTP): who must give it, that nothing works before it, set-up, wrong codes,
Django admin, and the administrator's reset.

These tests use Django's plain test client and log in on the login page with the password, so the
production check is what they meet (the suite's own client completes the factor: tests/clients.py)."""

import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from roret.core import two_factor
from roret.core.models import AuditAction, AuditEntry
from tests.clients import current_code, give_device
from tests.factories import PASSWORD

PAGES = ["/", "/users/", "/audit/", "/account/", "/offers/", "/admin/", "/admin/core/term/", "/account/api-tokens/",
         "/users/api-tokens/"]


def password_login(username, path="/login/", ip="10.1.1.1") -> Client:
    client = Client(REMOTE_ADDR=ip)
    response = client.post(path, {"username": username, "password": PASSWORD, "next": "/"})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def blocked_to(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 302, f"{path} answered {response.status_code}"
    return response["Location"].split("?")[0]


def test_an_administrator_without_a_device_reaches_nothing_until_enrolled(world):
    client = password_login("admin")
    for path in PAGES:
        assert blocked_to(client, path) == "/account/two-factor/setup/", path
    api = client.get("/api/v1/offers")
    assert api.status_code == 403 and "/account/two-factor/" in api.json()["detail"]
    page = client.get("/account/two-factor/setup/?next=/users/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "<script" not in html.split("<main")[1]
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html)[1].replace(" ", "")
    assert not TOTPDevice.objects.exists()  # showing the QR code saved nothing
    # The code from the secret shown, as an authenticator app (or oathtool --totp -b) computes it.
    import base64

    code = f"{totp(base64.b32decode(secret)):06d}"
    response = client.post("/account/two-factor/setup/", {"token": code, "next": "/users/"})
    assert response.status_code == 302 and response["Location"] == "/users/"
    device = TOTPDevice.objects.get(user=world.users["admin"])
    assert device.confirmed
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, actor=world.users["admin"],
                                     object_type="otp_totp.totpdevice").exists()


def test_an_administrator_with_a_device_gives_the_code_before_any_page(world):
    device = give_device(world.users["admin"])
    client = password_login("admin")
    for path in PAGES:
        assert blocked_to(client, path) == "/account/two-factor/", path
    response = client.post("/account/two-factor/", {"token": current_code(device), "next": "/users/"})
    assert response.status_code == 302 and response["Location"] == "/users/"
    assert client.get("/users/").status_code == 200


def test_a_wrong_code_is_refused_and_wrong_codes_are_throttled(world):
    admin = world.users["admin"]
    device = give_device(admin)
    client = password_login("admin")
    right = current_code(device)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    response = client.post("/account/two-factor/", {"token": wrong})
    assert response.status_code == 400 and "Koden er forkert" in response.content.decode()
    assert blocked_to(client, "/users/") == "/account/two-factor/"
    # Right after a wrong code the right one waits too (django-otp's throttle doubles the wait).
    response = client.post("/account/two-factor/", {"token": right})
    assert response.status_code == 400 and "For mange forkerte koder" in response.content.decode()
    assert blocked_to(client, "/users/") == "/account/two-factor/"
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, object_id=str(admin.pk)).exists()
    # Malformed input says what is wrong, never a server error.
    for token in ["", "abc", "1234567890", "12 34"]:
        response = client.post("/account/two-factor/", {"token": token})
        assert response.status_code == 400


def test_django_admin_login_also_needs_the_code(world):
    give_device(world.users["admin"])
    client = password_login("admin", path="/admin/login/")
    assert blocked_to(client, "/admin/") == "/account/two-factor/"
    assert blocked_to(client, "/admin/offers/offer/") == "/account/two-factor/"


def test_roles_without_two_factor_log_in_with_the_password(world):
    client = password_login("caseworker")
    assert client.get("/").status_code == 200


def test_the_roles_that_must_use_two_factor_are_configured(world, settings):
    settings.TWO_FACTOR_ROLES = ["admin", "economist"]
    client = password_login("economist")
    assert blocked_to(client, "/") == "/account/two-factor/setup/"
    assert two_factor.required(world.users["economist"])
    assert not two_factor.required(world.users["committee"])


def test_the_administrator_role_needs_two_factor_whatever_the_setting(world, settings):
    settings.TWO_FACTOR_ROLES = []
    assert two_factor.required(world.users["admin"])


def test_a_user_who_set_up_a_device_voluntarily_is_asked_for_it(world):
    give_device(world.users["caseworker"])
    client = password_login("caseworker")
    assert blocked_to(client, "/") == "/account/two-factor/"


def test_the_administrator_resets_a_lost_device_and_the_sessions_end(world, client, assert_audited):
    economist = world.users["economist"]
    give_device(economist)
    victim = password_login("economist")
    victim.post("/account/two-factor/", {"token": current_code(economist.totpdevice_set.get())})
    assert victim.get("/").status_code == 200
    client.force_login(world.users["admin"])
    response = client.post(f"/users/{economist.pk}/two-factor-reset/", {"reset-reason": "Kort"})
    assert response.status_code == 400 and TOTPDevice.objects.filter(user=economist).exists()
    response = client.post(f"/users/{economist.pk}/two-factor-reset/",
                           {"reset-reason": "Mistet telefonen; identitet tjekket pr. telefon"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=economist).exists()
    assert_audited(AuditAction.CHANGE, world.users["admin"], obj=economist)
    assert blocked_to(victim, "/") == "/login/"


@pytest.mark.parametrize("persona", ["caseworker", "economist"])
def test_only_the_administrator_resets_devices(world, persona):
    from roret.core.permissions import NotInScope

    give_device(world.users["committee"])
    with pytest.raises(NotInScope):
        two_factor.reset(world.users["committee"], actor=world.users[persona], reason="Mistet telefonen i bussen")


def test_a_wrong_code_at_set_up_saves_nothing(world):
    client = password_login("admin")
    client.get("/account/two-factor/setup/")
    response = client.post("/account/two-factor/setup/", {"token": "000000"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.exists()
    assert blocked_to(client, "/users/") == "/account/two-factor/setup/"


def test_django_admin_shows_no_authenticator_secrets_and_no_lockout_rows(world, client):
    client.force_login(world.users["admin"])
    index = client.get("/admin/").content.decode()
    assert "/admin/otp_totp/" not in index and "/admin/axes/" not in index
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_a_misspelt_two_factor_role_is_a_start_up_error(settings):
    from roret.core.checks import check_two_factor_roles

    settings.TWO_FACTOR_ROLES = ["admin", "economists"]
    errors = check_two_factor_roles()
    assert [e.id for e in errors] == ["roret.E121"] and "economists" in errors[0].msg
    settings.TWO_FACTOR_ROLES = ["admin", "economist"]
    assert check_two_factor_roles() == []
