import datetime

from tests.url_roles import CASE, CITIZEN, api, writes

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

TODAY = datetime.date.today()


def _goal(ids) -> dict:
    from tests.visitation.helpers import term

    return {"action": "goal", "goal_type": term("Udvikle funktionsevne").pk, "theme": term("Praktiske opgaver").pk,
            "own_words": "Lave mad selv", "target_date": (TODAY + datetime.timedelta(days=90)).isoformat()}


# Goals, action plans and measurements are recorded by the caseworker and by the staff and leader of
# the centre the citizen lives in; a follow-up meeting is the caseworker's.
POSTS = {
    "outcomes:citizen": writes(_goal, "caseworker", "centre_staff", "centre_leader"),
    "outcomes:follow_up": writes({"held_on": TODAY.isoformat(), "outcome": "continue"}, "caseworker"),
}
