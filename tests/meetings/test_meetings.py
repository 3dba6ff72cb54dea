"""The visitation meeting: the rule sends a proposed decision to the meeting; nothing is decided, no
letter and no placement exist until the department leader approves; a changed proposal decides the
changed fields; a sent-back one returns to the caseworker with the reason."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from roret.core import permissions
from roret.core.models import AuditEntry
from roret.meetings import queries, services
from roret.meetings.models import Meeting, Proposal, ProposalStatus
from roret.visitation.models import Decision
from tests.visitation.helpers import TODAY, assessment, screened_in

pytestmark = pytest.mark.django_db
NEXT_WEEK = TODAY + datetime.timedelta(days=7)


@pytest.fixture
def case(world):
    """A screened-in citizen with an assessment, a meeting rule like the demo's and a planned meeting."""
    inq = screened_in(world)
    ass = assessment(world, inq.citizen, inquiry=inq)
    services.set_rule(actor=world.users["leader"], paragraphs=["SEL107", "SEL108"], external_offers=True,
                      yearly_cost_above=Decimal("1000000"))
    meeting = services.plan_meeting(actor=world.users["leader"], held_on=NEXT_WEEK,
                                    participants=[world.users["leader"], world.users["caseworker"]])
    return inq.citizen, ass, meeting


def _post_decision(client, world, ass, offer, **extra):
    client.force_login(world.users["caseworker"])
    return client.post(reverse("visitation:decision_new", args=[ass.pk]), {
        "kind": "grant", "offer": offer.pk, "start": TODAY.isoformat(),
        "justification": "Borgeren har brug for støtte hele døgnet.",
        "intrusive_reason": "Mindre indgribende er prøvet", **extra})


def _propose(world, citizen, ass, offer=None, **extra):
    offer = offer or world.residential
    fields = {"kind": "grant", "paragraph": offer.legal_basis, "offer": offer, "start": TODAY,
              "justification": "Borgeren har brug for støtte hele døgnet.",
              "intrusive_reason": "Mindre indgribende er prøvet", **extra}
    return services.propose(citizen, actor=world.users["caseworker"], assessment=ass, **fields)


def _meeting_day_comes(meeting):
    """The day of ``meeting`` has come: the tests propose to next week's meeting and answer today."""
    Meeting.objects.filter(pk=meeting.pk).update(held_on=TODAY)


def test_a_108_proposal_is_not_decided_until_the_meeting_approves(client, world, case):
    citizen, ass, meeting = case
    response = _post_decision(client, world, ass, world.residential)
    assert response.status_code == 302
    assert response["Location"] == reverse("visitation:assessment", args=[ass.pk])
    proposal = Proposal.objects.get(citizen=citizen)
    assert (proposal.status, proposal.meeting, proposal.paragraph) == (ProposalStatus.PROPOSED, meeting, "SEL108")
    assert proposal.proposed_by == world.users["caseworker"]
    assert proposal.yearly_cost == Decimal("821250.00")  # 2,250 kr. a day x 365
    assert not Decision.objects.filter(citizen=citizen).exists()
    assert not citizen.grants.exists()
    # The inquiry stays open, so the case keeps its place on the deadline lists.
    assert ass.inquiry.status == "open"
    page = client.get(reverse("visitation:assessment", args=[ass.pk]))
    assert b'id="proposal-waiting"' in page.content
    assert list(queries.waiting(world.users["caseworker"])) == [proposal]
    assert list(queries.waiting(world.users["outsider"])) == []


def test_a_decision_outside_the_rule_is_decided_directly(client, world, case):
    citizen, ass, _meeting = case
    response = _post_decision(client, world, ass, world.day_offer)
    decision = Decision.objects.get(citizen=citizen)
    assert response["Location"] == reverse("visitation:decision", args=[decision.pk])
    assert not Proposal.objects.exists()


