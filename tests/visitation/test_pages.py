"""The case-flow pages: bad input shows a clear message on the page and changes nothing; lists
are filtered by the gate and do not grow a query per row."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roret.placements.models import Placement
from roret.visitation import services
from roret.visitation.models import Decision, Inquiry
from tests.factories import PASSWORD
from tests.visitation import helpers
from tests.visitation.helpers import TODAY

DAY = datetime.timedelta(days=1)


@pytest.fixture
def cw(client):
    client.login(username="caseworker", password=PASSWORD)
    return client


def test_placing_in_a_full_offer_shows_start_placements_message_and_places_nobody(world, cw):
    for n in range(2):
        world.place(world.citizen(first_name=f"Beboer{n}"), world.residential, start=TODAY - 40 * DAY)
    decision = helpers.granted(world, offer=world.residential)
    before = Placement.objects.count()
    response = cw.post(f"/visitation/decisions/{decision.pk}/", {
        "action": "place", "offer": world.residential.pk, "start": decision.start.isoformat()})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Bostedet" in text and "2" in text and ("ingen ledig plads" in text or "no free place" in text)
    assert Placement.objects.count() == before


def test_a_decision_without_legal_basis_is_refused_on_the_page(world, cw):
    inquiry = helpers.screened_in(world)
    assessment = helpers.assessment(world, inquiry.citizen, inquiry=inquiry)
    response = cw.post(f"/visitation/assessments/{assessment.pk}/decision/", {
        "kind": "refusal", "paragraph": "", "justification": "Ingen grund"})
    assert response.status_code == 200
    assert "form-error-message" in response.content.decode()
    assert not Decision.objects.exists()


def test_the_staircase_choice_names_the_offer_without_javascript(world, cw):
    """The staircase's "Choose" radio is submitted with the decision form; without a script to copy
    it into the Offer field, the server takes it as the offer."""
    inquiry = helpers.screened_in(world)
    assessment = helpers.assessment(world, inquiry.citizen, inquiry=inquiry)
    page = cw.get(f"/visitation/assessments/{assessment.pk}/decision/").content.decode()
    assert f'name="pick" form="decision-form" id="pick-{world.residential.pk}"' in page
    response = cw.post(f"/visitation/assessments/{assessment.pk}/decision/", {
        "kind": "grant", "paragraph": world.residential.legal_basis, "justification": "Behov for bosted",
        "pick": world.residential.pk, "start": TODAY.isoformat(), "intrusive_reason": "Mindre indgribende rækker ikke"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Decision.objects.get().offer == world.residential


def test_an_inquiry_page_flow_registers_and_screens(world, cw):
    response = cw.post("/visitation/inquiries/new/", {
        "cpr": helpers.cpr_for(datetime.date(1985, 2, 3)), "first_name": "Ida", "last_name": "Side",
        "source": "single_entry", "received_on": TODAY.isoformat(), "paragraph": "SEL85", "about": "Bostøtte"})
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/visitation/inquiries/{inquiry.pk}/"
    response = cw.post(f"/visitation/inquiries/{inquiry.pk}/", {
        "outcome": "out", "reason": "Kan hjælpes i En Indgang", "screened_on": TODAY.isoformat()})
    assert "form-error-message" in response.content.decode()          # where was the citizen guided?
    cw.post(f"/visitation/inquiries/{inquiry.pk}/", {"outcome": "out", "reason": "Kan hjælpes i En Indgang",
                                                      "guided_to": "single_entry", "screened_on": TODAY.isoformat()})
    inquiry.refresh_from_db()
    assert inquiry.status == "screened_out"


def test_the_assessment_page_records_levels_notes_and_a_network_meeting(world, cw):
    inquiry = helpers.screened_in(world)
    need = helpers.term("Moderat støttebehov")
    response = cw.post(f"/visitation/citizens/{inquiry.citizen.pk}/assessment/new/", {
        "inquiry": inquiry.pk, "hopes": "Et job", "support_need": need.pk,
        f"level_{helpers.theme_id('Mobilitet')}": "1", f"level_{helpers.theme_id('Købe ind')}": "",
        f"level_{helpers.theme_id('Lave mad')}": "2",
        f"notes_{helpers.theme_id('Sociale forhold')}": "Bor alene", "meeting_held_on": TODAY.isoformat(),
        "meeting_relatives": "Mor", "meeting_citizen": "on"})
    assessment = inquiry.citizen.assessments.get()
    assert response.status_code == 302
    levels = {t.theme.display: t.level for t in assessment.themes.select_related("theme")}
    assert levels["Mobilitet"] == 1 and levels["Lave mad"] == 2 and "Købe ind" not in levels
    assert levels["Sociale forhold"] is None
    assert assessment.meetings.get().relatives == "Mor"


def test_cases_list_shows_past_and_near_deadlines_for_the_team_only(world, cw):
    past = helpers.inquiry(world, received_on=TODAY - 200 * DAY, paragraph="SEL85")
    near = helpers.inquiry(world, received_on=TODAY - 50 * DAY, paragraph="SEL85", birth=datetime.date(1970, 1, 1))
    other = world.citizen(team=world.other_team, actor=world.users["outsider"])
    services.register_inquiry(actor=world.users["outsider"], citizen=other, source="citizen", received_on=TODAY,
                              about="x", paragraph="SEL85")
    response = cw.get("/visitation/")
    rows = {r.pk: r for r in response.context["rows"]}
    assert set(rows) == {past.pk, near.pk}
    assert rows[past.pk].deadline_status == "past"
    assert rows[near.pk].deadline_status == "near" and rows[near.pk].working_days_left <= 10
    assert response.context["summary"]["team_past"] == 1


@pytest.mark.parametrize("url", ["/visitation/", "/outcomes/follow-ups/", "/outcomes/compliance/",
                                 "/visitation/transitions/"])
def test_case_lists_use_a_bounded_number_of_queries(world, cw, url):
    def add(n):
        for i in range(n):
            decision = helpers.granted(world, offer=world.external, start=TODAY - 200 * DAY)
            services.place_from_decision(decision, world.external, decision.start, actor=world.users["caseworker"],
                                         external_reason="no_vacancy")
            helpers.inquiry(world, birth=datetime.date(1960 + i, 1, 2))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert cw.get(url).status_code == 200
        return len(ctx.captured_queries)

    # Each count after a first request, so both read what the first stored (the compliance list's
    # expensive citizens are the economy's stored figures); the count must not grow with the rows.
    add(1)
    count()
    small = count()
    add(3)
    count()
    assert count() == small


def test_transitions_list_young_people_and_citizens_of_65_and_the_checklist_ticks(world, cw, assert_audited):
    young = helpers.inquiry(world, birth=TODAY.replace(year=TODAY.year - 17) + 30 * DAY, source="children")
    elderly = world.citizen(birth=datetime.date(TODAY.year - 70, 1, 1), first_name="Ældre")
    world.place(elderly, world.residential, start=datetime.date(2020, 1, 1))
    world.place(world.citizen(first_name="Yngre"), world.day_offer, start=datetime.date(2020, 1, 1))
    response = cw.get("/visitation/transitions/")
    assert [t.citizen_id for t in response.context["youth"]] == [young.citizen_id]
    assert [c.pk for c in response.context["elderly"]] == [elderly.pk]
    transition = response.context["youth"][0]
    cw.post(f"/visitation/transitions/{transition.pk}/", {"item": "consent", "done": "1"})
    transition.refresh_from_db()
    assert "consent" in transition.checklist
    assert_audited("change", world.users["caseworker"], citizen=young.citizen, obj=transition)
    response = cw.post(f"/visitation/citizens/{elderly.pk}/elderly-care/", {"on": TODAY.isoformat(), "note": "Plejehjem"})
    assert response.status_code == 302
    assert elderly.placements.get().end_reason == "elderly_care"


def test_transitions_list_the_oldest_citizens_of_65_with_the_whole_count_in_a_bounded_number_of_queries(
        world, cw, monkeypatch):
    import dataclasses

    from roret.visitation import lists

    monkeypatch.setattr(lists, "ELDERLY", dataclasses.replace(lists.ELDERLY, per_page=2))
    made = []

    def add(n):
        for _ in range(n):
            citizen = world.citizen(birth=datetime.date(TODAY.year - 90 + len(made), 1, 1), first_name=f"Ældre{len(made)}")
            world.place(citizen, world.external, start=datetime.date(2020, 1, 1))
            made.append(citizen)

    def get():
        with CaptureQueriesContext(connection) as ctx:
            response = cw.get("/visitation/transitions/")
        assert response.status_code == 200
        return response, len(ctx.captured_queries)

    add(3)
    response, small = get()
    assert [c.pk for c in response.context["elderly"]] == [made[0].pk, made[1].pk]
    assert response.context["page"].total == 3
    assert "1-2 af 3" in response.content.decode()
    add(5)
    response, large = get()
    assert response.context["page"].total == 8 and len(response.context["elderly"]) == 2
    assert large == small, f"{small} queries with 3 citizens of 65 or more, {large} with 8"


def test_the_timeline_shows_the_path_with_assessment_differences_and_the_who5_curve(world, client):
    from roret.outcomes import services as outcome_services

    decision = helpers.granted(world, offer=world.residential, start=TODAY - 30 * DAY)
    services.place_from_decision(decision, world.residential, decision.start, actor=world.users["caseworker"])
    citizen = decision.citizen
    helpers.assessment(world, citizen, levels={helpers.theme_id("Praktiske opgaver"): 1})
    outcome_services.record_measurement(citizen, "WHO-5", [2, 2, 2, 2, 2], actor=world.users["centre_staff"],
                                        measured_on=TODAY - 20 * DAY, occasion="move_in")
    outcome_services.record_measurement(citizen, "WHO-5", [4, 4, 3, 4, 3], actor=world.users["centre_staff"])
    client.login(username="centre_staff", password=PASSWORD)
    response = client.get(f"/visitation/citizens/{citizen.pk}/timeline/")
    assert response.status_code == 200
    kinds = [e.kind for e in response.context["events"]]
    for kind in ("inquiry", "screening", "assessment", "decision", "placement", "measurement", "follow_up_due"):
        assert kind in kinds, kind
    newest = next(e for e in response.context["events"] if e.kind == "assessment")
    practical = next(d for d in newest.extra["differences"] if d["theme"].display == "Praktiske opgaver")
    assert (practical["previous_level"], practical["level"], practical["change"]) == (3, 1, -2)
    change = next(e for e in response.context["events"] if e.kind == "measurement").extra["change"]
    assert (change.delta, change.meaningful) == (32, True)
    html = response.content.decode()
    assert "<svg" in html and "/visitation/inquiries/" not in html    # centre staff get no caseworker links


def test_placing_in_an_external_offer_needs_a_reason_on_the_page(world, cw):
    decision = helpers.granted(world, offer=world.external, start=TODAY - 10 * DAY)
    form = {"action": "place", "offer": world.external.pk, "start": decision.start.isoformat()}
    page = cw.get(f"/visitation/decisions/{decision.pk}/").content.decode()
    assert 'name="external_reason"' in page
    response = cw.post(f"/visitation/decisions/{decision.pk}/", form)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="id_external_reason-error"' in text or "external_reason-error" in text
    assert "Eksternt bosted" in text and ("eksternt tilbud" in text or "external offer" in text)
    assert not Placement.objects.exists()

    response = cw.post(f"/visitation/decisions/{decision.pk}/", {**form, "external_reason": "specialised"})
    assert response.status_code == 302
    placement = Placement.objects.get()
    assert placement.external_reason == "specialised"
    shown = cw.get(response["Location"]).content.decode()
    assert "external-reason" in shown and placement.get_external_reason_display() in shown
    citizen_page = cw.get(f"/citizens/{placement.citizen_id}/").content.decode()
    assert placement.get_external_reason_display() in citizen_page
