"""The API's case-flow reads: content from the real services, roles as on the pages, the gate
(another team's caseworker gets 404 and nothing is audited), and an audit entry per read."""

import datetime
import json

import pytest
from fhir.resources.R4B.bundle import Bundle

from roret.api.access import NOT_FOUND
from roret.core.models import AuditEntry
from roret.outcomes import services as outcome_services
from tests.factories import PASSWORD
from tests.visitation.helpers import TODAY, term

ENDPOINTS = ["inquiries", "assessments", "goals", "follow-ups", "fhir"]
CASEWORKER_ONLY = {"inquiries", "fhir"}


def url(citizen, what: str) -> str:
    return f"/api/v1/citizens/{citizen.pk}/{what}"


def test_inquiries_with_screening_outcome_and_deadline_status(case, api_client, world, assert_audited):
    response = api_client("caseworker").get(url(case["citizen"], "inquiries"))
    assert response.status_code == 200
    newest, first = response.json()["items"]
    assert newest["id"] == case["open_inquiry"].pk and newest["status"] == "open"
    assert newest["screening"] is None
    assert newest["deadline"] == case["open_inquiry"].deadline.isoformat()
    assert newest["deadline_status"] == "ok" and newest["working_days_left"] > 10
    assert first["id"] == case["decision"].inquiry_id and first["status"] == "decided"
    assert first["screening"]["outcome"] == "in" and first["screening"]["reason"] == "Psykisk funktionsnedsættelse"
    assert first["deadline_status"] is None and first["working_days_left"] is None
    assert_audited("view", world.users["caseworker"], citizen=case["citizen"], obj=case["citizen"], channel="api")


def test_assessments_with_ffb_levels_and_the_change_since_the_version_before(case, api_client, world, assert_audited):
    response = api_client("centre_staff").get(url(case["citizen"], "assessments"))
    assert response.status_code == 200
    second, first = response.json()["items"]
    assert (second["version"], first["version"]) == (2, 1)
    assert second["support_need"] == {"code": term("Moderat støttebehov").code, "display": "Moderat støttebehov"}
    assert first["hopes"] == "Jeg vil gerne have mit eget sted og se min søster"
    by_code = {row["theme"]["code"]: row for row in second["themes"]}
    practical = by_code[term("Praktiske opgaver", "theme").code]
    assert (practical["previous_level"], practical["level"], practical["change"]) == (3, 1, -2)
    relations = by_code[term("Relationer", "theme").code]
    assert (relations["previous_level"], relations["level"], relations["change"]) == (3, 4, 1)
    assert all(row["previous_level"] is None and row["change"] is None for row in first["themes"])
    assert_audited("view", world.users["centre_staff"], citizen=case["citizen"], channel="api")


def test_goals_in_the_citizens_words_with_ffb_codes_and_the_action_plan(case, api_client, world, assert_audited):
    response = api_client("centre_leader").get(url(case["citizen"], "goals"))
    assert response.status_code == 200
    [goal] = response.json()["items"]
    assert goal["id"] == case["goal"].pk and goal["own_words"] == "Gøre rent selv"
    assert goal["goal_type"]["code"] == term("Udvikle funktionsevne").code
    assert goal["theme"] == {"code": term("Praktiske opgaver", "theme").code, "display": "Praktiske opgaver"}
    assert goal["target_date"] == (TODAY + datetime.timedelta(days=100)).isoformat()
    assert goal["grant_id"] == case["decision"].grant_id and goal["status"] == "active"
    assert [(s["what"], s["who"], s["done_on"]) for s in goal["steps"]] == [("Rengøringsplan", "Kontaktperson", None)]
    assert_audited("view", world.users["centre_leader"], citizen=case["citizen"], channel="api")


def test_follow_ups_with_outcome_and_measurements(case, api_client, world, assert_audited):
    response = api_client("caseworker").get(url(case["citizen"], "follow-ups"))
    assert response.status_code == 200
    held, upcoming = response.json()["items"]
    assert held["id"] == case["follow_up"].pk and held["held_on"] == TODAY.isoformat()
    assert held["outcome"] == "continue" and held["ffb_outcome"] == "Træf afgørelse om fortsættelse af indsats"
    assert held["goal_progress"] == [{"goal_id": case["goal"].pk, "progress": "progressing", "note": ""}]
    [who5] = held["measurements"]
    assert (who5["instrument"], who5["raw"], who5["score"], who5["answers"]) == ("WHO-5", 13, 52, [3, 3, 2, 4, 1])
    assert upcoming["held_on"] is None and upcoming["outcome"] == "" and upcoming["measurements"] == []
    assert upcoming["due_on"] > TODAY.isoformat()
    assert_audited("view", world.users["caseworker"], citizen=case["citizen"], channel="api")


