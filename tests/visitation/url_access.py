import datetime

from tests.url_roles import CASE, CITIZEN, CITIZEN_READ, api, exports, writes

# Caseworker-only pages: centre roles get 403; the outsider (another team) gets 200 on lists of
# their own and 404 on the walker citizen's objects.
CASEWORKER = {**CASE, "centre_staff": 403, "centre_leader": 403}
CASEWORKER_CITIZEN = {**CASEWORKER, "outsider": 404}

EXPECTED = {
    # The department leader reads the case file (the cases, inquiries, decisions) read-only.
    "visitation:cases": {**CASEWORKER, "leader": 200},
    "visitation:inquiry_new": CASEWORKER,
    "visitation:inquiry": {**CASEWORKER_CITIZEN, "leader": 200},
    "visitation:inquiry_take": {**CASEWORKER, "caseworker": 405, "outsider": 405},
    "visitation:assessment_new": CASEWORKER_CITIZEN,
    "visitation:assessment": CITIZEN_READ,
    "visitation:decision_new": CASEWORKER_CITIZEN,
    "visitation:decision": {**CASEWORKER_CITIZEN, "leader": 200},
    "visitation:letter": CASEWORKER_CITIZEN,
    "visitation:timeline": CITIZEN_READ,
    "visitation:fhir": CASEWORKER_CITIZEN,
    "visitation:elderly_care": CASEWORKER_CITIZEN,
    "visitation:transitions": CASEWORKER,
    "visitation:transition": CASEWORKER_CITIZEN,
    # The API's case-flow reads have the roles of the pages that show the same thing.
    "api:list_inquiries": api(CASEWORKER_CITIZEN),
    "api:list_assessments": api(CITIZEN),
    "api:export_fhir": api(CASEWORKER_CITIZEN),
}

# The inquiry page is walked with an inquiry not yet screened (its screening form writes); taking an
# inquiry with one the other team sent to the walker citizen's team, unassigned.
PATH_IDS = {
    "visitation:inquiry": {"inquiry_pk": "open_inquiry_pk"},
    "visitation:inquiry_take": {"inquiry_pk": "routed_inquiry_pk"},
}

TODAY = datetime.date.today().isoformat()


def _new_inquiry(ids) -> dict:
    from tests.factories import make_cpr

    return {"cpr": make_cpr(), "first_name": "Ny", "last_name": "Borger", "source": "relative", "received_on": TODAY,
            "paragraph": "SEL85", "about": "Ønsker støtte i eget hjem"}


def _assessment(ids) -> dict:
    from tests.visitation.helpers import term

    return {"hopes": "Komme ud blandt andre", "support_need": term("Moderat støttebehov").pk}


# Only a caseworker of the walker citizen's team writes to the case; any caseworker registers an
# inquiry about a new citizen (into their own team's caseload).
POSTS = {
    "visitation:inquiry_new": writes(_new_inquiry, "caseworker", "outsider"),
    "visitation:inquiry_take": writes({}, "caseworker"),
    "visitation:inquiry": writes({"outcome": "in", "reason": "I målgruppen", "screened_on": TODAY}, "caseworker"),
    "visitation:assessment_new": writes(_assessment, "caseworker"),
    "visitation:decision_new": writes({"kind": "refusal", "paragraph": "SEL104",
                                       "justification": "Behovet dækkes af støtte i eget hjem"}, "caseworker"),
    "visitation:decision": writes(lambda ids: {"offer": ids["day_offer_pk"], "start": TODAY}, "caseworker"),
    "visitation:transition": writes({"item": "consent", "done": "1"}, "caseworker"),
    # The assessment page's network meeting: inviting a relative (the citizen has consented) is the case's.
    "visitation:assessment": writes(lambda ids: {"action": "invite", "meeting": ids["network_meeting_pk"],
                                                 "relative": ids["relative_pk"]}, "caseworker"),
    "visitation:elderly_care": writes({"on": TODAY}, "caseworker"),
    "visitation:letter": exports("caseworker"),
    "visitation:fhir": exports("caseworker"),
}


def url_ids(world, citizen) -> dict:
    """The walker citizen's case: inquiry, screening, assessment, decision (grant with its
    follow-up) and a transition, made with the real services; an open inquiry, and one the other
    team registered by the citizen's CPR number (sent to the walker citizen's team, unassigned)."""
    from roret.citizens import services as citizen_services
    from roret.visitation import services
    from roret.visitation.models import Inquiry
    from tests.visitation.helpers import term, theme_id

    cw = world.users["caseworker"]
    today = datetime.date.today()
    inquiry = services.register_inquiry(actor=cw, citizen=citizen, source="relative", received_on=today,
                                        about="Ønsker aktivitetstilbud", paragraph="SEL104")
    services.screen(inquiry, actor=cw, outcome="in", reason="I målgruppen")
    assessment = services.assess(citizen, actor=cw, inquiry=inquiry, hopes="Komme ud blandt andre",
                                 support_need=term("Moderat støttebehov"), levels={theme_id("Relationer"): 2},
                                 meeting={"held_on": today, "notes": "Netværksmøde med familien"})
    relative = citizen_services.add_relative(citizen, actor=cw, name="Walker Søster", relation="sibling")
    citizen_services.record_consent(citizen, actor=cw, subject="network_meeting", given_on=today,
                                    given_by="Borgeren")
    decision = services.decide(citizen, actor=cw, kind="grant", paragraph="SEL104", justification="Behov for fællesskab",
                               assessment=assessment, offer=world.day_offer, start=today)
    transition = services.open_transition(citizen, "youth", actor=cw)
    open_inquiry = services.register_inquiry(actor=cw, citizen=citizen, source="citizen", received_on=today,
                                             about="Ønsker bostøtte", paragraph="SEL85")
    services.register_inquiry(actor=world.users["outsider"], cpr=citizen.cpr, source="hospital", received_on=today,
                              about="Udskrives", paragraph="SEL108")
    routed = Inquiry.objects.get(citizen=citizen, caseworker__isnull=True)
    return {"inquiry_pk": inquiry.pk, "assessment_pk": assessment.pk, "decision_pk": decision.pk,
            "transition_pk": transition.pk, "follow_up_pk": decision.grant.follow_ups.get().pk,
            "open_inquiry_pk": open_inquiry.pk, "routed_inquiry_pk": routed.pk, "day_offer_pk": world.day_offer.pk,
            "network_meeting_pk": assessment.meetings.get().pk, "relative_pk": relative.pk}
