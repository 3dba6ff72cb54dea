"""Personas and the common access profiles used by each app's tests/<app>/url_access.py."""

from dataclasses import dataclass

PERSONAS = ["anonymous", "caseworker", "centre_staff", "centre_leader", "economist", "committee", "admin",
            "outsider", "leader", "citizen"]
LOGIN = 302
# The citizen persona is a citizen signed in to their own page (roret.helm; another citizen than the
# walker's). roret.helm.middleware confines a citizen to their own pages, so every URL answers them
# 404 but those a module lists in CITIZEN_EXPECTED (tests/test_url_walker.py): a new staff page needs
# no entry for them.
CITIZEN_ELSEWHERE = 404
CASE = {"anonymous": LOGIN, "caseworker": 200, "centre_staff": 200, "centre_leader": 200, "economist": 403,
        "committee": 403, "admin": 403, "outsider": 200, "leader": 403}
# The department leader sees every aggregate, unsuppressed.
AGGREGATE = {**CASE, "economist": 200, "committee": 200, "leader": 200}
ANY_USER = {p: 200 for p in PERSONAS} | {"anonymous": LOGIN}
ADMIN_ONLY = {p: 403 for p in PERSONAS} | {"anonymous": LOGIN, "admin": 200}
EVERYONE = {p: 200 for p in PERSONAS}
# The walker's citizen is in the caseworker's caseload and placed in the centre's residential
# offer; the outsider (another team) gets 404, not 403, so a record's existence is not revealed.
CITIZEN = {**CASE, "outsider": 404}
# The record pages the department leader reads (every citizen, read-only).
CITIZEN_READ = {**CITIZEN, "leader": 200}


def api(profile: dict) -> dict:
    """The same profile for an API endpoint: anonymous gets 401 instead of a login redirect."""
    return {**profile, "anonymous": 401}


# --- POSTs ---------------------------------------------------------------------------------------
# Each app declares in tests/<app>/url_access.py, as POSTS = {url name: writes(...) or reads(...)},
# the POST of every URL that takes one: every page with a POST form and every API endpoint with an
# unsafe method (the walker fails on one that is not declared). A body is form data, or JSON for the
# API (json=True), or a callable that builds it from the walker's ids: ids -> dict.


@dataclass(frozen=True)
class Post:
    body: object = None                 # dict, or callable(ids) -> dict; None: an empty POST only
    writers: frozenset | None = None    # the personas whose POST writes; None: a POST that only reads
    json: bool = False
    method: str = "post"

    def data(self, ids: dict) -> dict:
        return self.body(ids) if callable(self.body) else dict(self.body or {})


def writes(body, *writers: str, json: bool = False, method: str = "post") -> Post:
    """A POST that writes when one of ``writers`` sends ``body`` (a valid one: the walker asserts the
    database changed, so a missing gate would show) and is refused for everyone else, changing nothing."""
    unknown = set(writers) - set(PERSONAS)
    assert not unknown, f"unknown personas {unknown}"
    return Post(body=body, writers=frozenset(writers), json=json, method=method)


def reads(body=None, *, json: bool = False) -> Post:
    """A POST that changes nothing in the database for anyone (a search, logging in or out, the language)."""
    return Post(body=body, json=json)


def exports(*personas: str) -> Post:
    """A download audited as an export. The view answers a POST as it answers a GET, so a POST by one
    of ``personas`` exports (an audit row); everyone else is refused and nothing is written."""
    return writes({}, *personas)
