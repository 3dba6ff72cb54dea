"""Staff single sign-on (roret.core.oidc) against a real OpenID provider on loopback."""

import pytest

from roret.core.models import AuditEntry, Role, User
from roret.core.two_factor import IDP_MFA
from tests.factories import PASSWORD
from tests.oidc.conftest import CITIZEN, STAFF, back_to_roret, sign_in, to_provider

pytestmark = pytest.mark.django_db

START = "/oidc/authenticate/"


def logged_in_as(browser):
    from django.contrib.auth import SESSION_KEY

    pk = browser.session.get(SESSION_KEY)
    return User.objects.get(pk=pk) if pk else None


def test_a_new_person_gets_the_role_their_group_gives(sso, browser, world):
    response = sign_in(browser, START, sso, STAFF, {"sub": "e4f1-anna", "groups": ["Alle", "HP-Sekretariat"],
                                                     "given_name": "Anna", "family_name": "Holm"},
                       userinfo={"email": "anna@kommune.dk"})
    assert response.status_code == 302 and response["Location"] == "/"
    user = logged_in_as(browser)
    assert (user.username, user.role, user.first_name, user.email) == ("e4f1-anna", Role.ECONOMIST, "Anna",
                                                                       "anna@kommune.dk")
    assert not user.has_usable_password()
    entry = AuditEntry.objects.get(action="create", object_id=str(user.pk), object_type="core.user")
    assert entry.reason == "Rolle fra IdP-gruppe HP-Sekretariat" and entry.actor is None
    assert browser.get("/economy/").status_code in (200, 302)
    assert "/token" in sso.requests and "/jwks" in sso.requests


def test_a_changed_group_changes_the_role_through_the_audited_service(sso, browser, world):
    user = world.users["caseworker"]
    sign_in(browser, START, sso, STAFF, {"sub": "caseworker", "groups": ["HP-Udvalg"]})
    user.refresh_from_db()
    assert logged_in_as(browser) == user and user.role == Role.COMMITTEE and user.team is None
    entry = AuditEntry.objects.filter(action="change", object_id=str(user.pk)).latest("pk")
    assert entry.reason == "Rolle fra IdP-gruppe HP-Udvalg"
    assert entry.before["role"] == "caseworker" and entry.after["role"] == "committee"


def test_the_first_matching_group_wins_and_keeps_the_team(sso, browser, world):
    user = world.users["caseworker"]
    sign_in(browser, START, sso, STAFF, {"sub": "caseworker", "groups": ["HP-Udvalg", "HP-Visitation"]})
    user.refresh_from_db()
    assert logged_in_as(browser) == user and user.role == Role.CASEWORKER and user.team == world.team
    assert not AuditEntry.objects.filter(action="change", object_id=str(user.pk)).exists()


def test_no_matching_group_is_refused_in_danish_and_audited(sso, browser, world):
    response = sign_in(browser, START, sso, STAFF, {"sub": "bo-7", "groups": ["Skole", "Teknik"]})
    assert response.status_code == 403
    text = response.content.decode()
    assert "Du er ikke logget ind" in text and "ingen af dine grupper" in text
    assert logged_in_as(browser) is None and not User.objects.filter(username="bo-7").exists()
    entry = AuditEntry.objects.filter(action="login_fail").latest("pk")
    assert "bo-7" in entry.summary and "Skole, Teknik" in entry.summary and entry.after["username"] == "bo-7"


def test_a_role_that_needs_a_team_waits_for_the_administrator(sso, browser, world):
    response = sign_in(browser, START, sso, STAFF, {"sub": "ny-sagsbehandler", "groups": ["HP-Visitation"]})
    assert response.status_code == 403 and "team eller et center" in response.content.decode()
    assert not User.objects.filter(username="ny-sagsbehandler").exists()
    assert AuditEntry.objects.filter(action="login_fail", summary__contains="ny-sagsbehandler").exists()


