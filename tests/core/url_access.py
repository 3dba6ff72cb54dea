from tests.url_roles import AGGREGATE, EVERYONE, PERSONAS, api, reads

EXPECTED = {
    "login": EVERYONE,
    "logout": {p: 405 for p in PERSONAS},  # GET is not allowed; logging out is a POST
    "set_language": {p: 302 for p in PERSONAS},  # a GET without "next" redirects back
    "api:api-root": {p: 404 for p in PERSONAS},  # django-ninja names the bare prefix; no page there
    "api:openapi-json": EVERYONE,
    "api:openapi-view": EVERYONE,
    "api:list_offers": api(AGGREGATE),
}

# Logging in (with a wrong password here), out and choosing the language change no record.
POSTS = {
    "login": reads({"username": "caseworker", "password": "not-the-password"}),
    "logout": reads(),
    "set_language": reads({"language": "da", "next": "/"}),
}
