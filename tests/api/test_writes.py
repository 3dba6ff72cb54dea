"""The API's case-flow writes (roret/api/writes.py): each calls the page's service, which writes one
row and its audit entry; another team's caseworker gets 404 and a role that may not write 403, with
nothing written; a bad body gets 422 naming the field, in the one error body; a token writes as the
session does; an Idempotency-Key sent again writes once."""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from roret.api import idempotency
from roret.api.access import NOT_FOUND
from roret.core import api_tokens
from roret.core.models import AuditEntry
from roret.journal.models import JournalNote
from roret.meetings.models import MeetingRule, Proposal
from roret.outcomes.models import ActionStep, FollowUp, Goal, Measurement, TariffRenegotiation
from roret.placements.models import Grant, Placement
from roret.visitation import services
from roret.visitation.models import Assessment, Decision, Inquiry, Screening
from tests.visitation.helpers import TODAY, term

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Write:
    name: str
    path: Callable            # case -> path under /api/v1
    body: Callable            # case -> a valid body
    model: type               # the model the write adds a row to
    writer: str               # a persona who may write
    not_role: str             # a persona whose role may not write (403)
    audit: str = "create"
    created: Callable | None = None  # answer -> the object written, when the answer is not it
    rows: Callable | None = None     # case -> the rows the write adds one to, when not all of the model's


def _rows(write, case) -> int:
    return write.rows(case) if write.rows else write.model.objects.count()


def _written(write, answer):
    return write.created(answer) if write.created else write.model.objects.get(pk=answer["id"])


def _open_follow_up(case):
    return case["decision"].grant.follow_ups.get(held_on=None)


WRITES = [
    Write("inquiry", lambda c: f"/citizens/{c['citizen'].pk}/inquiries",
          lambda c: {"source": "relative", "source_detail": "Søster", "received_on": TODAY.isoformat(),
                     "about": "Ønsker bostøtte", "paragraph": "SEL85"}, Inquiry, "caseworker", "centre_staff"),
    # The screening answers with its inquiry.
    Write("screening", lambda c: f"/citizens/{c['citizen'].pk}/inquiries/{c['open_inquiry'].pk}/screening",
          lambda c: {"outcome": "in", "reason": "I målgruppen"}, Screening, "caseworker", "centre_staff",
          created=lambda answer: Screening.objects.get(inquiry_id=answer["id"])),
    Write("assessment", lambda c: f"/citizens/{c['citizen'].pk}/assessments",
          lambda c: {"hopes": "Bo for mig selv", "support_need": term("Højt støttebehov").code,
                     "what_matters": "Min søster", "inquiry_id": c["open_inquiry"].pk,
                     "themes": [{"theme": term("Praktiske opgaver", "theme").code, "level": 2},
                                {"theme": term("Relationer", "theme").code, "level": None, "notes": "Ser søsteren"}]},
          Assessment, "caseworker", "centre_leader"),
    Write("decision", lambda c: f"/citizens/{c['citizen'].pk}/assessments/{c['assessment'].pk}/decisions",
          lambda c: {"kind": "refusal", "paragraph": "SEL104", "justification": "Behovet dækkes af støtte i eget hjem"},
          Decision, "caseworker", "centre_staff"),
    Write("placement", lambda c: f"/citizens/{c['citizen'].pk}/decisions/{c['granted'].pk}/placements",
          lambda c: {"offer_id": c["day_offer"].pk, "start": TODAY.isoformat()}, Placement, "caseworker", "centre_leader"),
    # The waiting list is the grant's offer waited for: one more grant waits for the residential offer.
    Write("waiting list", lambda c: f"/citizens/{c['citizen'].pk}/decisions/{c['granted'].pk}/waiting-list",
          lambda c: {"offer_id": c["residential"].pk}, Grant, "caseworker", "economist", audit="change",
          rows=lambda c: Grant.objects.filter(preferred_offer=c["residential"]).count()),
    Write("journal note", lambda c: f"/citizens/{c['citizen'].pk}/journal",
          lambda c: {"noted_on": TODAY.isoformat(), "category": "phone", "text": "Borgeren ringede om bussen.",
                     "inquiry_id": c["open_inquiry"].pk}, JournalNote, "centre_staff", "economist"),
    Write("measurement", lambda c: f"/citizens/{c['citizen'].pk}/measurements",
          lambda c: {"answers": [4, 4, 3, 3, 2], "occasion": "other"}, Measurement, "centre_leader", "committee"),
    Write("goal", lambda c: f"/citizens/{c['citizen'].pk}/goals",
          lambda c: {"goal_type": term("Udvikle funktionsevne").code, "theme": term("Praktiske opgaver").code,
                     "own_words": "Handle ind selv", "target_date": (TODAY + 90 * DAY).isoformat(),
                     "grant_id": c["decision"].grant_id}, Goal, "caseworker", "economist"),
    Write("step", lambda c: f"/citizens/{c['citizen'].pk}/goals/{c['goal'].pk}/steps",
          lambda c: {"what": "Indkøbsliste", "who": "Kontaktperson", "due_on": (TODAY + 7 * DAY).isoformat()},
          ActionStep, "centre_staff", "admin"),
    # Holding a follow-up changes it and schedules the next one (one new row).
    Write("follow-up", lambda c: f"/citizens/{c['citizen'].pk}/follow-ups/{_open_follow_up(c).pk}/hold",
          lambda c: {"held_on": TODAY.isoformat(), "outcome": "continue", "who5_answers": [3, 3, 3, 3, 3],
                     "goal_progress": [{"goal_id": c["goal"].pk, "progress": "progressing"}]},
          FollowUp, "caseworker", "centre_leader", audit="change"),
    # Ending a placement changes it: one more ended placement.
    Write("placement end", lambda c: f"/citizens/{c['citizen'].pk}/placements/{c['placement'].pk}/end",
          lambda c: {"end": (TODAY + 10 * DAY).isoformat(), "end_reason": "moved_offer"}, Placement, "caseworker",
          "centre_staff", audit="change", rows=lambda c: Placement.objects.filter(end__isnull=False).count()),
    # A renegotiated tariff for the citizen's earlier external placement: a new dated tariff row.
    Write("renegotiation", lambda c: f"/citizens/{c['citizen'].pk}/placements/{c['external'].pk}/renegotiations",
          lambda c: {"new_amount": "2900.00", "valid_from": (TODAY - 300 * DAY).isoformat(), "note": "Mindre behov"},
          TariffRenegotiation, "caseworker", "centre_leader"),
]
BY_NAME = {w.name: w for w in WRITES}
IDS = [w.name for w in WRITES]


