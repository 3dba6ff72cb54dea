import datetime

from tests.url_roles import CASE, CITIZEN, CITIZEN_READ, api, exports, reads, writes

POST_ONLY = {**CITIZEN, "caseworker": 405, "centre_staff": 403, "centre_leader": 403, "outsider": 405}

EXPECTED = {
    "citizens:search": {**CASE, "leader": 200},
    "citizens:detail": CITIZEN_READ,
    "citizens:access_log": {**CITIZEN, "centre_staff": 403, "centre_leader": 403},
    # POST-only: a GET by someone who may post answers 405.
    "citizens:add_relative": {**POST_ONLY},
    "citizens:add_consent": {**POST_ONLY},
    "citizens:withdraw_consent": {**POST_ONLY},
    "api:search_citizens": api(CASE),
    "api:get_citizen": api(CITIZEN),
}
# The API's search is a POST with a JSON body (a CPR number never stands in a URL).
POST_JSON = {"api:search_citizens": {"q": "walker"}}

# Only a caseworker of the citizen's team changes relatives and consents (not centre staff).
POSTS = {
    "citizens:search": reads({"q": "walker"}),  # the search form posts, so a CPR number stays out of URLs
    "citizens:add_relative": writes({"name": "Søster Hansen", "relation": "sibling"}, "caseworker"),
    "citizens:add_consent": writes({"subject": "other", "given_on": "2024-02-01", "given_by": "Borgeren"},
                                   "caseworker"),
    "citizens:withdraw_consent": writes({}, "caseworker"),
    "citizens:access_log": exports("caseworker"),  # the printable access log
}


def url_ids(world, citizen) -> dict:
    """A consent of the walker citizen, to withdraw."""
    from roret.citizens import services

    consent = services.record_consent(citizen, actor=world.users["caseworker"], subject="share_providers",
                                      given_on=datetime.date(2024, 1, 1), given_by="Borgeren")
    return {"consent_id": consent.pk}
