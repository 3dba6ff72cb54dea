"""The citizen at the helm: invitations, the citizen's scope, and what the citizen enters."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from roret.citizens import services as citizen_services
from roret.citizens.models import Citizen
from roret.core import permissions
from roret.core.models import AuditAction, AuditEntry, Role
from roret.helm import services
from roret.helm.models import CitizenAccount, GoalRating, Invitation, InvitationState, PlanResponse
from roret.outcomes import services as outcome_services
from roret.outcomes.models import Goal, Measurement
from tests.factories import term
from tests.helm.helpers import issue, link

TODAY = datetime.date.today()


@pytest.fixture
def citizen(world):
    return world.citizen(first_name="Karen", last_name="Holm")


def _goal(world, citizen) -> Goal:
    return outcome_services.add_goal(citizen, actor=world.caseworker_of(citizen.team),
                                     goal_type=term("Udvikle funktionsevne"), theme=term("Praktiske opgaver"),
                                     own_words="Lave mad selv", target_date=TODAY + datetime.timedelta(days=90))


# --- invitations ---------------------------------------------------------------------------------


def test_it_keeps_only_digests_of_the_link_and_the_code(world, citizen, assert_audited):
    invitation, token, code = issue(world, citizen)
    assert len(code) == services.CODE_LENGTH and set(code) <= set(services.CODE_ALPHABET)
    assert token not in (invitation.token_digest, invitation.code_digest)
    assert code not in invitation.code_digest
    assert invitation.expires - invitation.issued_at == datetime.timedelta(days=14)
    assert_audited(AuditAction.CREATE, world.users["caseworker"], citizen=citizen, obj=invitation)


def test_only_the_citizens_caseworker_issues_an_invitation(world, citizen):
    for persona in ("outsider", "centre_staff", "leader", "citizen", "admin"):
        with pytest.raises(permissions.NotInScope):
            services.issue_invitation(citizen, actor=world.users[persona])
    assert not Invitation.objects.exists()


def test_a_new_invitation_revokes_the_open_one(world, citizen):
    first, token, _code = issue(world, citizen)
    issue(world, citizen)
    first.refresh_from_db()
    assert first.state() == InvitationState.REVOKED
    assert services.redeem(token, _code, ip="10.0.0.1").refused == InvitationState.REVOKED


def test_the_citizen_redeems_an_invitation_once_and_gets_a_citizen_account(world, citizen):
    invitation, token, code = issue(world, citizen)
    result = services.redeem(token, f"{code[:4].lower()}-{code[4:]}", ip="10.0.0.1")  # typed as handed over
    user = result.user
    assert user is not None and user.role == Role.CITIZEN and not user.has_usable_password()
    assert (user.first_name, user.last_name) == ("", "")  # the name lives on the record, which retention clears
    assert CitizenAccount.objects.get(user=user).citizen == citizen
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    entry = AuditEntry.objects.filter(actor=user, object_type="helm.invitation").get()
    assert entry.citizen_id == citizen.pk and "Invitation brugt" in entry.summary
    # A second use, even with the right code, is refused and audited.
    again = services.redeem(token, code, ip="10.0.0.1")
    assert again.user is None and again.refused == InvitationState.USED
    assert AuditEntry.objects.filter(action=AuditAction.REFUSED, citizen_id=citizen.pk,
                                     summary__contains="allerede brugt").exists()
    # A later invitation opens the same account.
    _i, token2, code2 = issue(world, citizen)
    assert services.redeem(token2, code2, ip="10.0.0.1").user == user


def test_an_expired_or_revoked_invitation_is_refused_and_audited(world, citizen):
    invitation, token, code = issue(world, citizen)
    Invitation.objects.filter(pk=invitation.pk).update(expires=timezone.now() - datetime.timedelta(minutes=1),
                                                       issued_at=timezone.now() - datetime.timedelta(days=15))
    assert services.redeem(token, code, ip="10.0.0.2").refused == InvitationState.EXPIRED
    assert AuditEntry.objects.filter(action=AuditAction.REFUSED, citizen_id=citizen.pk,
                                     summary__contains="udløbet").exists()

    invitation, token, code = issue(world, citizen)
    services.revoke_invitation(invitation.pk, actor=world.users["caseworker"])
    assert services.redeem(token, code, ip="10.0.0.2").refused == InvitationState.REVOKED
    assert AuditEntry.objects.filter(action=AuditAction.REFUSED, citizen_id=citizen.pk,
                                     summary__contains="tilbagekaldt").exists()
    assert not CitizenAccount.objects.exists()


def test_only_the_citizens_caseworker_revokes(world, citizen):
    invitation, _token, _code = issue(world, citizen)
    with pytest.raises(permissions.NotInScope):
        services.revoke_invitation(invitation.pk, actor=world.users["outsider"])
    invitation.refresh_from_db()
    assert invitation.state() == InvitationState.OPEN


@override_settings(HELM_CODE_ATTEMPTS=3)
def test_wrong_codes_block_the_invitation(world, citizen):
    invitation, token, code = issue(world, citizen)
    assert services.redeem(token, "AAAAAAAA", ip="10.0.0.3").refused == "code"
    assert services.redeem(token, "AAAAAAAB", ip="10.0.0.3").refused == "code"
    assert services.redeem(token, "AAAAAAAC", ip="10.0.0.3").refused == InvitationState.BLOCKED
    # Blocked: the right code no longer works either.
    assert services.redeem(token, code, ip="10.0.0.3").refused == InvitationState.BLOCKED
    failed = AuditEntry.objects.filter(citizen_id=citizen.pk, action=AuditAction.LOGIN_FAILED)
    assert failed.count() == 2 and all(e.after["ip"] == "10.0.0.3" for e in failed)
    assert AuditEntry.objects.filter(citizen_id=citizen.pk, action=AuditAction.LOCKED).exists()


@override_settings(HELM_ADDRESS_ATTEMPTS=2)
def test_an_address_that_tries_too_much_is_throttled(world, citizen):
    _invitation, token, code = issue(world, citizen)
    services.redeem("no-such-link", "ABCDEFGH", ip="10.0.0.4")
    services.redeem(token, "ABCDEFGH", ip="10.0.0.4")
    assert services.redeem(token, code, ip="10.0.0.4").refused == "address"
    assert AuditEntry.objects.filter(action=AuditAction.LOCKED, summary__contains="10.0.0.4").exists()
    # Another address is not held back, and the invitation still works there.
    assert services.redeem(token, code, ip="10.0.0.5").user is not None


def test_an_unknown_link_is_refused_and_audited(world):
    assert services.redeem("x" * 43, "ABCDEFGH", ip="10.0.0.6").refused == "unknown"
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, summary__contains="ukendt link").exists()


# --- the citizen's scope ---------------------------------------------------------------------------


def test_a_citizens_scope_is_exactly_themselves(world, citizen):
    user = world.users["citizen"]
    other = world.citizen(first_name="Anden")
    assert not Citizen.objects.filter(permissions.citizen_scope(user, "view")).exists()  # not linked yet
    link(user, citizen)
    for action, expected in (("view", [citizen.pk]), ("self_report", [citizen.pk]), ("record", []), ("change", []),
                             ("export", [])):
        assert list(Citizen.objects.filter(permissions.citizen_scope(user, action)).values_list("pk", flat=True)) \
            == expected, action
    with pytest.raises(permissions.NotInScope):
        citizen_services.get_citizen(user, other.pk)
    assert citizen_services.get_citizen(user, citizen.pk) == citizen


def test_a_citizen_cannot_use_the_staffs_recording_services(world, citizen):
    """The citizen reports on their own record (SELF_REPORT) but does not record as staff do: a goal
    or an action-plan step written by the citizen's account is refused by the gate itself, not
    only by the middleware that keeps the citizen off the staff pages."""
    from roret.outcomes import services as outcome_services
    from tests.factories import term

    user = world.users["citizen"]
    link(user, citizen)
    with pytest.raises(permissions.NotInScope):
        outcome_services.add_goal(citizen, actor=user, goal_type=term("Udvikle funktionsevne"),
                                  theme=term("Praktiske opgaver"), own_words="Et mål",
                                  target_date=datetime.date.today() + datetime.timedelta(days=30))
    assert not citizen.goals.exists()


def test_a_staff_user_has_no_own_citizen(world):
    assert permissions.own_citizen_id(world.users["caseworker"]) is None
    with pytest.raises(permissions.NotInScope):
        services.own_citizen(world.users["caseworker"])


# --- what the citizen enters ---------------------------------------------------------------------


def test_a_self_reported_who5_is_marked_and_audited_as_the_citizens(world, citizen):
    user = world.users["citizen"]
    link(user, citizen)
    measurement = outcome_services.record_measurement(citizen, "WHO-5", [3, 3, 4, 2, 3], actor=user)
    assert measurement.self_reported and measurement.recorded_by == user and measurement.score == 60
    entry = AuditEntry.objects.get(object_type="outcomes.measurement", object_id=str(measurement.pk))
    assert entry.actor == user and entry.actor_role == Role.CITIZEN and entry.after["self_reported"] is True
    staff = outcome_services.record_measurement(citizen, "WHO-5", [3, 3, 3, 3, 3], actor=world.users["caseworker"])
    assert not staff.self_reported


def test_a_citizen_rates_their_own_goal_only(world, citizen):
    user = world.users["citizen"]
    link(user, citizen)
    goal = _goal(world, citizen)
    other_goal = _goal(world, world.citizen(first_name="Anden"))
    rating = services.rate_goal(goal.pk, actor=user, rating="7", went_well="Jeg har lavet mad to gange",
                                matters_now="At handle ind")
    assert (rating.rating, rating.entered_by, rating.citizen_id) == (7, user, citizen.pk)
    entry = AuditEntry.objects.get(object_type="helm.goalrating")
    assert entry.actor == user and "indtastet af borgeren" in entry.summary
    with pytest.raises(permissions.NotInScope):
        services.rate_goal(other_goal.pk, actor=user, rating=5)
    for bad in ("0", "11", "", "syv"):
        with pytest.raises(services.HelmError):
            services.rate_goal(goal.pk, actor=user, rating=bad)
    assert GoalRating.objects.count() == 1


def test_a_citizen_comments_on_the_plan_and_says_whether_they_agree(world, citizen):
    user = world.users["citizen"]
    link(user, citizen)
    response = services.respond_to_plan(citizen, actor=user, comment="Jeg vil gerne starte senere", agrees=False)
    assert response.agrees is False and response.entered_by == user
    assert AuditEntry.objects.filter(actor=user, object_type="helm.planresponse",
                                     summary__contains="ikke enig").exists()
    with pytest.raises(services.HelmError):
        services.respond_to_plan(citizen, actor=user, comment="  ", agrees=None)
    with pytest.raises(permissions.NotInScope):
        services.respond_to_plan(world.citizen(first_name="Anden"), actor=user, comment="Hej", agrees=True)
    with pytest.raises(permissions.NotInScope):  # the citizen records; they do not change the case
        citizen_services.update_citizen(citizen, actor=user, address="Andetsteds 2")
    assert PlanResponse.objects.count() == 1


def test_the_access_log_shows_others_doings_on_the_own_record_only(world, citizen):
    user = world.users["citizen"]
    link(user, citizen)
    other = world.citizen(first_name="Anden")
    citizen_services.get_citizen(world.users["caseworker"], citizen.pk)
    citizen_services.get_citizen(world.users["caseworker"], other.pk)
    citizen_services.get_citizen(user, citizen.pk)  # the citizen's own look is not listed
    log = list(services.access_log(user, citizen))
    assert log and all(e.citizen_id == citizen.pk and e.actor != user for e in log)
    assert any(e.actor == world.users["caseworker"] and e.action == "view" for e in log)


# --- the pages -----------------------------------------------------------------------------------


def test_a_citizen_reaches_only_their_own_pages(world, citizen, client):
    user = world.users["citizen"]
    link(user, citizen)
    other = world.citizen(first_name="Anden")
    client.force_login(user)
    assert client.get("/me/").status_code == 200
    assert client.get("/").url == "/me/"
    for path in (f"/citizens/{other.pk}/", f"/citizens/{citizen.pk}/", f"/outcomes/citizens/{citizen.pk}/",
                 f"/me/citizens/{citizen.pk}/invitations/", "/account/", "/api/v1/offers", "/admin/", "/users/"):
        assert client.get(path).status_code == 404, path


def test_the_pages_walk_the_citizens_path(world, citizen, client):
    """Redeem on the page, answer WHO-5, rate a goal, comment on the plan: each audited as the citizen's."""
    goal = _goal(world, citizen)
    _invitation, token, code = issue(world, citizen)
    page = client.get(f"/me/invitation/{token}/")
    assert page.status_code == 200 and "Din kode" in page.content.decode()
    assert "Koden er ikke rigtig" in client.post(f"/me/invitation/{token}/", {"code": "ZZZZZZZZ"}).content.decode()
    assert client.post(f"/me/invitation/{token}/", {"code": code}).url == "/me/"
    user = CitizenAccount.objects.get(citizen=citizen).user
    assert client.post("/me/wellbeing/", {"instrument": "WHO-5", **{f"item_{n}": "4" for n in range(1, 6)}}).url == "/me/"
    assert Measurement.objects.get(citizen=citizen).self_reported
    assert client.post(f"/me/goals/{goal.pk}/", {"rating": "8", "went_well": "Godt"}).url == "/me/"
    assert client.post("/me/plan/", {"agrees": "yes", "comment": "Fint"}).url == "/me/plan/"
    home = client.get("/me/").content.decode()
    assert "Lave mad selv" in home and "8 ud af 10" in home
    log = client.get("/me/access-log/").content.decode()
    assert "Caseworker" in log or "Sagsbehandler" in log
    assert AuditEntry.objects.filter(actor=user, action="create").count() == 3


