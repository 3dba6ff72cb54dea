"""The users service (roret.core.services) called as every persona: the administrator creates
users and changes their access with an audit row (before, after, reason); every other role gets
NotInScope and nothing changes. And the rules that keep the gate sound."""

import pytest
from django.core.exceptions import ValidationError

from roret.citizens.models import Citizen
from roret.core import services
from roret.core.models import AuditEntry, Role, User
from roret.core.permissions import NotInScope
from tests.url_roles import PERSONAS

USERS = [p for p in PERSONAS if p != "anonymous"]
REASON = "Flyttet til Team Syd fra 1. marts"
STRONG = "Rorpind-og-Kompas-42"


def snapshot():
    return list(User.objects.order_by("pk").values()), AuditEntry.objects.count()


def user_audit(user):
    return AuditEntry.objects.filter(object_type="core.user", object_id=str(user.pk)).latest("id")


def attempt(persona, call):
    """As the administrator ``call`` succeeds; as anyone else it is refused with nothing written."""
    if persona == "admin":
        return call()
    before = snapshot()
    with pytest.raises(NotInScope):
        call()
    assert snapshot() == before
    return None


def new_caseworker(world, actor, **extra):
    fields = {"username": "jens", "first_name": "Jens", "last_name": "Hansen", "email": "jens@kommune.dk",
              "role": Role.CASEWORKER, "team": world.team, "password": STRONG, "reason": "Ny medarbejder"}
    return services.create_user(actor=actor, **{**fields, **extra})


@pytest.mark.parametrize("persona", USERS)
def test_create_user_as_each_persona(world, persona):
    actor = world.users[persona]
    user = attempt(persona, lambda: new_caseworker(world, actor))
    if user:
        assert user.check_password(STRONG) and user.team == world.team and not user.is_staff
        entry = user_audit(user)
        assert (entry.action, entry.actor, entry.before, entry.reason) == ("create", actor, None, "Ny medarbejder")
        assert entry.after["role"] == "caseworker" and entry.after["team"] == world.team.pk
        assert "password" not in entry.after and STRONG not in str(entry.after)


@pytest.mark.parametrize("persona", USERS)
def test_change_access_as_each_persona(world, persona):
    actor = world.users[persona]
    staff = world.users["centre_staff"]
    changed = attempt(persona, lambda: services.change_access(staff, actor=actor, role=Role.CENTRE_LEADER,
                                                              centre=world.centre, reason=REASON))
    if changed:
        staff.refresh_from_db()
        assert staff.role == Role.CENTRE_LEADER
        entry = user_audit(staff)
        assert (entry.action, entry.reason) == ("change", REASON)
        assert (entry.before["role"], entry.after["role"]) == ("centre_staff", "centre_leader")
        assert entry.before["centre"] == entry.after["centre"] == world.centre.pk


@pytest.mark.parametrize("persona", USERS)
def test_set_active_as_each_persona(world, persona):
    actor = world.users[persona]
    target = world.users["committee"]
    done = attempt(persona, lambda: services.set_active(target, actor=actor, active=False, reason="Udtrådt af udvalget"))
    if done:
        target.refresh_from_db()
        assert not target.is_active
        entry = user_audit(target)
        assert (entry.before, entry.after, entry.reason) == ({"is_active": True}, {"is_active": False},
                                                             "Udtrådt af udvalget")
        services.set_active(target, actor=actor, active=True, reason="Genvalgt til udvalget")
        target.refresh_from_db()
        assert target.is_active and user_audit(target).after == {"is_active": True}


@pytest.mark.parametrize("persona", USERS)
def test_set_password_as_each_persona(world, persona):
    actor = world.users[persona]
    target = world.users["economist"]
    done = attempt(persona, lambda: services.set_password(target, actor=actor, password=STRONG,
                                                          reason="Glemt adgangskode, ringet op"))
    if done:
        target.refresh_from_db()
        assert target.check_password(STRONG)
        entry = user_audit(target)
        assert entry.reason == "Glemt adgangskode, ringet op" and STRONG not in str(entry.after)


def test_an_anonymous_or_deactivated_actor_is_refused(world):
    from django.contrib.auth.models import AnonymousUser

    admin = world.users["admin"]
    with pytest.raises(NotInScope):
        new_caseworker(world, AnonymousUser())
    admin.is_active = False
    admin.save()
    with pytest.raises(NotInScope):
        new_caseworker(world, admin)
    assert not User.objects.filter(username="jens").exists()


