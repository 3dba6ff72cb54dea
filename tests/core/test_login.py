"""Logging in: Argon2 hashes, and the lockout after failed attempts (django-axes) per user name and
per address, on roret's login page and Django admin's, audited and lifted by the administrator.

These tests use Django's plain test client and post to the login pages as a browser does."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from roret.core import services
from roret.core.login_guard import lockouts
from roret.core.models import AuditAction, AuditEntry, Role, User
from tests.factories import PASSWORD

LOGIN_PAGES = ["/login/", "/admin/login/"]


def attempt(path, username, password, ip="10.0.0.1"):
    return Client(REMOTE_ADDR=ip).post(path, {"username": username, "password": password, "next": "/"})


def logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_passwords_are_hashed_with_argon2(world, settings):
    """roret's own hasher list (the suite's conftest swaps in a fast one): Argon2id first."""
    from roret import settings as roret_settings

    settings.PASSWORD_HASHERS = roret_settings.PASSWORD_HASHERS
    user = services.create_user(actor=world.users["admin"], username="ny", first_name="Ny", last_name="Bruger",
                                email="", role=Role.ECONOMIST, password="Langt-og-sikkert-2026!")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("Langt-og-sikkert-2026!")


def test_argon2_uses_owasps_parameters_not_djangos_heavier_defaults(world, settings):
    """19 MiB, 2 passes, 1 lane (OWASP's minimum; roret/core/hashers.py): Django's 100 MiB and 8
    lanes cost ten times the CPU per login on a 2-core server (docs/benchmarks.md, "Load ...")."""
    from roret import settings as roret_settings

    settings.PASSWORD_HASHERS = roret_settings.PASSWORD_HASHERS
    user = services.create_user(actor=world.users["admin"], username="ny", first_name="Ny", last_name="Bruger",
                                email="", role=Role.ECONOMIST, password="Langt-og-sikkert-2026!")
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_hash_with_djangos_argon2_defaults_still_works_and_is_renewed_at_login(world, settings):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from roret import settings as roret_settings

    settings.PASSWORD_HASHERS = roret_settings.PASSWORD_HASHERS
    user = world.users["economist"]
    old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    assert "$m=102400,t=2,p=8$" in old
    User.objects.filter(pk=user.pk).update(password=old)
    assert logged_in(attempt("/login/", "economist", PASSWORD))
    user.refresh_from_db()
    assert "$m=19456,t=2,p=1$" in user.password


def test_an_old_pbkdf2_hash_becomes_argon2_at_login(world, settings):
    from django.contrib.auth.hashers import make_password

    from roret import settings as roret_settings

    settings.PASSWORD_HASHERS = roret_settings.PASSWORD_HASHERS
    user = world.users["economist"]
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    assert logged_in(attempt("/login/", "economist", PASSWORD))
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_five_wrong_passwords_lock_the_user_out_even_with_the_right_one(world, path):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    answers = [attempt(path, "admin", f"wrong-{i}").status_code for i in range(limit)]
    assert answers[:-1] == [200] * (limit - 1)
    assert answers[-1] == 429
    refused = attempt(path, "admin", PASSWORD)
    assert refused.status_code == 429 and not logged_in(refused)
    page = refused.content.decode()
    assert "For mange mislykkede forsøg" in page and "prøv igen om 15 minutter" in page
    assert "kontakt administrator" in page
    # From another computer too: the lockout holds for the user name.
    assert attempt(path, "admin", PASSWORD, ip="10.0.0.99").status_code == 429


def test_failed_logins_and_the_lockout_are_audited_without_the_password(world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("/login/", "caseworker", "hemmeligt-forkert")
    attempt("/login/", "caseworker", PASSWORD)
    user = world.users["caseworker"]
    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, object_id=str(user.pk))
    assert failed.count() == settings.AXES_FAILURE_LIMIT + 1  # the refused right password fails too
    locked = AuditEntry.objects.filter(action=AuditAction.LOCKED, object_type="core.user", object_id=str(user.pk))
    assert locked.exists()
    entry = locked.first()
    assert entry.after == {"username": "caseworker", "ip": "10.0.0.1"}
    assert "brugernavnet spærret efter 5 mislykkede forsøg" in entry.summary
    assert not AuditEntry.objects.filter(summary__contains="hemmeligt").exists()
    assert not AuditEntry.objects.filter(after__icontains="hemmeligt").exists()


def test_an_overlong_user_name_is_a_failed_login_not_a_server_error(world):
    """Django's login form passes a user name of any length to authenticate; axes's column holds
    255 characters (PostgreSQL refused a longer one with a server error)."""
    for path in ("/login/", "/admin/login/"):
        response = attempt(path, "y" * 5000, "forkert")
        assert response.status_code == 200 and not logged_in(response)
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"y" * 150}


def test_colleagues_typing_wrong_from_one_shared_address_do_not_lock_it(world):
    """A town hall's proxy or terminal server is one address for many: five colleagues' typos lock
    none of them out, and the next colleague gets in (the address has a limit of its own)."""
    for name in ["anna", "bent", "carl", "dorte", "erik"]:
        attempt("/login/", name, "tastefejl", ip="10.7.7.7")
    assert logged_in(attempt("/login/", "economist", PASSWORD, ip="10.7.7.7"))
    assert lockouts() == []


def test_one_address_trying_many_user_names_is_locked_out(world):
    for n in range(settings.AXES_IP_FAILURE_LIMIT):
        attempt("/login/", f"navn{n}", "Sommer2026", ip="10.6.6.6")
    # The address is locked: a real user's right password from it is refused...
    assert attempt("/login/", "economist", PASSWORD, ip="10.6.6.6").status_code == 429
    # ...while the same user from another address gets in (their name was not the one attacked).
    assert logged_in(attempt("/login/", "economist", PASSWORD, ip="10.0.0.2"))
    assert {(lo.kind, lo.value) for lo in lockouts()} == {("ip", "10.6.6.6")}
    # The audit says it was the address, at its own limit, not the user name after five.
    locked = AuditEntry.objects.filter(action=AuditAction.LOCKED).order_by("pk").first()
    assert f"adressen spærret efter {settings.AXES_IP_FAILURE_LIMIT} mislykkede forsøg" in locked.summary


def test_the_lockout_ends_after_the_cool_off(world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("/login/", "economist", "forkert")
    assert attempt("/login/", "economist", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.UTC) - settings.AXES_COOLOFF_TIME
                                 - datetime.timedelta(seconds=1))
    assert logged_in(attempt("/login/", "economist", PASSWORD))


def test_the_administrator_sees_and_lifts_a_lockout(world, client, assert_audited):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("/login/", "economist", "forkert")
    admin, economist = world.users["admin"], world.users["economist"]
    client.force_login(admin)
    users_page = client.get("/users/").content.decode()
    assert 'id="lockouts"' in users_page and "economist" in users_page
    detail = client.get(f"/users/{economist.pk}/").content.decode()
    assert "Låst ude efter 5 mislykkede forsøg" in detail
    # A reason is required; without one nothing is lifted and the page says why.
    response = client.post("/users/lockouts/lift/", {"lift-kind": "username", "lift-value": "economist",
                                                     "back": f"/users/{economist.pk}/"}, follow=True)
    assert "Begrundelse" in response.content.decode()
    assert attempt("/login/", "economist", PASSWORD).status_code == 429
    response = client.post("/users/lockouts/lift/", {"lift-kind": "username", "lift-value": "economist",
                                                     "lift-reason": "Ringet op; det var brugeren selv",
                                                     "back": f"/users/{economist.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/users/{economist.pk}/"
    entry = assert_audited(AuditAction.CHANGE, admin, obj=economist)
    assert "Spærring" in entry.summary and entry.reason == "Ringet op; det var brugeren selv"
    assert logged_in(attempt("/login/", "economist", PASSWORD))


def test_lifting_a_lockout_refuses_what_is_not_locked_and_other_roles(world):
    from roret.core.permissions import NotInScope

    with pytest.raises(services.UserError, match="not locked out"):
        services.lift_lockout(actor=world.users["admin"], kind="username", value="economist",
                              reason="Ringet op; det var brugeren selv")
    with pytest.raises(NotInScope):
        services.lift_lockout(actor=world.users["economist"], kind="ip", value="10.0.0.1",
                              reason="Ringet op; det var brugeren selv")


def test_lockout_settings_come_from_the_environment(monkeypatch):
    import importlib

    from roret import settings as roret_settings

    monkeypatch.setenv("RORET_LOCKOUT_MINUTES", "45")
    monkeypatch.setenv("RORET_LOCKOUT_FAILURES", "3")
    try:
        reloaded = importlib.reload(roret_settings)
        assert reloaded.AXES_COOLOFF_TIME == datetime.timedelta(minutes=45)
        assert reloaded.AXES_FAILURE_LIMIT == 3
        assert reloaded.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
        assert reloaded.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    finally:
        monkeypatch.delenv("RORET_LOCKOUT_MINUTES")
        monkeypatch.delenv("RORET_LOCKOUT_FAILURES")
        importlib.reload(roret_settings)
