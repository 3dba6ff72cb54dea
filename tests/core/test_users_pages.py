"""The administrator's users page: every form with bad input answers with a message that names the
field, no server error, and nothing written; a double submit writes once; other roles are refused."""

import re

import pytest

from roret.core.models import AuditEntry, Role, User
from tests.factories import PASSWORD
from tests.url_roles import PERSONAS

STRONG = "Rorpind-og-Kompas-42"


@pytest.fixture
def admin_client(world, client):
    assert client.login(username="admin", password=PASSWORD)
    return client


def state():
    return list(User.objects.order_by("pk").values()), AuditEntry.objects.count()


def text(response) -> str:
    """The page's visible text, tags removed, whitespace folded."""
    folded = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    return folded.replace(" :", ":")


def refused(client, url, data, *, field, says):
    """Post ``data``: 400, the error summary names ``field`` with ``says``, nothing written."""
    before = state()
    response = client.post(url, data)
    assert response.status_code == 400, response.status_code
    page = text(response)
    assert "Intet blev gemt" in page
    assert f"{field}: " in page and says in page, page[page.find("Intet blev gemt"):][:600]
    assert state() == before
    return response


def new_user(**extra):
    return {"username": "jens", "first_name": "Jens", "last_name": "Hansen", "email": "jens@kommune.dk",
            "role": "caseworker", "team": "", "centre": "", "password1": STRONG, "password2": STRONG,
            "reason": "", **extra}


def test_the_list_shows_users_with_role_team_centre_and_status(world, admin_client):
    world.users["committee"].is_active = False
    world.users["committee"].save()
    page = text(admin_client.get("/users/"))
    assert "Caseworker" in page and "Team Nord" in page and "Center A" in page
    assert "Committee" not in page  # deactivated users are under "Deaktiveret"
    assert "Committee" in text(admin_client.get("/users/?status=inactive"))
    only = text(admin_client.get("/users/?role=economist&status=all"))
    assert "Economist" in only and "Caseworker" not in only


def test_creating_a_user(world, admin_client):
    response = admin_client.post("/users/new/", new_user(team=world.team.pk, reason="Ny på Team Nord"))
    user = User.objects.get(username="jens")
    assert response.status_code == 302 and response["Location"] == f"/users/{user.pk}/"
    assert (user.role, user.team, user.is_active) == (Role.CASEWORKER, world.team, True)
    entry = AuditEntry.objects.get(object_type="core.user", object_id=str(user.pk))
    assert entry.after["team"] == world.team.pk and entry.reason == "Ny på Team Nord"
    assert "jens" in text(admin_client.get(f"/users/{user.pk}/"))


@pytest.mark.parametrize(("data", "field", "says"), [
    ({"team": ""}, "Team", "skal høre til et team"),
    ({"role": "centre_staff", "team": ""}, "Center", "skal høre til et center"),
    ({"username": ""}, "Brugernavn", "påkrævet"),
    ({"password2": "noget-andet-helt"}, "Adgangskode igen", "ikke ens"),
    ({"password1": "kort", "password2": "kort"}, "Adgangskode", "for kort"),
    ({"password1": "12345678901234", "password2": "12345678901234"}, "Adgangskode", "numerisk"),
    ({"email": "ikke-en-adresse"}, "E-mail", "gyldig e-mail"),
    ({"role": "chief"}, "Rolle", "gyldig valgmulighed"),
    ({"team": "999999"}, "Team", "gyldig valgmulighed"),
    ({"team": "et team"}, "Team", "gyldig valgmulighed"),
])
def test_creating_a_user_with_bad_input_names_the_field(world, admin_client, data, field, says):
    refused(admin_client, "/users/new/", new_user(**{"team": world.team.pk, **data}), field=field, says=says)


def test_a_double_submit_creates_one_user(world, admin_client):
    data = new_user(team=world.team.pk)
    assert admin_client.post("/users/new/", data).status_code == 302
    refused(admin_client, "/users/new/", data, field="Brugernavn", says="er optaget")
    assert User.objects.filter(username="jens").count() == 1


def test_changing_access_with_a_reason(world, admin_client):
    staff = world.users["centre_staff"]
    response = admin_client.post(f"/users/{staff.pk}/access/", {
        "access-role": "centre_leader", "access-team": "", "access-centre": world.centre.pk,
        "access-reason": "Ny centerleder fra 1. marts"})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.role == Role.CENTRE_LEADER
    page = text(admin_client.get(f"/users/{staff.pk}/"))
    assert "Adgang ændret: centre_staff (Centerleder, Center A) (rolle)" in page
    assert "Ny centerleder fra 1. marts" in page


@pytest.mark.parametrize(("data", "field", "says"), [
    ({"access-reason": ""}, "Begrundelse", "påkrævet"),
    ({"access-reason": "fordi"}, "Begrundelse", "mindst 10 tegn"),
    ({"access-role": "caseworker"}, "Team", "skal høre til et team"),
    ({"access-centre": ""}, "Center", "skal høre til et center"),
    ({"access-centre": "999999"}, "Center", "gyldig valgmulighed"),
])
def test_changing_access_with_bad_input_names_the_field(world, admin_client, data, field, says):
    staff = world.users["centre_staff"]
    good = {"access-role": "centre_leader", "access-team": "", "access-centre": world.centre.pk,
            "access-reason": "Ny centerleder fra 1. marts"}
    refused(admin_client, f"/users/{staff.pk}/access/", {**good, **data}, field=field, says=says)