# --- the rules ----------------------------------------------------------------------------

def refused_on(field, call):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        call()
    assert field in refused.value.message_dict, refused.value.message_dict
    assert snapshot() == before
    return refused.value.message_dict[field]


def test_a_caseworker_needs_a_team_and_centre_roles_a_centre(world):
    admin = world.users["admin"]
    message = refused_on("team", lambda: new_caseworker(world, admin, team=None))
    assert "team" in message[0]
    message = refused_on("centre", lambda: new_caseworker(world, admin, role=Role.CENTRE_STAFF, team=None))
    assert "centre" in message[0]
    refused_on("team", lambda: services.change_access(world.users["centre_staff"], actor=admin,
                                                      role=Role.CASEWORKER, reason=REASON))
    refused_on("role", lambda: new_caseworker(world, admin, role="chief"))


def test_a_role_keeps_only_the_team_or_centre_it_uses(world):
    admin = world.users["admin"]
    user = new_caseworker(world, admin, role=Role.ECONOMIST, centre=world.centre)
    assert (user.team, user.centre) == (None, None)
    services.change_access(user, actor=admin, role=Role.CENTRE_STAFF, team=world.team, centre=world.centre,
                           reason=REASON)
    user.refresh_from_db()
    assert (user.team, user.centre) == (None, world.centre)


def test_the_password_is_checked_by_djangos_validators(world):
    admin = world.users["admin"]
    refused_on("password", lambda: new_caseworker(world, admin, password="12345678901234"))
    refused_on("password", lambda: new_caseworker(world, admin, password="kort"))
    refused_on("password", lambda: services.set_password(world.users["economist"], actor=admin, password="password123",
                                                         reason=REASON))


def test_user_names_are_unique_whatever_the_case(world):
    admin = world.users["admin"]
    new_caseworker(world, admin)
    refused_on("username", lambda: new_caseworker(world, admin, username="JENS"))
    refused_on("email", lambda: new_caseworker(world, admin, username="jens2", email="ikke-en-adresse"))


def test_a_change_needs_a_reason_and_must_change_something(world):
    admin, staff = world.users["admin"], world.users["centre_staff"]
    refused_on("reason", lambda: services.change_access(staff, actor=admin, role=Role.CENTRE_LEADER,
                                                        centre=world.centre, reason="fordi"))
    refused_on("role", lambda: services.change_access(staff, actor=admin, role=Role.CENTRE_STAFF,
                                                      centre=world.centre, reason=REASON))
    refused_on("reason", lambda: services.set_active(staff, actor=admin, active=False, reason=""))
    services.set_active(staff, actor=admin, active=False, reason=REASON)
    with pytest.raises(ValidationError):
        services.set_active(staff, actor=admin, active=False, reason=REASON)


def test_the_last_administrator_stays(world):
    admin = world.users["admin"]
    with pytest.raises(ValidationError):
        services.set_active(admin, actor=admin, active=False, reason=REASON)
    refused_on("role", lambda: services.change_access(admin, actor=admin, role=Role.ECONOMIST, reason=REASON))
    second = services.create_user(actor=admin, username="admin2", first_name="Anna", last_name="Admin", email="",
                                  role=Role.ADMIN, password=STRONG)
    assert second.is_staff and second.is_superuser
    services.change_access(admin, actor=second, role=Role.ECONOMIST, reason=REASON)
    admin.refresh_from_db()
    assert (admin.role, admin.is_staff, admin.is_superuser) == (Role.ECONOMIST, False, False)


def test_a_deactivated_user_cannot_log_in(world, client):
    from tests.factories import PASSWORD

    services.set_active(world.users["caseworker"], actor=world.users["admin"], active=False, reason=REASON)
    assert not client.login(username="caseworker", password=PASSWORD)


def test_a_new_team_changes_which_citizens_the_gate_lets_through(world):
    mine = world.citizen(first_name="Nord")
    theirs = world.citizen(first_name="Syd", team=world.other_team)
    caseworker = world.users["caseworker"]
    assert list(Citizen.objects.restrict(caseworker, "view")) == [mine]
    services.change_access(caseworker, actor=world.users["admin"], role=Role.CASEWORKER, team=world.other_team,
                           reason=REASON)
    caseworker.refresh_from_db()
    assert list(Citizen.objects.restrict(caseworker, "view")) == [theirs]
