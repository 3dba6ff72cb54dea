"""The API's reads of the rest of a citizen's record (roret/api/records.py) and the paging of every
list (roret/api/pagination.py): content from the real services, the roles of the pages, the gate
(404 outside the scope, with a token as with a session, the refusal audited), each read audited
with channel "api", page totals, filters, and bad paging refused with 422 naming the field."""

import datetime
import json

import pytest
from django.test import Client

from roret.api.access import NOT_FOUND
from roret.api.pagination import MAX_LIMIT, MAX_OFFSET
from roret.core import api_tokens
from roret.core.models import AuditEntry
from roret.outcomes import services as outcome_services
from roret.placements.models import Grant
from roret.visitation import services
from tests.visitation.helpers import TODAY

DAY = datetime.timedelta(days=1)
READS = ["decisions", "grants", "placements", "waiting-list", "measurements", "action-plan"]
CASEWORKER_ONLY = {"decisions"}


def url(citizen, what: str, query: str = "") -> str:
    return f"/api/v1/citizens/{citizen.pk}/{what}{query}"


@pytest.fixture
def record(case, world):
    """The case of tests/api/conftest.py, and a second grant of the day offer still waiting for it,
    an ended earlier placement in the external offer, two more WHO-5s and two more steps (one done)."""
    cw = world.users["caseworker"]
    citizen = case["citizen"]
    waiting = services.decide(citizen, actor=cw, kind="grant", paragraph="SEL104", justification="Fællesskab",
                              offer=world.day_offer, start=TODAY - 5 * DAY)
    services.wait_for_offer(waiting, world.day_offer, actor=cw)
    earlier = world.place(citizen, world.external, start=TODAY - 400 * DAY, end=TODAY - 200 * DAY)
    Grant.objects.filter(pk=earlier.grant_id).update(end=TODAY - 200 * DAY)
    for days, answers in ((30, [1, 1, 1, 1, 1]), (20, [5, 5, 5, 5, 5])):
        outcome_services.record_measurement(citizen, "WHO-5", answers, actor=cw, measured_on=TODAY - days * DAY)
    step = outcome_services.add_step(case["goal"], actor=cw, what="Vaske tøj", who="Borgeren", due_on=TODAY + 3 * DAY)
    outcome_services.complete_step(step, actor=cw, done_on=TODAY)
    outcome_services.add_step(case["goal"], actor=cw, what="Handle ind", who="Borgeren", due_on=TODAY + 60 * DAY)
    return {**case, "waiting": waiting, "earlier": earlier}


def test_decisions_with_their_grants_newest_first_and_filtered(record, api_client, world, assert_audited):
    cw = api_client("caseworker")
    answer = cw.get(url(record["citizen"], "decisions")).json()
    assert answer["total"] == 2 and answer["limit"] == 50 and answer["offset"] == 0
    newest, first = answer["items"]
    assert newest["id"] == record["waiting"].pk and newest["paragraph"] == "SEL104"
    assert first["id"] == record["decision"].pk and first["grant_id"] == record["decision"].grant_id
    assert_audited("view", world.users["caseworker"], citizen=record["citizen"], channel="api")
    only = cw.get(url(record["citizen"], "decisions", "?paragraph=SEL108")).json()
    assert only["total"] == 1 and [d["id"] for d in only["items"]] == [record["decision"].pk]
    assert cw.get(url(record["citizen"], "decisions", "?kind=refusal")).json() == {
        "total": 0, "limit": 50, "offset": 0, "items": []}


def test_grants_placements_and_the_waiting_list(record, api_client):
    cw = api_client("caseworker")
    citizen = record["citizen"]
    grants = cw.get(url(citizen, "grants")).json()
    assert grants["total"] == 3  # the residential grant, the day offer's, the earlier external one
    then = cw.get(url(citizen, "grants", f"?active_on={TODAY - 300 * DAY}")).json()
    assert [g["paragraph"] for g in then["items"]] == ["SEL107"]
    assert cw.get(url(citizen, "grants", "?paragraph=SEL104")).json()["total"] == 1
    placements = cw.get(url(citizen, "placements")).json()
    assert [p["offer"] for p in placements["items"]] == ["Bostedet", "Eksternt bosted"]
    assert placements["items"][1]["end"] == (TODAY - 200 * DAY).isoformat()
    now = cw.get(url(citizen, "placements", f"?active_on={TODAY}")).json()
    assert [p["offer"] for p in now["items"]] == ["Bostedet"]
    then = cw.get(url(citizen, "placements", f"?offer_id={record['earlier'].offer_id}")).json()
    assert [p["id"] for p in then["items"]] == [record["earlier"].pk]
    waiting = cw.get(url(citizen, "waiting-list")).json()
    assert [(g["id"], g["preferred_offer_id"]) for g in waiting["items"]] == [
        (record["waiting"].grant_id, record["waiting"].offer_id)]


