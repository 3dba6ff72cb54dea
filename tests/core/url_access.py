from tests.url_roles import ADMIN_ONLY, AGGREGATE, ANY_USER, EVERYONE, PERSONAS, api

EXPECTED = {
    "home": ANY_USER,
    "login": EVERYONE,
    "logout": {p: 405 for p in PERSONAS},  # GET is not allowed; logging out is a POST
    "set_language": {p: 302 for p in PERSONAS},  # a GET without "next" redirects back
    "core:audit_log": ADMIN_ONLY,
    "core:users": ADMIN_ONLY,
    "core:user_create": ADMIN_ONLY,
    "core:user_detail": ADMIN_ONLY,
    # The forms on a user's page answer a GET by going back to the page.
    "core:user_access": {**ADMIN_ONLY, "admin": 302},
    "core:user_active": {**ADMIN_ONLY, "admin": 302},
    "core:user_password": {**ADMIN_ONLY, "admin": 302},
    "api:api-root": {p: 404 for p in PERSONAS},  # django-ninja names the bare prefix; no page there
    "api:openapi-json": EVERYONE,
    "api:openapi-view": EVERYONE,
    "api:list_offers": api(AGGREGATE),
}


def url_ids(world, citizen) -> dict:
    """A user for the users pages: the caseworker."""
    return {"user_pk": world.users["caseworker"].pk}
