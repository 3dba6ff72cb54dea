"""Personas and the common access profiles used by each app's tests/<app>/url_access.py."""

PERSONAS = ["anonymous", "caseworker", "centre_staff", "centre_leader", "economist", "committee", "admin",
            "outsider"]
LOGIN = 302
CASE = {"anonymous": LOGIN, "caseworker": 200, "centre_staff": 200, "centre_leader": 200, "economist": 403,
        "committee": 403, "admin": 403, "outsider": 200}
AGGREGATE = {**CASE, "economist": 200, "committee": 200}
ANY_USER = {p: 200 for p in PERSONAS} | {"anonymous": LOGIN}
ADMIN_ONLY = {p: 403 for p in PERSONAS} | {"anonymous": LOGIN, "admin": 200}
EVERYONE = {p: 200 for p in PERSONAS}
# The walker's citizen is in the caseworker's caseload and placed in the centre's residential
# offer; the outsider (another team) gets 404, not 403, so a record's existence is not revealed.
CITIZEN = {**CASE, "outsider": 404}


def api(profile: dict) -> dict:
    """The same profile for an API endpoint: anonymous gets 401 instead of a login redirect."""
    return {**profile, "anonymous": 401}