def test_the_fhir_export_validates_and_is_audited_once_as_an_export(case, api_client, world, assert_audited):
    response = api_client("caseworker").get(url(case["citizen"], "fhir"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/fhir+json")
    data = json.loads(response.content)
    bundle = Bundle.model_validate(data)
    assert {e.resource.__resource_type__ for e in bundle.entry} >= {"Patient", "Condition", "Goal", "CarePlan",
                                                                     "Encounter", "Observation"}
    patient = data["entry"][0]["resource"]
    assert patient["identifier"][0]["value"] == case["citizen"].cpr.replace("-", "")
    entry = assert_audited("export", world.users["caseworker"], citizen=case["citizen"], channel="api")
    assert entry.summary == "FHIR-eksport"
    assert AuditEntry.objects.filter(citizen_id=case["citizen"].pk, actor=world.users["caseworker"],
                                     channel="api").count() == 1


@pytest.mark.parametrize("what", ENDPOINTS)
def test_another_teams_caseworker_gets_404_and_only_the_refusal_is_audited(case, api_client, what):
    before = AuditEntry.objects.count()
    response = api_client("outsider").get(url(case["citizen"], what))
    assert response.status_code == 404 and response.json() == {"detail": NOT_FOUND, "errors": []}
    missing = api_client("caseworker").get(f"/api/v1/citizens/{case['citizen'].pk + 1000}/{what}")
    assert missing.status_code == 404 and missing.json() == {"detail": NOT_FOUND, "errors": []}
    new = AuditEntry.objects.order_by("pk")[before:]
    assert [(e.action, e.actor_name, e.citizen_id, e.channel) for e in new] == [
        ("refused", "outsider", case["citizen"].pk, "api"), ("refused", "caseworker", None, "api")]


@pytest.mark.parametrize("what", ENDPOINTS)
@pytest.mark.parametrize("persona", ["centre_staff", "economist", "committee", "admin"])
def test_roles_are_those_of_the_pages(case, api_client, persona, what):
    before = AuditEntry.objects.count()
    status = api_client(persona).get(url(case["citizen"], what)).status_code
    allowed = persona == "centre_staff" and what not in CASEWORKER_ONLY
    assert status == (200 if allowed else 403)
    if not allowed:
        assert AuditEntry.objects.count() == before


def test_centre_staff_of_another_centre_get_404(case, api_client, world):
    world.users["centre_staff"].centre = world.other_centre
    world.users["centre_staff"].save()
    assert api_client("centre_staff").get(url(case["citizen"], "goals")).status_code == 404


def test_follow_ups_due_as_on_the_follow_ups_page(case, api_client, world):
    cw = world.users["caseworker"]
    due = outcome_services.schedule_follow_up(case["decision"].grant, TODAY - datetime.timedelta(days=3), actor=cw)
    response = api_client("caseworker").get("/api/v1/follow-ups/due")
    assert response.status_code == 200
    [row] = response.json()["items"]
    assert row["id"] == due.pk and row["citizen_id"] == case["citizen"].pk and row["overdue"] is True
    assert row["days"] == -3 and row["current_offers"] == ["Bostedet"] and row["paragraph"] == "SEL108"
    # The centre sees its resident's follow-up; another team's caseworker does not.
    assert [r["id"] for r in api_client("centre_staff").get("/api/v1/follow-ups/due").json()["items"]] == [due.pk]
    assert api_client("outsider").get("/api/v1/follow-ups/due").json()["items"] == []
    assert api_client("economist").get("/api/v1/follow-ups/due").status_code == 403


def test_the_citizen_record_says_why_a_placement_is_external(world, client):
    from roret.placements.models import ExternalReason

    citizen = world.citizen()
    world.place(citizen, world.external, external_reason=ExternalReason.SPECIALISED)
    client.login(username="caseworker", password=PASSWORD)
    placements = client.get(f"/api/v1/citizens/{citizen.pk}").json()["placements"]
    assert [p["external_reason"] for p in placements] == [ExternalReason.SPECIALISED.value]