def test_a_signed_in_staff_member_cannot_redeem_on_their_screen(world, citizen, client):
    _invitation, token, code = issue(world, citizen)
    client.force_login(world.users["caseworker"])
    assert client.post(f"/me/invitation/{token}/", {"code": code}).status_code == 403
    assert not CitizenAccount.objects.exists()


def test_the_caseworker_sees_the_code_once(world, citizen, client):
    client.force_login(world.users["caseworker"])
    assert client.post(f"/me/citizens/{citizen.pk}/invitations/").status_code == 302
    first = client.get(f"/me/citizens/{citizen.pk}/invitations/").content.decode()
    assert 'id="invitation-code"' in first and "/me/invitation/" in first
    again = client.get(f"/me/citizens/{citizen.pk}/invitations/").content.decode()
    assert 'id="invitation-code"' not in again


def test_the_staff_goals_page_shows_the_citizens_own_view_beside_theirs(world, citizen, client):
    user = world.users["citizen"]
    link(user, citizen)
    goal = _goal(world, citizen)
    services.rate_goal(goal.pk, actor=user, rating=6, went_well="Jeg har lavet suppe", matters_now="Indkøb")
    services.respond_to_plan(citizen, actor=user, comment="Jeg vil gerne have mere tid", agrees=False)
    outcome_services.record_measurement(citizen, "WHO-5", [2, 2, 2, 2, 2], actor=user)
    client.force_login(world.users["caseworker"])
    page = client.get(f"/outcomes/citizens/{citizen.pk}/").content.decode()
    assert "Borgerens egen vurdering" in page and "6/10" in page and "Jeg har lavet suppe" in page
    assert "ikke enig" in page and "Jeg vil gerne have mere tid" in page
    assert "selvrapporteret" in page


