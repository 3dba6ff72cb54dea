from tests.url_roles import CASE, CITIZEN, api

EXPECTED = {
    "outcomes:due": CASE,
    "outcomes:follow_up": {**CASE, "centre_staff": 403, "centre_leader": 403, "outsider": 404},
    "outcomes:citizen": CITIZEN,
    "outcomes:compliance": CASE,
    "outcomes:instruments": CASE,
    # The API's reads: goals as the goals page, a citizen's follow-ups as the timeline (holding
    # one stays the caseworker's page), follow-ups due as the follow-ups page.
    "api:list_goals": api(CITIZEN),
    "api:list_follow_ups": api(CITIZEN),
    "api:follow_ups_due": api(CASE),
}
