"""With single sign-on off (the default) nothing of it exists: no URL, no backend, no import."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD

BASE = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "RORET_STAFF_OIDC", "RORET_CITIZEN_OIDC",
                                                                   "RORET_OIDC_"))}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/oidc/authenticate/", "/oidc/callback/", "/me/login/mitid/",
                                 "/me/login/mitid/callback/"])
def test_the_sign_on_addresses_do_not_exist(url, world):
    assert Client().get(url).status_code == 404


@pytest.mark.django_db
def test_passwords_log_in_as_before(world):
    browser = Client()
    response = browser.post("/login/", {"username": "economist", "password": PASSWORD})
    assert response.status_code == 302 and browser.session.get("_auth_user_id") == str(world.users["economist"].pk)


def test_no_backend_and_no_setting():
    assert not settings.RORET_STAFF_OIDC and not settings.RORET_CITIZEN_OIDC
    assert "django.contrib.auth.backends.ModelBackend" in settings.AUTHENTICATION_BACKENDS
    assert not any("oidc" in b for b in settings.AUTHENTICATION_BACKENDS)
    assert "mozilla_django_oidc" not in settings.INSTALLED_APPS


def run(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env={**BASE, **env}, capture_output=True, text=True,
                          timeout=120)


SETUP = ("import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'roret.settings'); import django; "
         "django.setup(); import roret.urls; from django.conf import settings; ")


def test_off_imports_no_oidc_library():
    result = run(SETUP + "print('mozilla_django_oidc' in sys.modules)", {})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


STAFF_ENV = {"RORET_STAFF_OIDC": "1", "OIDC_RP_CLIENT_ID": "roret", "OIDC_RP_CLIENT_SECRET": "s3cret",
             "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example/authorize",
             "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example/token", "OIDC_OP_JWKS_ENDPOINT": "https://idp.example/keys",
             "RORET_OIDC_ROLE_GROUPS": "caseworker=HP-Visitation,admin=HP-roret-Admin"}
CITIZEN_ENV = {"RORET_CITIZEN_OIDC": "1", "OIDC_CITIZEN_RP_CLIENT_ID": "roret-borger",
               "OIDC_CITIZEN_RP_CLIENT_SECRET": "s3cret2",
               "OIDC_CITIZEN_OP_AUTHORIZATION_ENDPOINT": "https://broker.example/authorize",
               "OIDC_CITIZEN_OP_TOKEN_ENDPOINT": "https://broker.example/token",
               "OIDC_CITIZEN_OP_JWKS_ENDPOINT": "https://broker.example/keys"}


def test_on_from_the_environment():
    code = SETUP + ("from django.urls import reverse; print(settings.AUTHENTICATION_BACKENDS); "
                    "print(settings.RORET_OIDC_ROLE_GROUPS); print(reverse('oidc_authentication_callback'), "
                    "reverse('citizen_oidc_callback'), reverse('login')); print(settings.OIDC_CITIZEN_CPR_CLAIM)")
    result = run(code, {**STAFF_ENV, **CITIZEN_ENV})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == str(["axes.backends.AxesStandaloneBackend", "roret.core.oidc.RoleFromGroupsBackend",
                            "roret.helm.oidc.CitizenBackend"])
    assert lines[1] == str([("caseworker", "HP-Visitation"), ("admin", "HP-roret-Admin")])
    assert lines[2] == "/oidc/callback/ /me/login/mitid/callback/ /login/"
    assert lines[3] == "dk:gov:saml:attribute:CprNumberIdentifier"


def test_citizen_only_keeps_staff_passwords():
    result = run(SETUP + "print(settings.AUTHENTICATION_BACKENDS)", CITIZEN_ENV)
    assert result.returncode == 0, result.stderr
    assert "django.contrib.auth.backends.ModelBackend" in result.stdout and "CitizenBackend" in result.stdout


@pytest.mark.parametrize(("env", "message"), [
    ({**STAFF_ENV, "OIDC_RP_CLIENT_SECRET": ""}, "OIDC_RP_CLIENT_SECRET"),
    ({**STAFF_ENV, "RORET_OIDC_ROLE_GROUPS": "caseworker"}, "is not role=group"),
    ({**STAFF_ENV, "OIDC_RP_SIGN_ALGO": "HS256"}, "asymmetric"),
    ({**CITIZEN_ENV, "OIDC_CITIZEN_OP_JWKS_ENDPOINT": ""}, "OIDC_CITIZEN_OP_JWKS_ENDPOINT"),
    ({**CITIZEN_ENV, "OIDC_CITIZEN_MIN_LEVEL": "middel"}, "low, substantial or high"),
])
def test_a_half_configured_client_refuses_to_start(env, message):
    result = run(SETUP, env)
    assert result.returncode != 0 and message in result.stderr


def test_an_unknown_role_in_the_groups_fails_the_check():
    result = subprocess.run([sys.executable, "-m", "roret.cli", "check"],
                            env={**BASE, **STAFF_ENV, "RORET_OIDC_ROLE_GROUPS": "chef=HP-Chefer"},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "chef" in result.stderr


def test_both_on_pass_the_system_checks():
    result = subprocess.run([sys.executable, "-m", "roret.cli", "check"], env={**BASE, **STAFF_ENV, **CITIZEN_ENV},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