def test_retention_clears_what_the_citizen_wrote_and_deletes_the_invitations(world, citizen):
    from roret.citizens import retention
    from roret.core.retention import Policy

    user = world.users["citizen"]
    link(user, citizen)
    goal = _goal(world, citizen)
    services.rate_goal(goal.pk, actor=user, rating=4, went_well="Min søster hjalp", matters_now="Min hund")
    services.respond_to_plan(citizen, actor=user, comment="Jeg bor hos min mor nu", agrees=None)
    issue(world, citizen)
    retention.anonymise(citizen.pk, TODAY, Policy.from_settings(TODAY + datetime.timedelta(days=3000)))
    rating = GoalRating.objects.get()
    assert (rating.went_well, rating.matters_now, rating.rating) == (retention.REDACTED, retention.REDACTED, 4)
    assert PlanResponse.objects.get().comment == retention.REDACTED
    assert not Invitation.objects.exists()


# --- ending the citizen's sessions ---------------------------------------------------------------


def _signed_in_citizen(world, citizen):
    from tests.clients import SecondFactorClient

    _invitation, token, code = issue(world, citizen)
    browser = SecondFactorClient()
    response = browser.post(f"/me/invitation/{token}/", {"code": code})
    assert response.status_code == 302 and browser.get("/me/").status_code == 200
    return browser


