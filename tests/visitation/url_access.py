import datetime

from tests.url_roles import CASE, CITIZEN, api

# Caseworker-only pages: centre roles get 403; the outsider (another team) gets 200 on lists of
# their own and 404 on the walker citizen's objects.
CASEWORKER = {**CASE, "centre_staff": 403, "centre_leader": 403}
CASEWORKER_CITIZEN = {**CASEWORKER, "outsider": 404}

EXPECTED = {
    "visitation:cases": CASEWORKER,
    "visitation:inquiry_new": CASEWORKER,
    "visitation:inquiry": CASEWORKER_CITIZEN,
    "visitation:inquiry_take": {**CASEWORKER, "caseworker": 405, "outsider": 405},
    "visitation:assessment_new": CASEWORKER_CITIZEN,
    "visitation:assessment": CITIZEN,
    "visitation:decision_new": CASEWORKER_CITIZEN,
    "visitation:decision": CASEWORKER_CITIZEN,
    "visitation:letter": CASEWORKER_CITIZEN,
    "visitation:timeline": CITIZEN,
    "visitation:fhir": CASEWORKER_CITIZEN,
    "visitation:elderly_care": CASEWORKER_CITIZEN,
    "visitation:transitions": CASEWORKER,
    "visitation:transition": CASEWORKER_CITIZEN,
    # The API's case-flow reads have the roles of the pages that show the same thing.
    "api:list_inquiries": api(CASEWORKER_CITIZEN),
    "api:list_assessments": api(CITIZEN),
    "api:export_fhir": api(CASEWORKER_CITIZEN),
}


def url_ids(world, citizen) -> dict:
    """The walker citizen's case: inquiry, screening, assessment, decision (grant with its
    follow-up) and a transition, made with the real services."""
    from roret.visitation import services
    from tests.visitation.helpers import term, theme_id

    cw = world.users["caseworker"]
    today = datetime.date.today()
    inquiry = services.register_inquiry(actor=cw, citizen=citizen, source="relative", received_on=today,
                                        about="Ønsker aktivitetstilbud", paragraph="SEL104")
    services.screen(inquiry, actor=cw, outcome="in", reason="I målgruppen")
    assessment = services.assess(citizen, actor=cw, inquiry=inquiry, hopes="Komme ud blandt andre",
                                 support_need=term("Moderat støttebehov"), levels={theme_id("Relationer"): 2})
    decision = services.decide(citizen, actor=cw, kind="grant", paragraph="SEL104", justification="Behov for fællesskab",
                               assessment=assessment, offer=world.day_offer, start=today)
    transition = services.open_transition(citizen, "youth", actor=cw)
    return {"inquiry_pk": inquiry.pk, "assessment_pk": assessment.pk, "decision_pk": decision.pk,
            "transition_pk": transition.pk, "follow_up_pk": decision.grant.follow_ups.get().pk}