def test_an_administrator_without_mfa_is_refused(sso, browser, world):
    response = sign_in(browser, START, sso, STAFF, {"sub": "admin", "groups": ["HP-roret-Admin"], "amr": ["pwd"]})
    assert response.status_code == 403 and "totrinsbekræftelse" in response.content.decode()
    assert logged_in_as(browser) is None
    entry = AuditEntry.objects.filter(action="login_fail").latest("pk")
    assert entry.object_id == str(world.users["admin"].pk) and "totrinsbekræftelse" in entry.summary


def test_an_administrator_with_mfa_needs_no_second_code_in_roret(sso, browser, world):
    sign_in(browser, START, sso, STAFF, {"sub": "admin", "groups": ["HP-roret-Admin"], "amr": ["pwd", "mfa"]})
    assert logged_in_as(browser) == world.users["admin"] and browser.session[IDP_MFA] is True
    # The users page is the administrator's; without the identity provider's MFA roret would ask for its code.
    assert browser.get("/users/").status_code == 200


def test_mfa_claimed_in_user_info_only_does_not_count(sso, browser, world):
    """amr is read from the signed ID token of this login, not from the user-info answer."""
    response = sign_in(browser, START, sso, STAFF, {"sub": "admin", "groups": ["HP-roret-Admin"]},
                       userinfo={"amr": ["mfa"]})
    assert response.status_code == 403 and logged_in_as(browser) is None


@pytest.mark.parametrize("attack", ["tamper", "foreign_key"])
def test_a_token_with_a_bad_signature_is_refused_and_audited(sso, browser, world, attack):
    setattr(sso, attack, True)
    response = sign_in(browser, START, sso, STAFF, {"sub": "economist", "groups": ["HP-Sekretariat"]})
    assert response.status_code == 403 and "kunne ikke verificeres" in response.content.decode()
    assert logged_in_as(browser) is None
    assert AuditEntry.objects.filter(action="login_fail", summary__contains="kunne ikke verificeres").exists()
    # The forged payload asked for the administrator's group: nothing of it was applied.
    assert User.objects.get(username="economist").role == Role.ECONOMIST


def test_a_callback_works_once(sso, browser, world):
    sso.claims[STAFF] = {"sub": "economist", "groups": ["HP-Sekretariat"]}
    answer = to_provider(browser, START)
    assert back_to_roret(browser, answer).status_code == 302
    browser.logout()
    again = back_to_roret(browser, answer)
    assert again.status_code == 400 and logged_in_as(browser) is None
    assert AuditEntry.objects.filter(action="login_fail", summary__contains="allerede brugt").exists()


def test_a_citizen_login_cannot_finish_at_the_staff_callback(sso, browser, world):
    """The clients keep their own state: a code and state from the MitID flow, brought to the staff
    callback, are refused before any code is exchanged."""
    sso.claims[CITIZEN] = {"sub": "x", "groups": ["HP-roret-Admin"], "amr": ["mfa"]}
    answer = to_provider(browser, "/me/login/mitid/")
    sso.requests.clear()
    query = answer.headers["Location"].split("?", 1)[1]
    response = browser.get(f"/oidc/callback/?{query}")
    assert response.status_code == 400 and logged_in_as(browser) is None
    assert "/token" not in sso.requests


def test_a_cancelled_login_is_refused(sso, browser, world):
    sso.deny = True
    response = sign_in(browser, START, sso, STAFF, {"sub": "economist"})
    assert response.status_code == 403 and "afbrudt" in response.content.decode()


