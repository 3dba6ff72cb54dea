"""Single sign-on switched on against the loopback provider (tests/oidc_provider.py)."""

import importlib
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client, override_settings
from django.urls import clear_url_caches

from tests.oidc_provider import Provider

ROLE_GROUPS = [("caseworker", "HP-Visitation"), ("centre_staff", "HP-Center-Medarbejder"),
               ("centre_leader", "HP-Centerleder"), ("economist", "HP-Sekretariat"), ("committee", "HP-Udvalg"),
               ("admin", "HP-roret-Admin")]
CPR_CLAIM = "dk:gov:saml:attribute:CprNumberIdentifier"
SUBSTANTIAL = "https://data.gov.dk/concept/core/nsis/loa/Substantial"
STAFF, CITIZEN = "roret-staff", "roret-mitid"


@pytest.fixture(scope="module")
def provider():
    with Provider() as running:
        yield running


def _reload_urls():
    import roret.urls

    importlib.reload(roret.urls)
    clear_url_caches()


@pytest.fixture
def sso(provider):
    """Staff and citizen single sign-on on, as RORET_STAFF_OIDC=1 and RORET_CITIZEN_OIDC=1 set them."""
    provider.tamper = provider.foreign_key = provider.deny = False
    provider.claims.clear()
    provider.userinfo.clear()
    values = {
        "RORET_STAFF_OIDC": True, "RORET_CITIZEN_OIDC": True,
        "AUTHENTICATION_BACKENDS": ["axes.backends.AxesStandaloneBackend", "roret.core.oidc.RoleFromGroupsBackend",
                                    "roret.helm.oidc.CitizenBackend"],
        "RORET_SESSION_BACKEND": "roret.core.oidc.RoleFromGroupsBackend",
        **provider.settings("OIDC_", STAFF), **provider.settings("OIDC_CITIZEN_", CITIZEN),
        "OIDC_RP_SCOPES": "openid email profile", "OIDC_CITIZEN_RP_SCOPES": "openid", "OIDC_TIMEOUT": 10,
        "RORET_OIDC_ROLE_GROUPS": ROLE_GROUPS, "RORET_OIDC_GROUPS_CLAIM": "groups", "RORET_OIDC_USERNAME_CLAIM": "sub",
        "RORET_OIDC_MFA_ACR": [], "OIDC_CITIZEN_CPR_CLAIM": CPR_CLAIM, "OIDC_CITIZEN_MIN_LEVEL": "substantial",
        "OIDC_CITIZEN_ACR_VALUES": SUBSTANTIAL,
    }
    with override_settings(**values):
        _reload_urls()
        try:
            yield provider
        finally:
            pass
    _reload_urls()


@pytest.fixture
def browser():
    return Client()


def to_provider(browser, start: str):
    """Start a login at ``start`` and follow it to the provider: the provider's answer (a redirect back)."""
    response = browser.get(start)
    assert response.status_code == 302, response.content[:300]
    return requests.get(response["Location"], allow_redirects=False, timeout=10)


def back_to_roret(browser, answer):
    """Follow the provider's redirect back into roret (the callback), as the browser would."""
    location = urlsplit(answer.headers["Location"])
    assert location.netloc == "testserver"
    return browser.get(f"{location.path}?{location.query}")


def sign_in(browser, start: str, provider, client_id: str, claims: dict, userinfo: dict | None = None):
    provider.claims[client_id] = claims
    provider.userinfo[client_id] = userinfo or {}
    return back_to_roret(browser, to_provider(browser, start))
