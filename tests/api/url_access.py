"""The API's writes (roret/api/writes.py): who may write, with a valid JSON body each.

A write on the path of a read (POST /citizens/{id}/inquiries, /goals) shares the read's URL name,
whose GET is declared with its app (tests/visitation, tests/outcomes); the POST-only paths answer a
GET with 405 for everyone."""

import datetime

from tests.url_roles import AGGREGATE, CASE, CITIZEN, LOGIN, PERSONAS, api, writes

TODAY = datetime.date.today()
POST_ONLY = {p: 405 for p in PERSONAS}
RECORDERS = ("caseworker", "centre_staff", "centre_leader")
CASEWORKER_CITIZEN = {**CITIZEN, "centre_staff": 403, "centre_leader": 403}
# The steering figures (KPIs, capacity runs, plans): the aggregate roles (economist, centre leader,
# committee, department leader), as their pages.
STEERING = api({p: 403 for p in PERSONAS} | {"anonymous": LOGIN, "economist": 200, "centre_leader": 200,
                                            "committee": 200, "leader": 200})
# The catalogue: whoever reads the offers page (the editors too).
CATALOGUE = api({**AGGREGATE, "admin": 200})

EXPECTED = {
    "api:screen_inquiry": POST_ONLY,
    "api:decide": POST_ONLY,
    "api:place": POST_ONLY,
    "api:wait_for_offer": POST_ONLY,
    "api:add_note": POST_ONLY,
    "api:end_placement": POST_ONLY,
    "api:renegotiate_tariff": POST_ONLY,
    "api:add_tariff": POST_ONLY,
    "api:set_places": POST_ONLY,
    # The reads of the rest of the record have the roles of the pages that show them.
    "api:list_citizens": api({**CASE, "leader": 200}),  # as the citizens page: each their own scope
    "api:list_decisions": api(CASEWORKER_CITIZEN),
    "api:list_grants": api(CITIZEN),
    "api:list_placements": api(CITIZEN),
    "api:list_waiting": api(CITIZEN),
    "api:list_measurements": api(CITIZEN),
    "api:list_steps": api(CITIZEN),
    "api:get_offer": CATALOGUE,
    "api:get_kpis": STEERING,
    "api:list_capacity_runs": STEERING,
    "api:get_capacity_run": STEERING,
    "api:list_plans": STEERING,
    "api:get_plan": STEERING,
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
    "api:end_placement": {"placement_id": "api_placement_pk"},
    "api:renegotiate_tariff": {"placement_id": "api_external_placement_pk"},
    "api:get_offer": {"offer_id": "offer_pk"},
    "api:add_tariff": {"offer_id": "offer_pk"},
    "api:set_places": {"offer_id": "offer_pk"},
    "api:get_capacity_run": {"run_id": "run_pk"},  # tests/capacity
    "api:get_plan": {"plan_id": "plan_pk"},  # tests/plans
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
    "api:list_measurements": writes({"answers": [3, 3, 2, 4, 1]}, *RECORDERS, json=True),
    "api:list_goals": writes(_goal, *RECORDERS, json=True),
    "api:add_step": writes({"what": "Indkøbsliste", "who": "Kontaktperson",
                            "due_on": (TODAY + datetime.timedelta(days=14)).isoformat()}, *RECORDERS, json=True),
    "api:hold_follow_up": writes({"held_on": TODAY.isoformat(), "outcome": "continue"}, "caseworker", json=True),
    "api:end_placement": writes({"end": (TODAY + datetime.timedelta(days=30)).isoformat(), "end_reason": "moved_offer"},
                                "caseworker", json=True),
    "api:renegotiate_tariff": writes({"new_amount": "2900.00", "valid_from": "2023-06-01"}, "caseworker", json=True),
    # The catalogue: the editors create offers and add tariffs; the places also the walker offer's centre leader.
    "api:list_offers": writes(lambda ids: {
        "provider_id": ids["provider_pk"], "name": "Nyt API-tilbud", "legal_basis": "SEL104",
        "offer_type": ids["api_offer_type_code"], "staircase_step": 3,
        "account_function": ids["api_account_function"]}, "economist", "admin", json=True),
    "api:add_tariff": writes({"valid_from": (TODAY + datetime.timedelta(days=30)).isoformat(), "amount": "2500.00",
                              "unit": "day"}, "economist", "admin", json=True),
    "api:set_places": writes({"valid_from": (TODAY + datetime.timedelta(days=30)).isoformat(), "places": 37,
                              "reason": "Udbygning med nye boliger"}, "economist", "admin", "centre_leader", json=True),
}


def url_ids(world, citizen) -> dict:
    """A goal of the walker citizen, for its action plan; the walker's placement (to end) and an
    external placement ended before it (to renegotiate); the walker offer's FFB codes."""
    from roret.outcomes import services as outcome_services
    from tests.factories import term

    goal = outcome_services.add_goal(citizen, actor=world.users["caseworker"], goal_type=term("Udvikle funktionsevne"),
                                     theme=term("Praktiske opgaver"), own_words="Handle ind selv",
                                     target_date=TODAY + datetime.timedelta(days=100))
    external = world.place(citizen, world.external, start=datetime.date(2023, 1, 1), end=datetime.date(2023, 12, 1))
    offer = world.residential
    return {"api_goal_pk": goal.pk, "api_placement_pk": citizen.placements.get(offer=offer).pk,
            "api_external_placement_pk": external.pk, "api_offer_type_code": offer.offer_type.code,
            "api_account_function": offer.account_function}