def test_passwords_no_longer_log_in(sso, browser, world):
    response = browser.post("/login/", {"username": "economist", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/oidc/authenticate/")
    assert logged_in_as(browser) is None
    response = browser.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302 and logged_in_as(browser) is None
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    assert authenticate(RequestFactory().post("/login/"), username="economist", password=PASSWORD) is None


def test_login_keeps_where_the_person_was_going(sso, browser, world):
    response = browser.get("/economy/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = browser.get(response["Location"])
    assert response["Location"] == "/oidc/authenticate/?next=%2Feconomy%2F"
    back = sign_in(browser, response["Location"], sso, STAFF, {"sub": "economist", "groups": ["HP-Sekretariat"]})
    assert back["Location"] == "/economy/"


def test_a_deactivated_user_is_refused(sso, browser, world):
    user = world.users["economist"]
    user.is_active = False
    user.save()
    response = sign_in(browser, START, sso, STAFF, {"sub": "economist", "groups": ["HP-Sekretariat"]})
    assert response.status_code == 403 and "deaktiveret" in response.content.decode()


def test_a_citizens_account_never_becomes_staff(sso, browser, world):
    citizen_user = world.users["citizen"]
    response = sign_in(browser, START, sso, STAFF, {"sub": "citizen", "groups": ["HP-Sekretariat"]})
    citizen_user.refresh_from_db()
    assert response.status_code == 403 and citizen_user.role == Role.CITIZEN and logged_in_as(browser) is None


def test_the_refusal_page_offers_a_new_login(sso, browser, world):
    response = sign_in(browser, START, sso, STAFF, {"sub": "bo-7", "groups": []})
    assert 'href="/oidc/authenticate/"' in response.content.decode()
    entry = AuditEntry.objects.filter(action="login_fail").latest("pk")
    assert "grupper: ingen" in entry.summary


def test_an_address_that_keeps_failing_is_locked_out_by_axes(sso, browser, world):
    from django.test import override_settings

    with override_settings(AXES_FAILURE_LIMIT=2, AXES_IP_FAILURE_LIMIT=2):
        assert sign_in(browser, START, sso, STAFF, {"sub": "bo-7", "groups": ["Skole"]}).status_code == 403
        # The second failure reaches the address's limit: the lockout page instead of the refusal.
        assert sign_in(browser, START, sso, STAFF, {"sub": "bo-7", "groups": ["Skole"]}).status_code == 429
        # Then even a login the identity provider vouches for is refused from that address.
        response = sign_in(browser, START, sso, STAFF, {"sub": "economist", "groups": ["HP-Sekretariat"]})
    assert response.status_code == 429 and logged_in_as(browser) is None
    assert AuditEntry.objects.filter(action="locked").exists()


def admin_browser(world):
    """The administrator, signed in through single sign-on with MFA proven (as the callback leaves it)."""
    from django.test import Client

    browser = Client()
    browser.force_login(world.users["admin"], backend="roret.core.oidc.RoleFromGroupsBackend")
    session = browser.session
    session[IDP_MFA] = True
    session.save()
    return browser


def test_the_administrator_places_a_person_before_their_first_login_without_a_password(sso, browser, world):
    admin = admin_browser(world)
    page = admin.get("/users/new/").content.decode()
    assert 'name="password1"' not in page and "kommunens login" in page
    response = admin.post("/users/new/", {"username": "a1b2-sagsbehandler", "first_name": "Sara", "last_name": "Berg",
                                          "email": "", "role": "caseworker", "team": world.team.pk, "reason": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    made = User.objects.get(username="a1b2-sagsbehandler")
    assert not made.has_usable_password() and made.team == world.team
    # Their first login finds the user, in the team the administrator chose.
    sign_in(browser, START, sso, STAFF, {"sub": "a1b2-sagsbehandler", "groups": ["HP-Visitation"]})
    assert logged_in_as(browser) == made


def test_no_password_is_set_with_single_sign_on(sso, world):
    admin = admin_browser(world)
    person = world.users["economist"]
    page = admin.get(f"/users/{person.pk}/").content.decode()
    assert 'id="password-form"' not in page
    response = admin.post(f"/users/{person.pk}/password/", {"password-password1": "Langt-nok-kodeord-42",
                                                             "password-password2": "Langt-nok-kodeord-42",
                                                             "password-reason": "Glemt, ringet op og tjekket"})
    assert response.status_code == 400 and "ingen adgangskoder" in response.content.decode()
    person.refresh_from_db()
    assert not person.check_password("Langt-nok-kodeord-42")