def test_the_caseworker_logs_the_citizen_out_on_every_device_audited(world, citizen, client, assert_audited):
    tablet, phone = _signed_in_citizen(world, citizen), None
    account = CitizenAccount.objects.get(citizen=citizen)
    phone = _signed_in_again(account.user)
    assert phone.get("/me/").status_code == 200
    client.force_login(world.users["caseworker"])
    page = client.get(f"/me/citizens/{citizen.pk}/invitations/").content.decode()
    assert 'id="end-sessions"' in page and "Log borgeren ud" in page
    response = client.post(f"/me/citizens/{citizen.pk}/log-out/", follow=True)
    assert "Borgeren er logget ud af sin egen side på alle enheder." in response.content.decode()
    for browser in (tablet, phone):
        assert browser.get("/me/").status_code == 302          # signed out: to the login page
    assert_audited(AuditAction.CHANGE, world.users["caseworker"], citizen=citizen, obj=account.user)
    assert client.get("/").status_code == 200                   # the caseworker's own session goes on


def _signed_in_again(user):
    from tests.clients import SecondFactorClient

    browser = SecondFactorClient()
    browser.force_login(user)
    return browser


def test_only_the_citizens_caseworker_logs_them_out(world, citizen):
    _signed_in_citizen(world, citizen)
    generation = CitizenAccount.objects.get(citizen=citizen).user.session_generation
    for persona in ("outsider", "centre_staff", "leader", "citizen", "admin"):
        with pytest.raises(permissions.NotInScope):
            services.end_citizen_sessions(citizen, actor=world.users[persona])
    assert CitizenAccount.objects.get(citizen=citizen).user.session_generation == generation
    other = world.citizen(first_name="Aldrig")
    assert services.end_citizen_sessions(other, actor=world.users["caseworker"]) is False   # never signed in


def test_revoking_an_invitation_offers_to_log_the_citizen_out_too(world, citizen, client):
    tablet = _signed_in_citizen(world, citizen)
    open_one, _token, _code = issue(world, citizen)
    client.force_login(world.users["caseworker"])
    page = client.get(f"/me/citizens/{citizen.pk}/invitations/").content.decode()
    assert "Tilbagekald og log borgeren ud" in page
    client.post(f"/me/invitations/{open_one.pk}/revoke/", {"logout": "1"})
    open_one.refresh_from_db()
    assert open_one.state() == InvitationState.REVOKED
    assert tablet.get("/me/").status_code == 302
    assert AuditEntry.objects.filter(citizen_id=citizen.pk, summary__contains="invitationen blev tilbagekaldt").exists()
