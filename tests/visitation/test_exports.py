"""The FHIR R4 export (validated with fhir.resources) and the decision letter PDF."""

import datetime
import json

import pytest
from fhir.resources.R4B.bundle import Bundle

from roret.outcomes import services as outcome_services
from roret.visitation import letter, services
from roret.visitation.fhir import FFB, citizen_bundle
from tests.factories import PASSWORD
from tests.visitation import helpers
from tests.visitation.helpers import TODAY, term

DAY = datetime.timedelta(days=1)


@pytest.fixture
def case(world):
    decision = helpers.granted(world, offer=world.external, start=TODAY - 60 * DAY)
    cw = world.users["caseworker"]
    placement = services.place_from_decision(decision, world.external, decision.start, actor=cw,
                                             external_reason="no_vacancy")
    goal = outcome_services.add_goal(decision.citizen, actor=cw, goal_type=term("Udvikle funktionsevne"),
                                     theme=term("Praktiske opgaver"), own_words="Gøre rent selv", grant=decision.grant,
                                     target_date=TODAY + 100 * DAY)
    outcome_services.add_step(goal, actor=cw, what="Rengøringsplan", who="Kontaktperson", due_on=TODAY + 14 * DAY)
    follow_up = decision.grant.follow_ups.get(held_on=None)
    outcome_services.hold_follow_up(follow_up, actor=cw, held_on=TODAY, outcome="continue",
                                    goal_progress={goal.pk: ("progressing", "")}, who5_answers=[3, 3, 2, 4, 1])
    return decision, placement, goal


def test_the_fhir_bundle_validates_and_speaks_kls_ffb_codes(case):
    decision, _placement, goal = case
    data = citizen_bundle(decision.citizen)
    bundle = Bundle.model_validate(data)          # raises on any resource that breaks FHIR's rules
    kinds = [e.resource.__resource_type__ for e in bundle.entry]
    for kind in ("Patient", "Condition", "Goal", "CarePlan", "Encounter", "Observation"):
        assert kind in kinds, kind
    conditions = [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Condition"]
    practical = next(c for c in conditions if c["code"]["text"] == "Praktiske opgaver")
    assert practical["code"]["coding"][0]["system"] == FFB
    assert practical["code"]["coding"][0]["code"] == term("Praktiske opgaver").code
    assert practical["severity"]["text"] == "Svært nedsat funktionsevne"
    notes_only = next(c for c in conditions if c["code"]["text"] == "Mentale funktioner")
    assert "severity" not in notes_only
    who5 = next(e["resource"] for e in data["entry"] if e["resource"].get("code", {}).get("text") == "WHO-5 Trivselsindeks")
    assert who5["valueInteger"] == 52 and who5["component"][0]["valueInteger"] == 13
    result = next(e["resource"] for e in data["entry"]
                  if e["resource"]["resourceType"] == "Observation"
                  and e["resource"].get("valueCodeableConcept", {}).get("text", "").startswith("Træf afgørelse"))
    assert result["valueCodeableConcept"]["text"] == "Træf afgørelse om fortsættelse af indsats"
    goal_resource = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Goal")
    assert goal_resource["description"]["text"] == "Gøre rent selv"
    assert goal_resource["category"][0]["text"] == "Udvikle funktionsevne"
    plan = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "CarePlan")
    assert any("Rengøringsplan" in a["detail"]["description"] for a in plan["activity"])


def test_the_fhir_export_page_is_audited_as_an_export(world, case, client, assert_audited):
    decision = case[0]
    client.login(username="caseworker", password=PASSWORD)
    response = client.get(f"/visitation/citizens/{decision.citizen.pk}/fhir.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/fhir+json")
    Bundle.model_validate(json.loads(response.content))
    assert_audited("export", world.users["caseworker"], citizen=decision.citizen)


def test_the_decision_letter_states_legal_basis_and_four_weeks_appeal(world, case, client, assert_audited):
    decision = case[0]
    html = letter.render_html(decision)
    assert "lov om social service § 107" in html
    assert "Klagevejledning" in html and "4 uger" in html and "Ankestyrelsen" in html
    assert decision.justification in html
    client.login(username="caseworker", password=PASSWORD)
    response = client.get(f"/visitation/decisions/{decision.pk}/letter.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert_audited("export", world.users["caseworker"], citizen=decision.citizen)


def test_a_refusal_letter_says_refusal(world):
    inquiry = helpers.screened_in(world)
    ass = helpers.assessment(world, inquiry.citizen, inquiry=inquiry, need="Let støttebehov")
    refusal = services.decide(inquiry.citizen, actor=world.users["caseworker"], kind="refusal", paragraph="SEL108",
                              justification="Behovet dækkes af bostøtte.", assessment=ass)
    html = letter.render_html(refusal)
    assert "Afslag" in html and "§ 108" in html and "Behovet dækkes af bostøtte." in html