def test_measurements_and_the_action_plan_filtered(record, api_client):
    staff = api_client("centre_staff")  # the centre the citizen lives in records and reads these
    citizen = record["citizen"]
    measured = staff.get(url(citizen, "measurements")).json()
    assert measured["total"] == 3 and [m["raw"] for m in measured["items"]][:2] == [5, 25]
    recent = staff.get(url(citizen, "measurements", f"?measured_from={TODAY - 25 * DAY}&instrument=WHO-5")).json()
    assert [m["raw"] for m in recent["items"]] == [25, 13]
    steps = staff.get(url(citizen, "action-plan")).json()
    assert [s["what"] for s in steps["items"]] == ["Vaske tøj", "Rengøringsplan", "Handle ind"]
    assert {s["goal_id"] for s in steps["items"]} == {record["goal"].pk}
    assert [s["what"] for s in staff.get(url(citizen, "action-plan", "?done=false")).json()["items"]] == [
        "Rengøringsplan", "Handle ind"]
    assert [s["what"] for s in staff.get(url(citizen, "action-plan", "?done=true")).json()["items"]] == ["Vaske tøj"]
    soon = staff.get(url(citizen, "action-plan", f"?due_to={TODAY + 20 * DAY}")).json()
    assert soon["total"] == 2


def test_a_number_no_field_accepts_is_refused_before_the_schema(record, api_client):
    """The input gate (roret.core.input_guard) answers a number beyond any database's integer with 400."""
    response = api_client("caseworker").get(url(record["citizen"], "placements", "?offset=99999999999999999999"))
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "offset"


def test_a_page_gives_the_total_and_its_window(record, api_client):
    cw = api_client("caseworker")
    citizen = record["citizen"]
    every = [m["id"] for m in cw.get(url(citizen, "measurements")).json()["items"]]
    second = cw.get(url(citizen, "measurements", "?limit=1&offset=1")).json()
    assert second == {**second, "total": 3, "limit": 1, "offset": 1} and [m["id"] for m in second["items"]] == every[1:2]
    beyond = cw.get(url(citizen, "measurements", "?offset=10")).json()
    assert beyond["total"] == 3 and beyond["items"] == []
    inquiries = cw.get(url(citizen, "inquiries", "?limit=1")).json()
    assert inquiries["total"] == 2 and len(inquiries["items"]) == 1
    assert cw.get(url(citizen, "inquiries", "?status=open")).json()["total"] == 1


@pytest.mark.parametrize(("query", "field"), [
    ("?limit=0", "limit"), (f"?limit={MAX_LIMIT + 1}", "limit"), ("?limit=many", "limit"),
    ("?offset=-1", "offset"), (f"?offset={MAX_OFFSET + 1}", "offset"), ("?active_on=yesterday", "active_on"),
])
def test_bad_paging_or_filters_get_422_naming_the_field(record, api_client, query, field):
    response = api_client("caseworker").get(url(record["citizen"], "placements", query))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field] and response.json()["detail"]


@pytest.mark.parametrize("what", READS)
def test_another_team_gets_404_with_a_token_as_with_a_session_and_the_refusal_is_audited(record, api_client,
                                                                                          world, what):
    token = api_tokens.create_token(actor=world.users["outsider"], name="Andet system", days=30).token
    before = AuditEntry.objects.count()
    by_session = api_client("outsider").get(url(record["citizen"], what))
    by_token = Client().get(url(record["citizen"], what), headers={"Authorization": f"Bearer {token}"})
    assert by_session.status_code == by_token.status_code == 404
    assert by_session.json() == by_token.json() == {"detail": NOT_FOUND, "errors": []}
    new = AuditEntry.objects.order_by("pk")[before:]
    assert [(e.action, e.citizen_id, e.channel) for e in new] == [("refused", record["citizen"].pk, "api")] * 2


@pytest.mark.parametrize("what", READS)
@pytest.mark.parametrize("persona", ["centre_staff", "economist", "committee", "admin", "leader"])
def test_roles_are_those_of_the_pages(record, api_client, persona, what):
    status = api_client(persona).get(url(record["citizen"], what)).status_code
    allowed = persona == "centre_staff" and what not in CASEWORKER_ONLY
    assert status == (200 if allowed else 403)