@pytest.fixture
def case(case, world):
    """The case of tests/api/conftest.py with its newest assessment at hand, and a second grant (for
    the day offer, not yet placed)."""
    granted = services.decide(case["citizen"], actor=world.users["caseworker"], kind="grant", paragraph="SEL104",
                              justification="Behov for fællesskab", offer=world.day_offer, start=TODAY)
    external = world.place(case["citizen"], world.external, start=TODAY - 400 * DAY, end=TODAY - 200 * DAY)
    return {**case, "assessment": case["citizen"].assessments.order_by("-version").first(), "granted": granted,
            "day_offer": world.day_offer, "residential": world.residential, "external": external,
            "placement": case["citizen"].placements.get(offer=world.residential)}


def post(client, path: str, body, **headers):
    return client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=headers)


@pytest.mark.parametrize("write", WRITES, ids=IDS)
def test_a_write_by_its_role_creates_one_row_through_the_service(write, case, api_client, world, assert_audited):
    path, body = write.path(case), write.body(case)
    before = _rows(write, case)
    response = post(api_client(write.writer), path, body)
    assert response.status_code == 201, response.content
    assert _rows(write, case) == before + 1
    answer = response.json()
    actor = world.users[write.writer]
    obj = _written(write, answer)
    assert_audited(write.audit, actor, citizen=case["citizen"], obj=obj, channel="api")


