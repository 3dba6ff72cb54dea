"""The case flow's services: inquiry, screening, assessment, decision, placement, with bad input."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from roret.citizens import services as citizen_services
from roret.citizens.models import Citizen
from roret.core.models import AuditEntry
from roret.core.permissions import NotInScope
from roret.placements.models import Grant, Placement
from roret.placements.services import PlacementError
from roret.visitation import deadlines, queries, services, staircase
from roret.visitation.models import Assessment, Decision, Inquiry, InquiryStatus, Transition
from tests.factories import make_cpr
from tests.visitation import helpers
from tests.visitation.helpers import TODAY, term, theme_id


def _counts():
    return (Inquiry.objects.count(), Decision.objects.count(), Grant.objects.count(), Placement.objects.count(),
            Assessment.objects.count(), AuditEntry.objects.count())


def test_an_inquiry_registers_an_unknown_citizen_into_the_caseworkers_team_and_starts_the_deadline(
        world, assert_audited):
    received = datetime.date(2025, 12, 1)
    inquiry = helpers.inquiry(world, received_on=received, paragraph="SEL85")
    assert inquiry.citizen.team == world.team
    assert Citizen.objects.restrict(world.users["caseworker"], "change").filter(pk=inquiry.citizen.pk).exists()
    # SEL §85: 8 weeks -> 26.01.2026, a Monday and a working day.
    assert inquiry.deadline == datetime.date(2026, 1, 26)
    assert inquiry.status == InquiryStatus.OPEN
    assert_audited("create", world.users["caseworker"], citizen=inquiry.citizen, obj=inquiry)


def test_a_deadline_on_a_public_holiday_moves_to_the_next_working_day():
    # 2026-04-06 is Easter Monday (2. påskedag); the deadline moves on to Tuesday 7 April.
    assert not deadlines.is_working_day(datetime.date(2026, 4, 6))
    assert deadlines.next_working_day(datetime.date(2026, 4, 3)) == datetime.date(2026, 4, 7)  # Good Friday
    # (1 April, 8 April]: Maundy Thursday, Good Friday, the weekend and Easter Monday are off -> 7 and 8 April.
    assert deadlines.working_days_between(datetime.date(2026, 4, 1), datetime.date(2026, 4, 8)) == 2
    assert deadlines.working_days_between(datetime.date(2026, 4, 8), datetime.date(2026, 4, 1)) == -2


def test_deadline_weeks_come_from_the_municipalitys_table(world):
    from roret.visitation.models import CaseDeadline

    CaseDeadline.objects.filter(paragraph="SEL85").update(weeks=2)
    assert deadlines.deadline_for(datetime.date(2026, 3, 2), "SEL85") == datetime.date(2026, 3, 16)


def test_an_inquiry_from_childrens_services_about_a_16_year_old_opens_a_youth_transition(world):
    birth = TODAY.replace(year=TODAY.year - 17) - datetime.timedelta(days=3)
    inquiry = helpers.inquiry(world, birth=birth, source="children")
    transition = Transition.objects.get(citizen=inquiry.citizen)
    assert transition.kind == "youth" and transition.closed_on is None


def test_an_inquiry_without_a_valid_cpr_number_changes_nothing(world):
    before = _counts()
    with pytest.raises(ValidationError) as info:
        services.register_inquiry(actor=world.users["caseworker"], source="citizen", received_on=TODAY, about="x",
                                  paragraph="SEL85", cpr="123", first_name="A", last_name="B")
    assert "cpr" in info.value.message_dict
    assert _counts() == before


def test_an_inquiry_about_another_teams_citizen_is_routed_to_that_team_and_reveals_nothing(world):
    other = world.citizen(team=world.other_team, actor=world.users["outsider"])
    caseworker, outsider = world.users["caseworker"], world.users["outsider"]
    result = services.register_inquiry(actor=caseworker, source="hospital", received_on=TODAY, about="Udskrives snart",
                                       paragraph="SEL85", cpr=other.cpr)
    # The answer is only that the inquiry was sent on: no citizen, team or record.
    assert isinstance(result, services.Routed)
    assert set(vars(result)) == {"received_on", "deadline"}
    inquiry = Inquiry.objects.get(citizen=other)
    assert (inquiry.team, inquiry.caseworker, inquiry.registered_by) == (world.other_team, None, caseworker)
    assert other.team == world.other_team and not Citizen.objects.restrict(caseworker, "view").filter(pk=other.pk)
    with pytest.raises(NotInScope):
        services.take_inquiry(inquiry, actor=caseworker)
    # The look-up is audited against the citizen with its purpose, so it stands in their access log.
    lookup = AuditEntry.objects.get(action="search", actor=caseworker, citizen_id=other.pk)
    assert lookup.reason == services.LOOKUP_PURPOSE
    # The responsible team sees the unassigned case and takes it.
    rows = queries.open_inquiries(outsider, TODAY)
    assert [(r.pk, r.caseworker_id) for r in rows] == [(inquiry.pk, None)]
    services.take_inquiry(inquiry, actor=outsider)
    inquiry.refresh_from_db()
    assert inquiry.caseworker == outsider
    with pytest.raises(ValidationError, match="already has a caseworker"):
        services.take_inquiry(inquiry, actor=outsider)


def test_an_unknown_cpr_number_registers_the_citizen_and_the_lookup_is_audited_without_a_citizen(world):
    caseworker = world.users["caseworker"]
    inquiry = services.register_inquiry(actor=caseworker, source="citizen", received_on=TODAY, about="Ny borger",
                                        paragraph="SEL85", cpr=make_cpr(), first_name="Ny", last_name="Borger")
    assert inquiry.citizen.team == world.team and inquiry.caseworker == caseworker
    assert AuditEntry.objects.filter(action="search", actor=caseworker, citizen_id__isnull=True,
                                     reason=services.LOOKUP_PURPOSE).exists()


def _teamless(world):
    citizen = world.citizen(first_name="Uden", last_name="Team")
    Citizen.objects.filter(pk=citizen.pk).update(team=None)
    return Citizen.objects.get(pk=citizen.pk)


def test_a_citizen_without_a_team_is_taken_into_the_caseload_only_explicitly_with_a_reason(world):
    citizen = _teamless(world)
    caseworker = world.users["caseworker"]
    before = (Inquiry.objects.count(), AuditEntry.objects.filter(action="change").count())
    with pytest.raises(ValidationError, match="no responsible team") as refused:
        services.register_inquiry(actor=caseworker, source="citizen", received_on=TODAY, about="x",
                                  paragraph="SEL85", cpr=citizen.cpr)
    assert "take_reason" in refused.value.error_dict
    with pytest.raises(ValidationError, match="reason"):
        services.register_inquiry(actor=caseworker, source="citizen", received_on=TODAY, about="x",
                                  paragraph="SEL85", cpr=citizen.cpr, take_reason="ok")
    citizen.refresh_from_db()
    assert citizen.team is None
    assert (Inquiry.objects.count(), AuditEntry.objects.filter(action="change").count()) == before
    inquiry = services.register_inquiry(actor=caseworker, source="citizen", received_on=TODAY, about="x",
                                        paragraph="SEL85", cpr=citizen.cpr,
                                        take_reason="Borgeren bor i vores distrikt og har søgt bostøtte")
    citizen.refresh_from_db()
    assert citizen.team == world.team and inquiry.team == world.team
    taken = AuditEntry.objects.get(action="change", citizen_id=citizen.pk, actor=caseworker)
    assert taken.reason == "Borgeren bor i vores distrikt og har søgt bostøtte"
    assert (taken.before, taken.after) == ({"team": None}, {"team": world.team.pk})


@pytest.mark.parametrize("persona", ["centre_staff", "centre_leader", "economist", "committee", "admin"])
def test_only_a_caseworker_takes_a_citizen_without_a_team_into_a_caseload(world, persona):
    citizen = _teamless(world)
    with pytest.raises(NotInScope):
        citizen_services.take_into_caseload(citizen.pk, actor=world.users[persona], reason="En god grund til det")
    citizen.refresh_from_db()
    assert citizen.team is None


def test_a_citizen_of_another_team_cannot_be_taken_into_a_caseload(world):
    other = world.citizen(team=world.other_team)
    with pytest.raises(NotInScope):
        citizen_services.take_into_caseload(other.pk, actor=world.users["caseworker"], reason="En god grund til det")


def test_screening_out_records_where_the_citizen_was_guided_and_closes_the_inquiry(world, assert_audited):
    inquiry = helpers.inquiry(world)
    with pytest.raises(ValidationError, match="guided somewhere"):
        services.screen(inquiry, actor=world.users["caseworker"], outcome="out", reason="Ikke i målgruppen")
    screening = services.screen(inquiry, actor=world.users["caseworker"], outcome="out", reason="Ikke i målgruppen",
                                guided_to="single_entry", guided_to_detail="Rådgivning i En Indgang")
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.SCREENED_OUT and inquiry.closed_on == screening.screened_on
    assert_audited("create", world.users["caseworker"], citizen=inquiry.citizen, obj=screening)
    with pytest.raises(ValidationError, match="screened out"):
        helpers.assessment(world, inquiry.citizen, inquiry=inquiry)


def test_an_assessment_needs_the_citizens_own_words_first(world):
    inquiry = helpers.screened_in(world)
    with pytest.raises(ValidationError, match="own perspective"):
        services.assess(inquiry.citizen, actor=world.users["caseworker"], hopes="  ",
                        support_need=term("Højt støttebehov"))
    with pytest.raises(ValidationError, match="not under 'Aktivitet og deltagelse'"):
        services.assess(inquiry.citizen, actor=world.users["caseworker"], hopes="Eget hjem",
                        support_need=term("Højt støttebehov"), levels={theme_id("Mentale funktioner"): 2})
    with pytest.raises(ValidationError, match="0 \\(none\\) to 4"):
        services.assess(inquiry.citizen, actor=world.users["caseworker"], hopes="Eget hjem",
                        support_need=term("Højt støttebehov"), levels={theme_id("Mobilitet"): 5})
    assert not Assessment.objects.exists()


def test_a_reassessment_keeps_the_earlier_version_and_shows_the_difference_per_theme(world):
    inquiry = helpers.screened_in(world)
    first = helpers.assessment(world, inquiry.citizen, inquiry=inquiry,
                               meeting={"held_on": TODAY, "relatives": "Søster", "providers": "Bostedet"})
    second = helpers.assessment(world, inquiry.citizen, need="Moderat støttebehov", levels={
        theme_id("Praktiske opgaver"): 2, theme_id("Egenomsorg"): 2, theme_id("Relationer"): 4,
        theme_id("Mobilitet"): 1})
    assert (first.version, second.version) == (1, 2)
    assert first.meetings.get().relatives == "Søster"
    rows = {r["theme"].display: r for r in services.theme_differences(second)}
    assert rows["Praktiske opgaver"]["change"] == -1
    assert rows["Relationer"]["change"] == 1
    assert rows["Egenomsorg"]["change"] == 0
    assert rows["Mobilitet"]["previous_level"] is None and rows["Mobilitet"]["change"] is None
    assert rows["Samfundsliv"]["label"] == "Ikke vurderet"
    # The whole history (timeline, API) gives each version the same rows in a fixed number of queries.
    newest, oldest = services.assessment_history(inquiry.citizen)
    assert (newest.pk, oldest.pk) == (second.pk, first.pk)
    assert newest.differences == services.theme_differences(second)
    assert oldest.differences == services.theme_differences(first)
    assert all(d["previous_level"] is None for d in oldest.differences)


def test_the_staircase_proposes_the_least_intrusive_adequate_fitting_offers(world):
    inquiry = helpers.screened_in(world)
    ass = helpers.assessment(world, inquiry.citizen, inquiry=inquiry)   # high support need -> step 5 and up
    lowest, rows = staircase.propose(inquiry.citizen, ass)
    assert lowest == 6
    assert [r.offer for r in rows] == [world.external, world.residential]
    assert rows[0].lowest and not rows[0].own and rows[1].own and rows[1].vacancy == 2
    assert rows[1].tariff_amount == world.residential.tariff_on(TODAY).amount
    moderate = helpers.assessment(world, inquiry.citizen, need="Moderat støttebehov")
    lowest, rows = staircase.propose(inquiry.citizen, moderate)
    assert lowest == 4 and rows[0].offer == world.day_offer


def test_a_more_intrusive_step_than_the_lowest_adequate_needs_a_written_reason(world):
    inquiry = helpers.screened_in(world)
    ass = helpers.assessment(world, inquiry.citizen, inquiry=inquiry)
    before = _counts()
    with pytest.raises(ValidationError, match="more intrusive"):
        services.decide(inquiry.citizen, actor=world.users["caseworker"], kind="grant", paragraph="SEL108",
                        justification="Behov for døgnstøtte", assessment=ass, offer=world.residential, start=TODAY)
    assert _counts() == before
    decision = services.decide(inquiry.citizen, actor=world.users["caseworker"], kind="grant", paragraph="SEL108",
                               justification="Behov for døgnstøtte", assessment=ass, offer=world.residential,
                               start=TODAY, intrusive_reason="Midlertidigt ophold er prøvet to gange")
    assert (decision.lowest_adequate_step, decision.chosen_step) == (6, 7)
    assert decision.grant.preferred_offer == world.residential
    from roret.core.periods import add_months_clamped

    assert decision.grant.follow_ups.get().due_on == add_months_clamped(TODAY, 12)
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.DECIDED


def test_a_decision_without_legal_basis_is_refused_and_changes_nothing(world):
    inquiry = helpers.screened_in(world)
    ass = helpers.assessment(world, inquiry.citizen, inquiry=inquiry)
    before = _counts()
    with pytest.raises(ValidationError) as info:
        services.decide(inquiry.citizen, actor=world.users["caseworker"], kind="grant", paragraph="",
                        justification="x", assessment=ass, offer=world.external, start=TODAY)
    assert "legal basis" in info.value.message_dict["paragraph"][0]
    assert _counts() == before


def test_a_decision_with_several_problems_names_them_all_at_once(world):
    """The page lists every problem of the decision, so the service reports them together."""
    inquiry = helpers.screened_in(world)
    ass = helpers.assessment(world, inquiry.citizen, inquiry=inquiry)
    before = _counts()
    with pytest.raises(ValidationError) as info:
        services.decide(inquiry.citizen, actor=world.users["caseworker"], kind="grant", paragraph="SEL85",
                        justification="  ", assessment=ass, offer=world.external, start=TODAY,
                        review_on=TODAY - datetime.timedelta(days=1))
    assert set(info.value.message_dict) >= {"justification", "offer", "review_on"}
    assert _counts() == before


def test_a_refusal_is_recorded_with_legal_basis_and_justification_and_no_grant(world, assert_audited):
    inquiry = helpers.screened_in(world)
    ass = helpers.assessment(world, inquiry.citizen, inquiry=inquiry, need="Let støttebehov")
    with pytest.raises(ValidationError, match="justification"):
        services.decide(inquiry.citizen, actor=world.users["caseworker"], kind="refusal", paragraph="SEL108",
                        justification="", assessment=ass)
    decision = services.decide(inquiry.citizen, actor=world.users["caseworker"], kind="refusal", paragraph="SEL108",
                               justification="Behovet kan dækkes af bostøtte efter §85.", assessment=ass)
    assert decision.grant is None
    assert_audited("create", world.users["caseworker"], citizen=inquiry.citizen, obj=decision)


def test_placement_from_a_decision_reuses_start_placement_and_a_full_offer_is_refused(world):
    for n in range(2):
        world.place(world.citizen(first_name=f"Beboer{n}"), world.residential, start=TODAY - datetime.timedelta(days=40))
    decision = helpers.granted(world, offer=world.residential)
    before = _counts()
    with pytest.raises(PlacementError) as info:
        services.place_from_decision(decision, world.residential, decision.start, actor=world.users["caseworker"])
    assert info.value.code == "full"
    assert _counts() == before
    placement = services.place_from_decision(decision, world.external, decision.start,
                                             actor=world.users["caseworker"], external_reason="no_vacancy")
    assert placement.grant == decision.grant and placement.is_residential
    # A new residential placement is followed up three months after move-in.
    from roret.outcomes.services import residential_follow_up_due

    assert decision.grant.follow_ups.get(held_on=None).due_on == residential_follow_up_due(decision.start)


def test_only_a_caseworker_with_the_citizen_in_their_caseload_decides(world):
    inquiry = helpers.screened_in(world)
    ass = helpers.assessment(world, inquiry.citizen, inquiry=inquiry)
    for persona in ("outsider", "centre_staff"):
        with pytest.raises(NotInScope):
            services.decide(inquiry.citizen, actor=world.users[persona], kind="refusal", paragraph="SEL108",
                            justification="x", assessment=ass)


def test_moving_a_citizen_to_elderly_care_ends_placements_with_that_reason(world, assert_audited):
    citizen = world.citizen(birth=datetime.date(1955, 1, 2))
    placement = world.place(citizen, world.residential, start=datetime.date(2020, 1, 1))
    services.move_to_elderly_care(citizen, actor=world.users["caseworker"], on=TODAY, note="Plejebolig")
    placement.refresh_from_db()
    assert (placement.end, placement.end_reason) == (TODAY, "elderly_care")
    transition = Transition.objects.get(citizen=citizen, kind="elderly")
    assert transition.closed_on == TODAY and "Plejebolig" in transition.end_reason
    assert_audited("change", world.users["caseworker"], citizen=citizen, obj=placement)