def test_an_external_offer_goes_to_the_meeting(world, case):
    citizen, ass, meeting = case
    services.set_rule(actor=world.users["admin"], paragraphs=[], external_offers=True, yearly_cost_above=None)
    assert services.needs_meeting(kind="grant", paragraph="SEL107", offer=world.external, start=TODAY)
    assert not services.needs_meeting(kind="grant", paragraph="SEL108", offer=world.residential, start=TODAY)
    assert not services.needs_meeting(kind="refusal", paragraph="SEL107", offer=world.external, start=TODAY)


def test_a_yearly_cost_above_the_limit_goes_to_the_meeting(world, case):
    services.set_rule(actor=world.users["leader"], paragraphs=[], external_offers=False,
                      yearly_cost_above=Decimal("821249.99"))
    assert services.needs_meeting(kind="grant", paragraph="SEL108", offer=world.residential, start=TODAY)
    services.set_rule(actor=world.users["leader"], paragraphs=[], external_offers=False,
                      yearly_cost_above=Decimal("821250.00"))
    assert not services.needs_meeting(kind="grant", paragraph="SEL108", offer=world.residential, start=TODAY)


def test_a_proposal_the_decision_service_refuses_is_refused_on_its_field(client, world, case):
    citizen, ass, _meeting = case
    response = _post_decision(client, world, ass, world.residential, start="")
    assert response.status_code == 200
    assert "En bevilling skal have en startdato." in response.content.decode()  # pages are in Danish
    assert not Proposal.objects.exists()
    assert not Decision.objects.exists()


def test_approval_decides_as_proposed_and_the_letter_follows(client, world, case, assert_audited):
    citizen, ass, meeting = case
    proposal = _propose(world, citizen, ass)
    _meeting_day_comes(meeting)
    client.force_login(world.users["caseworker"])
    assert not Decision.objects.exists()
    services.approve(proposal, actor=world.users["leader"])
    proposal.refresh_from_db()
    decision = proposal.decision
    assert proposal.status == ProposalStatus.APPROVED
    assert (decision.paragraph, decision.offer, decision.start) == ("SEL108", world.residential, TODAY)
    assert decision.decided_by == world.users["caseworker"]  # the proposing caseworker keeps the case
    assert proposal.handled_by == world.users["leader"]
    assert decision.grant is not None
    assert_audited("change", world.users["leader"], citizen=citizen, obj=proposal)
    assert_audited("create", world.users["caseworker"], citizen=citizen, obj=proposal)
    letter = client.get(reverse("visitation:letter", args=[decision.pk]))
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"


def test_approving_twice_decides_once(world, case):
    citizen, ass, meeting = case
    proposal = _propose(world, citizen, ass)
    _meeting_day_comes(meeting)
    services.approve(proposal, actor=world.users["leader"])
    with pytest.raises(services.MeetingError, match="already answered"):
        services.approve(proposal, actor=world.users["leader"])
    assert Decision.objects.filter(citizen=citizen).count() == 1


def test_double_submit_of_the_approval_writes_once(client, world, case):
    citizen, ass, meeting = case
    proposal = _propose(world, citizen, ass)
    _meeting_day_comes(meeting)
    client.force_login(world.users["leader"])
    page = client.get(reverse("meetings:meeting", args=[meeting.pk]))
    token = page.content.decode().split('name="form_token" value="')[1].split('"')[0]
    body = {"proposal": proposal.pk, "action": "approve", "reason": "", "form_token": token}
    first = client.post(reverse("meetings:meeting", args=[meeting.pk]), body)
    second = client.post(reverse("meetings:meeting", args=[meeting.pk]), body)
    assert first.status_code == 302 and second.status_code in (302, 409)
    assert Decision.objects.filter(citizen=citizen).count() == 1


def test_a_changed_proposal_decides_the_changed_fields_and_keeps_the_reason(world, case):
    citizen, ass, meeting = case
    proposal = _propose(world, citizen, ass)
    _meeting_day_comes(meeting)
    later = TODAY + datetime.timedelta(days=30)
    services.change(proposal, actor=world.users["leader"], reason="Start efter indflytningsbesøget", start=later,
                    scope="Døgnstøtte i seks måneder")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CHANGED
    assert proposal.reason == "Start efter indflytningsbesøget"
    assert proposal.start == TODAY  # what was proposed is kept
    assert (proposal.decision.start, proposal.decision.scope) == (later, "Døgnstøtte i seks måneder")