def test_the_answers_carry_what_was_written(case, api_client):
    cw = api_client("caseworker")
    inquiry = post(cw, BY_NAME["inquiry"].path(case), BY_NAME["inquiry"].body(case)).json()
    assert inquiry["status"] == "open" and inquiry["paragraph"] == "SEL85" and inquiry["deadline_status"] == "ok"
    goal = post(cw, BY_NAME["goal"].path(case), BY_NAME["goal"].body(case)).json()
    assert goal["theme"]["display"] == "Praktiske opgaver" and goal["grant_id"] == case["decision"].grant_id
    assert goal["steps"] == [] and goal["status"] == "active"
    measurement = post(cw, BY_NAME["measurement"].path(case), BY_NAME["measurement"].body(case)).json()
    assert measurement["instrument"] == "WHO-5" and measurement["raw"] == 16 and measurement["score"] == 64
    screened = post(cw, BY_NAME["screening"].path(case), BY_NAME["screening"].body(case)).json()
    assert screened["id"] == case["open_inquiry"].pk and screened["screening"]["outcome"] == "in"
    assessment = post(cw, BY_NAME["assessment"].path(case), BY_NAME["assessment"].body(case)).json()
    assert assessment["version"] == 3 and assessment["support_need"]["display"] == "Højt støttebehov"
    levels = {row["theme"]["display"]: (row["level"], row["previous_level"], row["notes"]) for row in assessment["themes"]}
    assert levels["Praktiske opgaver"] == (2, 1, "") and levels["Relationer"] == (None, 4, "Ser søsteren")
    held = post(cw, BY_NAME["follow-up"].path(case), BY_NAME["follow-up"].body(case)).json()
    assert held["held_on"] == TODAY.isoformat() and held["outcome"] == "continue"
    assert held["goal_progress"] == [{"goal_id": case["goal"].pk, "progress": "progressing", "note": ""}]
    assert [m["answers"] for m in held["measurements"]] == [[3, 3, 3, 3, 3]]
    assert FollowUp.objects.filter(grant=case["decision"].grant, held_on=None).count() == 1  # the next one


@pytest.mark.parametrize("write", WRITES, ids=IDS)
def test_another_teams_caseworker_gets_404_and_nothing_is_written(write, case, api_client):
    path, body = write.path(case), write.body(case)
    before = (_rows(write, case), AuditEntry.objects.filter(action__in=["create", "change"]).count())
    response = post(api_client("outsider"), path, body)
    assert response.status_code == 404 and response.json() == {"detail": NOT_FOUND, "errors": []}
    assert (_rows(write, case),
            AuditEntry.objects.filter(action__in=["create", "change"]).count()) == before


@pytest.mark.parametrize("write", WRITES, ids=IDS)
def test_a_role_that_may_not_write_gets_403(write, case, api_client):
    before = _rows(write, case)
    response = post(api_client(write.not_role), write.path(case), write.body(case))
    assert response.status_code == 403 and response.json()["detail"] == "Din rolle giver ikke adgang til dette."
    assert _rows(write, case) == before


@pytest.mark.parametrize(("name", "change", "field"), [
    ("inquiry", {"received_on": None}, "received_on"),                     # the schema
    ("inquiry", {"source": "nobody"}, "source"),                           # the service
    ("inquiry", {"received_on": (TODAY + DAY).isoformat()}, "received_on"),
    ("screening", {"outcome": "maybe"}, "outcome"),
    ("screening", {"outcome": "out"}, "guided_to"),
    ("screening", {"reason": None}, "reason"),
    ("assessment", {"support_need": "no-such-code"}, "support_need"),
    ("assessment", {"themes": [{"theme": "no-such-code", "level": 1}]}, "themes"),
    ("assessment", {"themes": [{"theme": "x", "level": "high"}]}, "themes.0.level"),
    ("assessment", {"inquiry_id": 10**9}, "inquiry_id"),
    ("decision", {"kind": "maybe"}, "kind"),
    ("decision", {"kind": "grant"}, "start"),
    ("decision", {"kind": "grant", "offer_id": 10**9}, "offer_id"),
    ("decision", {"hours_per_week": -1}, "hours_per_week"),
    ("placement", {"offer_id": 10**9}, "offer_id"),
    ("placement", {"start": None}, "start"),
    ("placement", {"agreed_amount": "abc"}, "agreed_amount"),
    ("waiting list", {"offer_id": 10**9}, "offer_id"),
    ("journal note", {"category": "gossip"}, "category"),
    ("journal note", {"inquiry_id": 10**9}, "inquiry_id"),
    ("journal note", {"text": "x" * 8_001}, "text"),
    ("measurement", {"answers": [9, 9, 9, 9, 9]}, "answers"),
    ("measurement", {"answers": "many"}, "answers"),
    ("goal", {"theme": "no-such-code"}, "theme"),
    ("goal", {"grant_id": 10**9}, "grant_id"),
    ("goal", {"target_date": TODAY.isoformat()}, "target_date"),
    ("step", {"who": "  "}, "who"),
    ("placement end", {"end_reason": "bored"}, "end_reason"),
    ("placement end", {"end": (TODAY - 365 * DAY).isoformat()}, "end"),
    ("placement end", {"end": "soon"}, "end"),
    ("renegotiation", {"new_amount": "5000.00"}, "new_amount"),
    ("renegotiation", {"valid_from": TODAY.isoformat()}, "valid_from"),
    ("renegotiation", {"follow_up_id": 10**9}, "follow_up_id"),
    ("follow-up", {"outcome": "maybe"}, "outcome"),
    ("follow-up", {"goal_progress": [{"goal_id": 10**9, "progress": "achieved"}]}, "goal_progress"),
    ("follow-up", {"goal_progress": [{"goal_id": 1}]}, "goal_progress.0.progress"),
    ("follow-up", {"support_need": "no-such-code"}, "support_need"),
])
def test_a_bad_body_gets_422_naming_the_field(name, change, field, case, api_client):
    write = BY_NAME[name]
    body = {k: v for k, v in {**write.body(case), **change}.items() if v is not None}
    before = _rows(write, case)
    response = post(api_client(write.writer), write.path(case), body)
    assert response.status_code == 422, response.content
    answer = response.json()
    assert answer["detail"] and field in [e["field"] for e in answer["errors"]], answer
    assert all(e["message"] for e in answer["errors"])
    assert _rows(write, case) == before


