from tests.url_roles import CASE, CITIZEN, api

POST_ONLY = {**CITIZEN, "caseworker": 405, "centre_staff": 403, "centre_leader": 403, "outsider": 405}

EXPECTED = {
    "citizens:search": CASE,
    "citizens:detail": CITIZEN,
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
