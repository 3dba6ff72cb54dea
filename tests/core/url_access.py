from tests.clients import give_device
from tests.url_roles import ADMIN_ONLY, AGGREGATE, ANY_USER, EVERYONE, PERSONAS, api, reads, writes

EXPECTED = {
    "login": EVERYONE,
    "logout": {p: 405 for p in PERSONAS},  # GET is not allowed; logging out is a POST
    "set_language": {p: 302 for p in PERSONAS},  # a GET without "next" redirects back
    "core:users": ADMIN_ONLY,
    "core:user_create": ADMIN_ONLY,
    "core:user_detail": ADMIN_ONLY,
    # The forms on a user's page answer a GET by going back to the page.
    "core:user_access": {**ADMIN_ONLY, "admin": 302},
    "core:user_active": {**ADMIN_ONLY, "admin": 302},
    "core:user_password": {**ADMIN_ONLY, "admin": 302},
    "core:user_two_factor_reset": {**ADMIN_ONLY, "admin": 302},
    "core:lockout_lift": {p: 405 for p in PERSONAS},  # POST only
    # API tokens: everyone's own under My account; every user's for the administrator.
    "core:api_tokens": ANY_USER,
    "core:api_token_revoke": {p: 405 for p in PERSONAS},  # POST only
    "core:api_tokens_admin": ADMIN_ONLY,
    # The user's own account; the code pages send a user who owes no code (or is verified) on.
    "core:account": ANY_USER,
    "core:logout_everywhere": {p: 405 for p in PERSONAS},  # POST only
    "core:two_factor_verify": {p: 302 for p in PERSONAS},
    "core:two_factor_setup": {**ANY_USER, "admin": 200},
    "api:api-root": {p: 404 for p in PERSONAS},  # django-ninja names the bare prefix; no page there
    "api:openapi-json": ANY_USER,  # the schema and the docs are for logged-in users
    "api:openapi-view": ANY_USER,
    "api:list_offers": api({**AGGREGATE, "admin": 200}),  # as the offers page: the editors read what they keep
}



def url_ids(world, citizen) -> dict:
    """A user for the users pages (the caseworker), and the team the access change moves them to;
    the caseworker has an authenticator to reset, and a former employee's name is locked out after
    failed logins (not a persona's: the walker logs the personas in); the caseworker has an API token
    to revoke."""
    from django.conf import settings
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    give_device(world.users["caseworker"])
    for _ in range(settings.AXES_FAILURE_LIMIT):
        authenticate(RequestFactory().post("/login/", REMOTE_ADDR="10.9.9.9"), username="former_employee",
                     password="wrong")
    from roret.core.api_tokens import create_token

    token = create_token(actor=world.users["caseworker"], name="Walker-script", days=30)
    return {"user_pk": world.users["caseworker"].pk, "other_team": world.other_team.pk, "token_pk": token.row.pk}


PASSWORD = "Langt-og-sikkert-2026!"
# Logging in (with a wrong password here), out and choosing the language change no record; the
# users pages are the administrator's.
POSTS = {
    "login": reads({"username": "caseworker", "password": "not-the-password"}),
    "logout": reads(),
    "set_language": reads({"language": "da", "next": "/"}),
    "core:user_create": writes({"username": "ny_medarbejder", "first_name": "Ny", "last_name": "Medarbejder",
                                "email": "", "role": "economist", "password1": PASSWORD, "password2": PASSWORD,
                                "reason": "Ansat i sekretariatet"}, "admin"),
    "core:user_access": writes(lambda ids: {"access-role": "caseworker", "access-team": ids["other_team"],
                                            "access-reason": "Flyttet til Team Syd fra 1. marts"}, "admin"),
    "core:user_active": writes({"active-active": "0", "active-reason": "Fratrådt med udgangen af måneden"}, "admin"),
    "core:user_password": writes({"password-password1": PASSWORD, "password-password2": PASSWORD,
                                  "password-reason": "Glemt adgangskoden; identitet tjekket pr. telefon"}, "admin"),
    "core:user_two_factor_reset": writes({"reset-reason": "Mistet telefonen; identitet tjekket pr. telefon"}, "admin"),
    "core:lockout_lift": writes({"lift-kind": "username", "lift-value": "former_employee",
                                 "lift-reason": "Ringet op; det var brugeren selv"}, "admin"),
    # Everyone may end their own sessions (audited: a write).
    "core:logout_everywhere": writes({}, *[p for p in PERSONAS if p != "anonymous"]),
    # Everyone may make API tokens of their own; the caseworker's token is revoked by them or the administrator.
    "core:api_tokens": writes({"name": "Rapportscript", "days": "90"}, *[p for p in PERSONAS if p != "anonymous"]),
    "core:api_token_revoke": writes({}, "caseworker", "admin"),
    # A wrong code changes no record.
    "core:two_factor_verify": reads({"token": "000000"}),
    "core:two_factor_setup": reads({"token": "000000"}),
}
