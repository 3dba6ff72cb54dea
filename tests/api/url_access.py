"""The API's writes (roret/api/writes.py): who may write, with a valid JSON body each.

A write on the path of a read (POST /citizens/{id}/inquiries, /goals) shares the read's URL name,
whose GET is declared with its app (tests/visitation, tests/outcomes); the POST-only paths answer a
GET with 405 for everyone."""

import datetime

from tests.url_roles import PERSONAS, writes

TODAY = datetime.date.today()
POST_ONLY = {p: 405 for p in PERSONAS}
RECORDERS = ("caseworker", "centre_staff", "centre_leader")

EXPECTED = {
    "api:screen_inquiry": POST_ONLY,
    "api:decide": POST_ONLY,
    "api:place": POST_ONLY,
    "api:wait_for_offer": POST_ONLY,
    "api:add_note": POST_ONLY,
    "api:record_measurement": POST_ONLY,
    "api:add_step": POST_ONLY,
    "api:hold_follow_up": POST_ONLY,
}
PATH_IDS = {
    "api:place": {"decision_id": "decision_pk"},  # a grant in the day offer, not yet placed (tests/visitation)
    "api:wait_for_offer": {"decision_id": "decision_pk"},
    "api:decide": {"assessment_id": "assessment_pk"},  # the walker citizen's assessment (tests/visitation)
    "api:screen_inquiry": {"inquiry_id": "open_inquiry_pk"},  # an inquiry not yet screened (tests/visitation)
    "api:add_step": {"goal_id": "api_goal_pk"},
    "api:hold_follow_up": {"follow_up_id": "follow_up_pk"},  # the decision's follow-up (tests/visitation)
}


def _assessment(ids) -> dict:
    from tests.visitation.helpers import term

    return {"hopes": "Bo for mig selv", "support_need": term("Moderat støttebehov").code,
            "themes": [{"theme": term("Praktiske opgaver", "theme").code, "level": 2}]}


def _goal(ids) -> dict:
    from tests.factories import term

    return {"goal_type": term("Udvikle funktionsevne").code, "theme": term("Praktiske opgaver").code,
            "own_words": "Handle ind selv", "target_date": (TODAY + datetime.timedelta(days=90)).isoformat()}


# The case (an inquiry, holding a follow-up) is the team's caseworker's; the record (notes, goals,
# steps, measurements) also the staff and leader of the centre the walker citizen lives in.
POSTS = {
    "api:list_inquiries": writes({"source": "relative", "received_on": TODAY.isoformat(), "about": "Ønsker bostøtte",
                                  "paragraph": "SEL85"}, "caseworker", json=True),
    "api:screen_inquiry": writes({"outcome": "in", "reason": "I målgruppen"}, "caseworker", json=True),
    "api:list_assessments": writes(_assessment, "caseworker", json=True),
    "api:decide": writes({"kind": "refusal", "paragraph": "SEL104",
                          "justification": "Behovet dækkes af støtte i eget hjem"}, "caseworker", json=True),
    "api:place": writes(lambda ids: {"offer_id": ids["day_offer_pk"], "start": TODAY.isoformat()}, "caseworker",
                        json=True),
    "api:wait_for_offer": writes(lambda ids: {"offer_id": ids["offer_pk"]}, "caseworker", json=True),
    "api:add_note": writes({"noted_on": TODAY.isoformat(), "category": "phone", "text": "Borgeren ringede."},
                           *RECORDERS, json=True),
    "api:record_measurement": writes({"answers": [3, 3, 2, 4, 1]}, *RECORDERS, json=True),
    "api:list_goals": writes(_goal, *RECORDERS, json=True),
    "api:add_step": writes({"what": "Indkøbsliste", "who": "Kontaktperson",
                            "due_on": (TODAY + datetime.timedelta(days=14)).isoformat()}, *RECORDERS, json=True),
    "api:hold_follow_up": writes({"held_on": TODAY.isoformat(), "outcome": "continue"}, "caseworker", json=True),
}


def url_ids(world, citizen) -> dict:
    """A goal of the walker citizen, for its action plan."""
    from roret.outcomes import services as outcome_services
    from tests.factories import term

    goal = outcome_services.add_goal(citizen, actor=world.users["caseworker"], goal_type=term("Udvikle funktionsevne"),
                                     theme=term("Praktiske opgaver"), own_words="Handle ind selv",
                                     target_date=TODAY + datetime.timedelta(days=100))
    return {"api_goal_pk": goal.pk}