@pytest.mark.parametrize("what", READS)
def test_a_token_reads_as_the_session_does_and_the_read_names_the_token(record, world, what):
    token = api_tokens.create_token(actor=world.users["caseworker"], name="Fagsystem", days=30).token
    response = Client().get(url(record["citizen"], what), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json()["total"] >= 1
    entry = AuditEntry.objects.filter(action="view", citizen_id=record["citizen"].pk, channel="api").latest("pk")
    assert "Fagsystem" in entry.summary


def test_follow_ups_due_by_date_range(case, api_client, world):
    cw = world.users["caseworker"]
    grant = case["decision"].grant
    soon = outcome_services.schedule_follow_up(grant, TODAY + 10 * DAY, actor=cw)
    client = api_client("caseworker")
    due = client.get("/api/v1/follow-ups/due").json()
    assert soon.pk in [r["id"] for r in due["items"]]
    later = case["follow_up"].grant.follow_ups.filter(held_on=None).exclude(pk=soon.pk).first()
    far = client.get(f"/api/v1/follow-ups/due?due_from={TODAY + 11 * DAY}&due_to={TODAY + 400 * DAY}").json()
    assert soon.pk not in [r["id"] for r in far["items"]]
    if later is not None and later.due_on > TODAY + 11 * DAY:
        assert later.pk in [r["id"] for r in far["items"]]  # beyond the page's 30 days
    window = client.get(f"/api/v1/follow-ups/due?due_from={TODAY + 9 * DAY}&due_to={TODAY + 10 * DAY}").json()
    assert [r["id"] for r in window["items"]] == [soon.pk] and window["total"] == 1
    backwards = client.get(f"/api/v1/follow-ups/due?due_from={TODAY}&due_to={TODAY - DAY}")
    assert backwards.status_code == 422 and [e["field"] for e in backwards.json()["errors"]] == ["due_to"]


def test_a_name_search_is_a_page(world, api_client):
    for i in range(3):
        world.citizen(first_name="Søren", last_name=f"Sidetal{i}")
    client = api_client("caseworker")
    answer = client.post("/api/v1/citizens/search?limit=2", json.dumps({"q": "Søren"}),
                         content_type="application/json").json()
    assert answer["total"] == 3 and answer["limit"] == 2 and len(answer["items"]) == 2


def test_the_schema_declares_the_envelope_and_every_refusal(api_client):
    schema = api_client("caseworker").get("/api/v1/openapi.json").json()
    page = schema["components"]["schemas"]["Page_PlacementOut_"]
    assert set(page["required"]) == {"total", "limit", "offset", "items"}
    operation = schema["paths"]["/api/v1/citizens/{citizen_id}/placements"]["get"]
    assert {"limit", "offset", "offer_id", "active_on"} <= {p["name"] for p in operation["parameters"]}
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404", "422"}
    assert operation["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            assert {"401", "403", "404", "422"} <= set(op["responses"]), (method, path)


def test_the_citizens_in_scope_as_the_citizens_page_lists_them(record, api_client, world):
    citizen = record["citizen"]
    other = world.citizen(first_name="Anden", team=world.other_team)
    client = api_client("caseworker")
    everyone = client.get("/api/v1/citizens").json()
    assert citizen.pk in [c["id"] for c in everyone["items"]] and other.pk not in [c["id"] for c in everyone["items"]]
    assert all("cpr" not in c for c in everyone["items"])  # masked only, as in the list
    entry = AuditEntry.objects.filter(action="list", object_id="citizens", channel="api").latest("pk")
    assert entry.citizen_count == len(everyone["items"])
    placed = client.get(f"/api/v1/citizens?offer_id={world.residential.pk}").json()
    assert [c["id"] for c in placed["items"]] == [citizen.pk] and placed["total"] == 1
    assert client.get("/api/v1/citizens?paragraph=SEL104").json()["total"] == 1
    assert client.get("/api/v1/citizens?paragraph=SEL103").json()["total"] == 0
    refused = client.get("/api/v1/citizens?paragraph=SEL999")
    assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["paragraph"]
    theirs = api_client("outsider").get("/api/v1/citizens").json()
    assert [c["id"] for c in theirs["items"]] == [other.pk]
    assert api_client("economist").get("/api/v1/citizens").status_code == 403
