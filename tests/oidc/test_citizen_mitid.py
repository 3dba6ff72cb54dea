"""The citizen's MitID sign-in (roret.helm.oidc) against a real OpenID provider on loopback."""

import pytest
from django.contrib.auth import SESSION_KEY

from roret.core.models import AuditEntry, Role
from roret.helm.models import CitizenAccount
from tests.factories import make_cpr
from tests.helm.helpers import issue
from tests.oidc.conftest import CITIZEN, CPR_CLAIM, SUBSTANTIAL, sign_in

pytestmark = pytest.mark.django_db

START = "/me/login/mitid/"


def mitid(number, acr=SUBSTANTIAL, **more):
    return {"sub": "mitid-uuid-1", CPR_CLAIM: number, "acr": acr, **more}


def signed_in(browser):
    return browser.session.get(SESSION_KEY)


def test_the_citizen_signs_in_by_cpr_and_sees_only_their_own_page(sso, browser, world):
    number = make_cpr()
    citizen = world.citizen(cpr=number)
    other = world.citizen(first_name="Anden")
    response = sign_in(browser, START, sso, CITIZEN, mitid(number))
    assert response.status_code == 302 and response["Location"] == "/me/"
    account = CitizenAccount.objects.get(citizen=citizen)
    assert str(account.user.pk) == signed_in(browser) and account.user.role == Role.CITIZEN
    assert browser.get("/me/").status_code == 200
    # The confinement: another citizen's record and staff pages are not there for a citizen.
    assert browser.get(f"/citizens/{other.pk}/").status_code == 404
    assert browser.get(f"/citizens/{citizen.pk}/").status_code == 404
    assert browser.get("/economy/").status_code == 404
    entry = AuditEntry.objects.filter(citizen_id=citizen.pk, summary__contains="med MitID").latest("pk")
    assert entry.actor == account.user and entry.after["acr"] == SUBSTANTIAL
    assert AuditEntry.objects.filter(action="create", object_type="helm.citizenaccount",
                                     object_id=str(account.pk)).exists()
    # The acr the broker is asked for goes with the authorization request.
    assert "/authorize" in sso.requests


def test_the_account_of_an_invitation_is_the_one_mitid_opens(sso, browser, world, client):
    number = make_cpr()
    citizen = world.citizen(cpr=number)
    _invitation, token, code = issue(world, citizen)
    first = client.post(f"/me/invitation/{token}/", {"code": code})
    assert first.status_code == 302
    # With staff single sign-on on there is no ModelBackend: the invitation's session still holds.
    assert client.get("/me/").status_code == 200
    sign_in(browser, START, sso, CITIZEN, mitid(number))
    assert CitizenAccount.objects.filter(citizen=citizen).count() == 1
    assert signed_in(browser) == str(CitizenAccount.objects.get(citizen=citizen).user.pk)


def test_an_unknown_cpr_number_is_refused_and_audited_masked(sso, browser, world):
    number = make_cpr()
    response = sign_in(browser, START, sso, CITIZEN, mitid(number))
    assert response.status_code == 403 and "kan ikke finde dig" in response.content.decode()
    assert signed_in(browser) is None and not CitizenAccount.objects.exists()
    entry = AuditEntry.objects.filter(action="login_fail").latest("pk")
    assert f"{number[:6]}-xxxx" in entry.summary and number not in str(entry.summary) + str(entry.after)


@pytest.mark.parametrize("acr", ["https://data.gov.dk/concept/core/nsis/loa/Low", "", "noget-andet"])
def test_too_low_an_assurance_level_is_refused_on_the_citizens_record(sso, browser, world, acr):
    number = make_cpr()
    citizen = world.citizen(cpr=number)
    response = sign_in(browser, START, sso, CITIZEN, mitid(number, acr=acr))
    assert response.status_code == 403 and "højere niveau" in response.content.decode()
    assert signed_in(browser) is None and not CitizenAccount.objects.exists()
    entry = AuditEntry.objects.filter(action="login_fail", citizen_id=citizen.pk).latest("pk")
    assert "sikringsniveau" in entry.summary


def test_acr_in_user_info_only_does_not_count(sso, browser, world):
    number = make_cpr()
    world.citizen(cpr=number)
    claims = mitid(number)
    del claims["acr"]
    response = sign_in(browser, START, sso, CITIZEN, claims, userinfo={"acr": SUBSTANTIAL})
    assert response.status_code == 403 and signed_in(browser) is None


def test_the_cpr_number_may_come_from_user_info(sso, browser, world):
    number = make_cpr()
    citizen = world.citizen(cpr=number)
    claims = mitid(number)
    del claims[CPR_CLAIM]
    sign_in(browser, START, sso, CITIZEN, claims, userinfo={CPR_CLAIM: number})
    assert signed_in(browser) == str(CitizenAccount.objects.get(citizen=citizen).user.pk)


def test_a_tampered_token_signs_no_citizen_in(sso, browser, world):
    number = make_cpr()
    world.citizen(cpr=number)
    sso.tamper = True
    response = sign_in(browser, START, sso, CITIZEN, mitid(number))
    assert response.status_code == 403 and signed_in(browser) is None


def test_a_staff_login_cannot_finish_at_the_citizen_callback(sso, browser, world):
    number = make_cpr()
    world.citizen(cpr=number)
    sso.claims["roret-staff"] = mitid(number)
    from tests.oidc.conftest import to_provider

    answer = to_provider(browser, "/oidc/authenticate/")
    sso.requests.clear()
    response = browser.get(f"/me/login/mitid/callback/?{answer.headers['Location'].split('?', 1)[1]}")
    assert response.status_code == 400 and signed_in(browser) is None and "/token" not in sso.requests


def test_a_signed_in_member_of_staff_is_not_swapped_for_a_citizen(sso, browser, world):
    browser.force_login(world.users["caseworker"], backend="roret.core.oidc.RoleFromGroupsBackend")
    response = browser.get(START)
    assert response.status_code == 403 and signed_in(browser) == str(world.users["caseworker"].pk)