def test_a_change_needs_a_reason(world, case):
    citizen, ass, meeting = case
    proposal = _propose(world, citizen, ass)
    _meeting_day_comes(meeting)
    with pytest.raises(services.MeetingError) as refused:
        services.change(proposal, actor=world.users["leader"], reason=" ", start=TODAY)
    assert "reason" in refused.value.message_dict
    assert not Decision.objects.exists()


def test_a_sent_back_proposal_returns_to_the_caseworker_with_the_reason(client, world, case):
    citizen, ass, meeting = case
    proposal = _propose(world, citizen, ass)
    _meeting_day_comes(meeting)
    client.force_login(world.users["leader"])
    refused = client.post(reverse("meetings:meeting", args=[meeting.pk]),
                          {"proposal": proposal.pk, "action": "send_back", "reason": ""})
    assert refused.status_code == 200 and "Skriv mødets begrundelse" in refused.content.decode()
    client.post(reverse("meetings:meeting", args=[meeting.pk]),
                {"proposal": proposal.pk, "action": "send_back", "reason": "Prøv §107 først"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reason) == (ProposalStatus.SENT_BACK, "Prøv §107 først")
    assert not Decision.objects.exists()
    assert list(queries.sent_back(world.users["caseworker"])) == [proposal]
    client.force_login(world.users["caseworker"])
    assert "Prøv §107 først" in client.get(reverse("visitation:assessment", args=[ass.pk])).content.decode()
    assert "Prøv §107 først" in client.get(reverse("home")).content.decode()
    # No decision, so no letter page exists for it; the caseworker may propose again.
    again = _propose(world, citizen, ass)
    assert again.status == ProposalStatus.PROPOSED
    assert list(queries.sent_back(world.users["caseworker"])) == []


def test_only_a_leader_approves(world, case):
    citizen, ass, _meeting = case
    proposal = _propose(world, citizen, ass)
    for persona in ("caseworker", "admin", "economist", "centre_leader"):
        with pytest.raises(permissions.NotInScope):
            services.approve(proposal, actor=world.users[persona])
    assert not Decision.objects.exists()


def test_a_caseworker_proposes_only_for_their_own_caseload(world, case):
    citizen, ass, _meeting = case
    with pytest.raises(permissions.NotInScope):
        services.propose(citizen, actor=world.users["outsider"], assessment=ass, kind="grant", paragraph="SEL108",
                         offer=world.residential, start=TODAY, justification="x")


def test_a_proposal_without_a_planned_meeting_waits_unscheduled(world):
    inq = screened_in(world)
    ass = assessment(world, inq.citizen, inquiry=inq)
    proposal = _propose(world, inq.citizen, ass)
    assert proposal.meeting is None
    meeting = services.plan_meeting(actor=world.users["leader"], held_on=NEXT_WEEK,
                                    participants=[world.users["leader"]])
    proposal.refresh_from_db()
    assert proposal.meeting == meeting


def test_a_meeting_needs_a_leader(world):
    with pytest.raises(services.MeetingError) as refused:
        services.plan_meeting(actor=world.users["leader"], held_on=NEXT_WEEK,
                              participants=[world.users["caseworker"]])
    assert "participants" in refused.value.message_dict


def test_the_leader_sees_any_citizen_read_only(client, world, assert_audited):
    citizen = world.citizen(team=world.other_team)
    leader = world.users["leader"]
    assert permissions.fetch(leader, "view", type(citizen), citizen.pk) == citizen
    for action in ("record", "change", "export"):
        with pytest.raises(permissions.NotInScope):
            permissions.fetch(leader, action, type(citizen), citizen.pk)
    client.force_login(leader)
    assert client.get(reverse("citizens:detail", args=[citizen.pk])).status_code == 200
    assert_audited("view", leader, citizen=citizen)
    assert client.get(reverse("citizens:access_log", args=[citizen.pk])).status_code == 403
    assert client.get(reverse("visitation:fhir", args=[citizen.pk])).status_code == 403


def test_the_leader_sees_aggregates_unsuppressed(world):
    scope = permissions.aggregate_scope(world.users["leader"])
    assert (scope.centre_id, scope.suppress) == (None, False)


def test_the_committee_sees_no_meetings(client, world, case):
    _citizen, _ass, meeting = case
    client.force_login(world.users["committee"])
    assert client.get(reverse("meetings:index")).status_code == 403
    assert client.get(reverse("meetings:meeting", args=[meeting.pk])).status_code == 403


def test_a_caseworker_reads_only_their_citizens_on_the_agenda(client, world, case):
    citizen, ass, meeting = case
    _propose(world, citizen, ass)
    client.force_login(world.users["outsider"])
    page = client.get(reverse("meetings:meeting", args=[meeting.pk]))
    assert page.status_code == 200 and citizen.name not in page.content.decode()
    client.force_login(world.users["caseworker"])
    page = client.get(reverse("meetings:meeting", args=[meeting.pk]))
    assert citizen.name in page.content.decode()
    assert AuditEntry.objects.filter(actor=world.users["caseworker"], object_id="meeting_agenda").exists()


def test_the_rule_is_changed_audited(world):
    services.set_rule(actor=world.users["leader"], paragraphs=["SEL107"], external_offers=False,
                      yearly_cost_above=None)
    services.set_rule(actor=world.users["admin"], paragraphs=["SEL108"], external_offers=False,
                      yearly_cost_above=None)
    entry = AuditEntry.objects.filter(object_type="meetings.meetingrule").latest("pk")
    assert entry.actor == world.users["admin"]
    assert entry.before["paragraphs"] == "['SEL107']"
    assert entry.after["paragraphs"] == "['SEL108']"
    with pytest.raises(permissions.NotInScope):
        services.set_rule(actor=world.users["caseworker"], paragraphs=[], external_offers=False,
                          yearly_cost_above=None)


def test_approval_is_refused_with_a_message_when_the_caseworker_lost_the_case(world, case):
    citizen, ass, meeting = case
    proposal = _propose(world, citizen, ass)
    _meeting_day_comes(meeting)
    type(citizen).objects.filter(pk=citizen.pk).update(team=world.other_team)
    with pytest.raises(services.MeetingError, match="no longer has the citizen's case"):
        services.approve(proposal, actor=world.users["leader"])
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED
    assert not Decision.objects.exists()


def test_the_leaders_overview_shows_the_next_meeting_and_its_agenda_size(client, world, case):
    citizen, ass, meeting = case
    _propose(world, citizen, ass)
    client.force_login(world.users["leader"])
    page = client.get(reverse("home")).content.decode()
    assert reverse("meetings:meeting", args=[meeting.pk]) in page
    assert '<span class="value">1</span>indstillinger på dagsordenen for mødet den ' + f"{NEXT_WEEK:%d.%m.%Y}" in page


def test_the_proposal_is_on_the_citizens_timeline(client, world, case):
    citizen, ass, meeting = case
    proposal = _propose(world, citizen, ass)
    _meeting_day_comes(meeting)
    services.send_back(proposal, actor=world.users["leader"], reason="Prøv §107 først")
    client.force_login(world.users["leader"])
    page = client.get(reverse("visitation:timeline", args=[citizen.pk])).content.decode()
    assert reverse("meetings:proposal", args=[proposal.pk]) in page and "Prøv §107 først" in page


def test_the_rule_page_refuses_bad_input_on_its_field_and_saves_good_input(client, world):
    client.force_login(world.users["admin"])
    url = reverse("meetings:rule")
    for body in ({"yearly_cost_above": "-5"}, {"yearly_cost_above": "mange"}, {"paragraphs": ["SEL999"]}):
        response = client.post(url, body)
        assert response.status_code == 200, body
        assert 'class="form-group form-error"' in response.content.decode(), body
    assert not AuditEntry.objects.filter(object_type="meetings.meetingrule").exists()
    response = client.post(url, {"paragraphs": ["SEL107", "SEL108"], "external_offers": "on",
                                 "yearly_cost_above": "1000000"})
    assert response.status_code == 302
    rule = services.rule()
    assert (rule.paragraphs, rule.external_offers, rule.yearly_cost_above) == (["SEL107", "SEL108"], True,
                                                                               Decimal("1000000.00"))


def test_the_decision_form_says_which_grants_go_to_the_meeting(client, world, case):
    _citizen, ass, _meeting = case
    client.force_login(world.users["caseworker"])
    page = client.get(reverse("visitation:decision_new", args=[ass.pk])).content.decode()
    note = page.split('id="meeting-rule-note">')[1].split("</p>")[0]
    assert "SEL §107 (midlertidigt botilbud), SEL §108 (længerevarende botilbud); et eksternt tilbud; over 1.000.000 kr." \
        in note


def test_holding_a_meeting_moves_what_it_did_not_reach_to_the_next(world, case):
    citizen, ass, meeting = case
    proposal = _propose(world, citizen, ass)
    following = services.plan_meeting(actor=world.users["leader"], held_on=NEXT_WEEK + datetime.timedelta(days=7),
                                      participants=[world.users["leader"]])
    services.hold_meeting(meeting, actor=world.users["leader"])
    proposal.refresh_from_db()
    meeting.refresh_from_db()
    assert (meeting.status, proposal.meeting, proposal.status) == ("held", following, ProposalStatus.PROPOSED)
    assert not Decision.objects.exists()


def test_a_new_rule_is_a_new_dated_setting_and_the_earlier_one_is_kept(client, world):
    first = services.set_rule(actor=world.users["leader"], paragraphs=["SEL108"], external_offers=False,
                              yearly_cost_above=None)
    second = services.set_rule(actor=world.users["admin"], paragraphs=["SEL107", "SEL108"], external_offers=True,
                               yearly_cost_above=Decimal("1000000.00"))
    assert first.pk != second.pk
    first.refresh_from_db()
    assert (first.paragraphs, first.external_offers, first.changed_by) == (["SEL108"], False, world.users["leader"])
    assert services.rule() == second
    assert [r.pk for r in services.rule_history()] == [second.pk, first.pk]
    client.force_login(world.users["leader"])
    page = client.get(reverse("meetings:rule")).content.decode()
    history = page[page.index('id="rule-history"'):]
    assert "SEL §108" in history and "SEL §107" not in history  # only the earlier setting is listed there


def test_the_rule_pages_choices_are_boxes_the_design_system_draws(client, world):
    """A box inside its label is drawn as nothing by the design system's reset: each paragraph is
    an input followed by its own label, the chosen ones ticked."""
    services.set_rule(actor=world.users["leader"], paragraphs=["SEL108"], external_offers=False,
                      yearly_cost_above=None)
    client.force_login(world.users["leader"])
    page = client.get(reverse("meetings:rule")).content.decode()
    box = re.search(r'<input type="checkbox" name="paragraphs" value="SEL108" class="form-checkbox"[^>]*>', page)
    assert box and "checked" in box.group(0)
    assert page[box.end():].startswith('<label class="form-label" for="')


def test_the_approved_decision_is_audited_as_the_leaders_and_kept_as_the_caseworkers(world, case):
    citizen, ass, meeting = case
    proposal = _propose(world, citizen, ass)
    _meeting_day_comes(meeting)
    services.approve(proposal, actor=world.users["leader"])
    decision = Decision.objects.get(citizen=citizen)
    assert decision.decided_by == world.users["caseworker"] and decision.grant.decided_by == world.users["caseworker"]
    for obj in (decision, decision.grant):
        created = AuditEntry.objects.get(action="create", object_type=obj._meta.label_lower, object_id=str(obj.pk))
        assert (created.actor, created.actor_role) == (world.users["leader"], "leader"), obj


def test_a_changed_decision_is_audited_as_the_leaders(world, case):
    citizen, ass, meeting = case
    proposal = _propose(world, citizen, ass)
    _meeting_day_comes(meeting)
    services.change(proposal, actor=world.users["leader"], reason="Senere start",
                    start=TODAY + datetime.timedelta(days=30))
    decision = Decision.objects.get(citizen=citizen)
    created = AuditEntry.objects.get(action="create", object_type="visitation.decision", object_id=str(decision.pk))
    assert created.actor == world.users["leader"] and decision.decided_by == world.users["caseworker"]


def test_the_meeting_answers_a_proposal_only_on_its_day_or_later(world, case):
    citizen, ass, meeting = case
    proposal = _propose(world, citizen, ass)
    leader = world.users["leader"]
    answers = (lambda: services.approve(proposal, actor=leader),
               lambda: services.change(proposal, actor=leader, reason="Senere start", start=NEXT_WEEK),
               lambda: services.send_back(proposal, actor=leader, reason="Prøv §107 først"))
    for answer in answers:
        with pytest.raises(services.MeetingError, match=f"meeting on {NEXT_WEEK:%d.%m.%Y}: .* on that day or later"):
            answer()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED and proposal.handled_by is None
    assert not Decision.objects.exists()
    assert not AuditEntry.objects.filter(action="change", object_type="meetings.proposal").exists()
    _meeting_day_comes(meeting)
    services.approve(proposal, actor=leader)
    assert Decision.objects.filter(citizen=citizen).count() == 1


def test_a_proposal_on_no_meetings_agenda_is_not_answered(world):
    inq = screened_in(world)
    ass = assessment(world, inq.citizen, inquiry=inq)
    proposal = _propose(world, inq.citizen, ass)
    assert proposal.meeting is None
    with pytest.raises(services.MeetingError, match="not on a meeting's agenda"):
        services.approve(proposal, actor=world.users["leader"])
    assert not Decision.objects.exists()


def test_a_held_meeting_is_answered_even_when_marked_held_before_its_day(world, case):
    citizen, ass, meeting = case
    proposal = _propose(world, citizen, ass)
    Meeting.objects.filter(pk=meeting.pk).update(status="held")
    services.send_back(proposal, actor=world.users["leader"], reason="Prøv §107 først")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SENT_BACK


def test_before_the_meetings_day_its_page_offers_no_answer_and_refuses_one_with_a_message(client, world, case):
    citizen, ass, meeting = case
    proposal = _propose(world, citizen, ass)
    client.force_login(world.users["leader"])
    url = reverse("meetings:meeting", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert 'value="approve"' not in page and 'value="send_back"' not in page
    assert f"Mødet besvarer indstillingen den {NEXT_WEEK:%d.%m.%Y} eller senere" in page
    proposal_page = client.get(reverse("meetings:proposal", args=[proposal.pk])).content.decode()
    assert 'name="action" value="change"' not in proposal_page
    assert f"Mødet besvarer indstillingen den {NEXT_WEEK:%d.%m.%Y} eller senere" in proposal_page
    # A page opened earlier still posts: refused on the page, in the error summary, nothing written.
    refused = client.post(url, {"proposal": proposal.pk, "action": "approve", "reason": ""})
    assert refused.status_code == 200
    summary = refused.content.decode().split('id="error-summary"')[1].split("</ul>")[0]
    assert f"Indstillingen er på dagsordenen for mødet den {NEXT_WEEK:%d.%m.%Y}" in summary
    changed = client.post(reverse("meetings:proposal", args=[proposal.pk]), {
        "action": "change", "change-kind": "grant", "change-offer": world.residential.pk,
        "change-start": TODAY.isoformat(), "change-justification": "Behov", "change-intrusive_reason": "Prøvet",
        "change-reason": "Senere start"})
    assert changed.status_code == 200
    assert f"Indstillingen er på dagsordenen for mødet den {NEXT_WEEK:%d.%m.%Y}" in changed.content.decode()
    assert not Decision.objects.exists()
    _meeting_day_comes(meeting)
    page = client.get(url).content.decode()
    assert 'value="approve"' in page and 'id="error-summary"' not in page