@pytest.mark.parametrize("write", WRITES, ids=IDS)
def test_a_token_writes_as_the_session_does(write, case, world, assert_audited):
    token = api_tokens.create_token(actor=world.users[write.writer], name="Fagsystem", days=30).token
    before = _rows(write, case)
    response = post(Client(), write.path(case), write.body(case), Authorization=f"Bearer {token}")
    assert response.status_code == 201, response.content
    assert _rows(write, case) == before + 1
    entry = assert_audited(write.audit, world.users[write.writer], citizen=case["citizen"], channel="api")
    assert "Fagsystem" in entry.summary


@pytest.mark.parametrize("write", WRITES, ids=IDS)
def test_an_idempotency_key_sent_again_writes_once(write, case, world):
    token = api_tokens.create_token(actor=world.users[write.writer], name="Fagsystem", days=30).token
    auth = {"Authorization": f"Bearer {token}", idempotency.HEADER: "0b7d4a53-write-once"}
    path, body = write.path(case), write.body(case)
    before = _rows(write, case)
    first = post(Client(), path, body, **auth)
    again = post(Client(), path, body, **auth)
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again[idempotency.REPLAYED] == "true"
    assert _rows(write, case) == before + 1


def test_a_follow_up_already_held_is_refused_with_the_services_message(case, api_client):
    held = FollowUp.objects.get(pk=case["follow_up"].pk)
    path = f"/citizens/{case['citizen'].pk}/follow-ups/{held.pk}/hold"
    response = post(api_client("caseworker"), path, {"held_on": TODAY.isoformat(), "outcome": "continue"})
    assert response.status_code == 422 and response.json()["errors"] == []
    assert f"{held.held_on:%d.%m.%Y}" in response.json()["detail"]


def test_an_ended_placement_is_not_ended_later_again(case, api_client):
    placement = case["placement"]
    path = f"/citizens/{case['citizen'].pk}/placements/{placement.pk}/end"
    client = api_client("caseworker")
    assert post(client, path, {"end": (TODAY + 10 * DAY).isoformat(), "end_reason": "moved_offer"}).status_code == 201
    later = post(client, path, {"end": (TODAY + 400 * DAY).isoformat(), "end_reason": "moved_offer"})
    assert later.status_code == 422 and later.json()["errors"][0]["field"] == "end"
    placement.refresh_from_db()
    assert placement.end == TODAY + 10 * DAY                          # unchanged
    earlier = post(client, path, {"end": (TODAY + 5 * DAY).isoformat(), "end_reason": "moved_offer"})
    assert earlier.status_code == 201                                 # ending earlier is still allowed


def test_a_goal_or_follow_up_of_another_citizen_is_404(case, api_client, world):
    other = world.citizen(first_name="Anden")
    for path, body in [(f"/citizens/{other.pk}/goals/{case['goal'].pk}/steps", BY_NAME["step"].body(case)),
                       (f"/citizens/{other.pk}/follow-ups/{_open_follow_up(case).pk}/hold",
                        {"held_on": TODAY.isoformat(), "outcome": "continue"})]:
        response = post(api_client("caseworker"), path, body)
        assert response.status_code == 404 and response.json()["detail"] == NOT_FOUND


