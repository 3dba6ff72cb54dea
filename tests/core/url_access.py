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
    "api:api-root": {p: 404 for p in PERSONAS},  # django-ninja names the bare prefix; no page there
    "api:openapi-json": ANY_USER,  # the schema and the docs are for logged-in users
    "api:openapi-view": ANY_USER,
    "api:list_offers": api(AGGREGATE),
}



def url_ids(world, citizen) -> dict:
    """A user for the users pages (the caseworker), and the team the access change moves them to."""
    return {"user_pk": world.users["caseworker"].pk, "other_team": world.other_team.pk}


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
}