def test_a_double_submit_of_an_access_change_writes_once(world, admin_client):
    staff = world.users["centre_staff"]
    data = {"access-role": "centre_leader", "access-centre": world.centre.pk,
            "access-reason": "Ny centerleder fra 1. marts"}
    assert admin_client.post(f"/users/{staff.pk}/access/", data).status_code == 302
    refused(admin_client, f"/users/{staff.pk}/access/", data, field="Rolle", says="intet at ændre")
    assert AuditEntry.objects.filter(object_type="core.user", object_id=str(staff.pk)).count() == 1


def test_deactivating_and_reactivating(world, admin_client):
    target = world.users["committee"]
    url = f"/users/{target.pk}/active/"
    assert admin_client.post(url, {"active-active": "0", "active-reason": "Udtrådt af udvalget"}).status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    page = admin_client.post(url, {"active-active": "0", "active-reason": "Udtrådt af udvalget"})
    assert page.status_code == 400 and "allerede deaktiveret" in text(page)
    assert admin_client.post(url, {"active-active": "1", "active-reason": "Genvalgt til udvalget"}).status_code == 302
    target.refresh_from_db()
    assert target.is_active


def test_deactivating_without_a_reason_or_with_a_tampered_form_writes_nothing(world, admin_client):
    url = f"/users/{world.users['committee'].pk}/active/"
    refused(admin_client, url, {"active-active": "0", "active-reason": ""}, field="Begrundelse", says="påkrævet")
    before = state()
    response = admin_client.post(url, {"active-active": "maybe", "active-reason": "Udtrådt af udvalget"})
    assert response.status_code == 400 and "gyldig valgmulighed" in text(response)
    assert state() == before


def test_the_administrator_does_not_deactivate_themselves(world, admin_client):
    admin = world.users["admin"]
    response = admin_client.post(f"/users/{admin.pk}/active/", {"active-active": "0",
                                                                "active-reason": "Fratrådt stillingen"})
    assert response.status_code == 400 and "deaktivere dig selv" in text(response)
    admin.refresh_from_db()
    assert admin.is_active


def test_setting_a_password(world, admin_client, client):
    target = world.users["economist"]
    url = f"/users/{target.pk}/password/"
    refused(admin_client, url, {"password-password1": STRONG, "password-password2": STRONG + "x",
                                "password-reason": "Glemt adgangskoden"}, field="Adgangskode igen", says="ikke ens")
    refused(admin_client, url, {"password-password1": STRONG, "password-password2": STRONG, "password-reason": ""},
            field="Begrundelse", says="påkrævet")
    refused(admin_client, url, {"password-password1": "Economist-1", "password-password2": "Economist-1",
                                "password-reason": "Glemt adgangskoden"}, field="Adgangskode", says="for kort")
    assert admin_client.post(url, {"password-password1": STRONG, "password-password2": STRONG,
                                   "password-reason": "Glemt adgangskoden"}).status_code == 302
    target.refresh_from_db()
    assert target.check_password(STRONG)


def test_a_user_that_does_not_exist_answers_404(world, admin_client):
    for path in ("/users/999999/", "/users/999999/access/", "/users/999999/active/"):
        assert admin_client.post(path, {"access-role": "economist", "access-reason": "Ny rolle i afdelingen"}
                                 ).status_code == 404


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ("anonymous", "admin")])
def test_other_roles_cannot_post_the_forms(world, client, persona):
    client.login(username=persona, password=PASSWORD)
    target = world.users["committee"]
    before = state()
    posts = {
        "/users/new/": new_user(team=world.team.pk),
        f"/users/{target.pk}/access/": {"access-role": "admin", "access-reason": "Giver mig selv adgang"},
        f"/users/{target.pk}/active/": {"active-active": "0", "active-reason": "Slår brugeren fra nu"},
        f"/users/{target.pk}/password/": {"password-password1": STRONG, "password-password2": STRONG,
                                          "password-reason": "Ny adgangskode til mig"},
    }
    for url, data in posts.items():
        # A citizen signed in to their own page is confined to it (roret.helm): 404 elsewhere.
        assert client.post(url, data).status_code == (404 if persona == "citizen" else 403), url
    assert state() == before


def test_citizens_own_accounts_are_not_listed_or_managed_as_staff(world, admin_client):
    """A citizen's own account (roret.helm) has no password and no role to change: the users page
    leaves it out (and says how many there are), its page answers 404, and no form changes it."""
    from roret.core import services
    from roret.core.permissions import NotInScope
    from roret.helm.models import CitizenAccount

    citizen = world.citizen(first_name="Karen")
    account = CitizenAccount.objects.create(user=world.users["citizen"], citizen=citizen)
    page = admin_client.get("/users/")
    assert page.status_code == 200
    html = page.content.decode()
    rows = html[html.index('id="users"'):html.index("</table>", html.index('id="users"'))]
    assert ">citizen<" not in rows and "caseworker" in rows
    assert 'id="citizen-accounts"' in html and "1 borger har en konto til sin egen side" in html
    assert f'value="{Role.CITIZEN}"' not in html                  # not a role to filter staff by
    assert admin_client.get(f"/users/{account.user.pk}/").status_code == 404
    before = state()
    admin_client.post(f"/users/{account.user.pk}/password/", {"password-password1": STRONG,
                                                              "password-password2": STRONG, "password-reason": "x"})
    assert state() == before
    with pytest.raises(NotInScope):
        services.set_password(account.user, actor=world.users["admin"], password=STRONG, reason="Glemt")
    with pytest.raises(Exception, match="invitation"):
        services.change_access(world.users["caseworker"], actor=world.users["admin"], role=Role.CITIZEN,
                               reason="Forkert rolle valgt ved en fejl")
    create = admin_client.get("/users/new/").content.decode()
    assert f'value="{Role.CITIZEN}"' not in create