def test_every_refusal_has_the_one_error_body(case, api_client):
    path = BY_NAME["journal note"].path(case)
    anonymous = post(Client(), path, BY_NAME["journal note"].body(case))
    assert anonymous.status_code == 401 and anonymous.json() == {"detail": "Unauthorized", "errors": []}
    not_json = api_client("caseworker").post(f"/api/v1{path}", b'{"noted_on": ', content_type="application/json")
    assert not_json.status_code == 400 and not_json.json()["detail"]
    control = post(api_client("caseworker"), path, {**BY_NAME["journal note"].body(case), "text": "a\x00b"})
    assert control.status_code == 400 and [e["field"] for e in control.json()["errors"]] == ["text"]
    missing = post(api_client("caseworker"), path, {})
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {"noted_on", "category", "text"}


def test_the_schema_declares_every_status_a_write_answers(api_client):
    schema = api_client("caseworker").get("/api/v1/openapi.json").json()
    for path, method in [("/api/v1/citizens/{citizen_id}/inquiries", "post"),
                         ("/api/v1/citizens/{citizen_id}/goals/{goal_id}/steps", "post"),
                         ("/api/v1/citizens/{citizen_id}/follow-ups/{follow_up_id}/hold", "post")]:
        assert set(schema["paths"][path][method]["responses"]) == {"201", "400", "401", "403", "404", "409", "422"}


def test_a_grant_goes_on_the_waiting_list_with_its_first_follow_up(case, api_client, world):
    write = BY_NAME["decision"]
    body = {"kind": "grant", "offer_id": world.day_offer.pk, "start": TODAY.isoformat(),
            "justification": "Behov for fællesskab", "intrusive_reason": "Borgeren ønsker fællesskab"}
    response = post(api_client("caseworker"), write.path(case), body)
    assert response.status_code == 201, response.content
    decision = Decision.objects.get(pk=response.json()["id"])
    assert response.json()["grant_id"] == decision.grant_id and response.json()["paragraph"] == world.day_offer.legal_basis
    assert decision.grant.follow_ups.filter(held_on=None).count() == 1


def test_a_decision_the_meeting_rule_names_goes_to_the_meeting_as_a_proposal(case, api_client, world):
    MeetingRule.objects.create(paragraphs=[world.day_offer.legal_basis], changed_by=world.users["leader"],
                               changed_at=timezone.now())
    body = {"kind": "grant", "offer_id": world.day_offer.pk, "start": TODAY.isoformat(),
            "justification": "Behov for fællesskab", "intrusive_reason": "Borgeren ønsker fællesskab"}
    decisions = Decision.objects.count()
    response = post(api_client("caseworker"), BY_NAME["decision"].path(case), body)
    assert response.status_code == 202, response.content
    assert Proposal.objects.get(pk=response.json()["id"]).citizen_id == case["citizen"].pk
    assert Decision.objects.count() == decisions


@pytest.fixture
def external(world):
    """A citizen placed in the external offer (3,100 kr. a day) with a follow-up due."""
    from roret.outcomes import services as outcome_services

    citizen = world.citizen(first_name="Ekstern")
    placement = world.place(citizen, world.external, start=TODAY - 100 * DAY)
    follow_up = outcome_services.schedule_follow_up(placement.grant, TODAY, actor=world.users["caseworker"])
    return citizen, placement, follow_up


def test_a_follow_up_renegotiates_the_external_tariff_when_the_need_has_fallen(external, api_client, world,
                                                                               assert_audited):
    citizen, placement, follow_up = external
    path = f"/api/v1/citizens/{citizen.pk}/follow-ups/{follow_up.pk}/hold"
    body = {"held_on": TODAY.isoformat(), "outcome": "change",
            "renegotiation": {"new_amount": "2900.00", "valid_from": TODAY.isoformat(), "note": "Mindre behov"}}
    cw = api_client("caseworker")
    refused = cw.post(path, json.dumps(body), content_type="application/json")
    assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["need_fallen"]
    assert not TariffRenegotiation.objects.exists()
    response = cw.post(path, json.dumps({**body, "need_fallen": True}), content_type="application/json")
    assert response.status_code == 201, response.content
    row = TariffRenegotiation.objects.get()
    assert (row.placement_id, row.follow_up_id, row.old_amount, row.new_amount) == (
        placement.pk, follow_up.pk, Decimal("3100.00"), Decimal("2900.00"))
    assert_audited("create", world.users["caseworker"], citizen=citizen, obj=row, channel="api")
