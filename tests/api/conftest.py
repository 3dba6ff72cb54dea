import datetime

import pytest
from django.test import Client

from roret.outcomes import services as outcome_services
from roret.visitation import services
from tests.clients import SecondFactorClient
from tests.factories import PASSWORD
from tests.visitation import helpers
from tests.visitation.helpers import TODAY, term, theme_id

DAY = datetime.timedelta(days=1)


@pytest.fixture
def case(world):
    """A citizen walked through the case flow with the real services: inquiry, screening, two
    assessment versions, a grant placed in the centre's residential offer, a goal with a step, a follow-up held with
    WHO-5 (the next one scheduled), and a second, open inquiry."""
    cw = world.users["caseworker"]
    decision = helpers.granted(world, start=TODAY - 60 * DAY)
    citizen = decision.citizen
    services.place_from_decision(decision, world.residential, decision.start, actor=cw)
    helpers.assessment(world, citizen, need="Moderat støttebehov", levels={
        theme_id("Praktiske opgaver"): 1, theme_id("Egenomsorg"): 2, theme_id("Relationer"): 4})
    goal = outcome_services.add_goal(citizen, actor=cw, goal_type=term("Udvikle funktionsevne"),
                                     theme=term("Praktiske opgaver"), own_words="Gøre rent selv",
                                     grant=decision.grant, target_date=TODAY + 100 * DAY)
    outcome_services.add_step(goal, actor=cw, what="Rengøringsplan", who="Kontaktperson", due_on=TODAY + 14 * DAY)
    follow_up = decision.grant.follow_ups.get(held_on=None)
    outcome_services.hold_follow_up(follow_up, actor=cw, held_on=TODAY, outcome="continue",
                                    goal_progress={goal.pk: ("progressing", "")}, who5_answers=[3, 3, 2, 4, 1])
    open_inquiry = services.register_inquiry(actor=cw, citizen=citizen, source="relative",
                                             received_on=TODAY - 5 * DAY, about="Ønsker også aktivitetstilbud",
                                             paragraph="SEL104")
    return {"citizen": citizen, "decision": decision, "goal": goal, "follow_up": follow_up,
            "open_inquiry": open_inquiry}


@pytest.fixture
def api_client(world):
    """A logged-in client per persona, as the test client (no CSRF enforcement) sees the API."""

    def make(persona: str) -> Client:
        client = SecondFactorClient()
        assert client.login(username=persona, password=PASSWORD)
        return client

    return make
