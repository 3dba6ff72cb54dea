from tests.url_roles import ADMIN_ONLY, ANY_USER

EXPECTED = {
    "home": ANY_USER,
    "core:audit_log": ADMIN_ONLY,  # roret.front's page, in core's URL namespace
}
