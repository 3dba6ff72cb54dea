"""Relatives and network persons at follow-ups and network meetings, and as a goal's supporters:
invited only with the citizen's consent valid on the meeting day, linked to the citizen's own
Relative rows, who took part recorded after the meeting, all through the audited services."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from roret.citizens import services as citizen_services
from roret.core.models import AuditEntry
from roret.core.permissions import NotInScope
from roret.outcomes import services
from roret.outcomes.models import FollowUpParticipant, GoalSupporter
from roret.visitation import services as visitation
from roret.visitation.models import NetworkMeetingParticipant
from tests.factories import PASSWORD
from tests.visitation import helpers
from tests.visitation.helpers import TODAY, term

DAY = datetime.timedelta(days=1)


@pytest.fixture
def case(world):
    """A granted citizen (with an open follow-up due in a year) and a sister recorded as a relative."""
    decision = helpers.granted(world)
    citizen = decision.citizen
    sister = citizen_services.add_relative(citizen, actor=world.users["caseworker"], name="Mette Søster",
                                           relation="sibling")
    return citizen, decision.grant.follow_ups.get(held_on=None), sister


def consent(world, citizen, subject="network_meeting", given_on=None, expires_on=None):
    return citizen_services.record_consent(citizen, actor=world.users["caseworker"], subject=subject,
                                           given_on=given_on or TODAY - 30 * DAY, given_by="Borgeren",
                                           expires_on=expires_on)


def participant_entries():
    return AuditEntry.objects.filter(object_type__in=["outcomes.followupparticipant",
                                                      "visitation.networkmeetingparticipant"])


def test_a_relative_without_the_citizens_consent_cannot_be_invited_and_nothing_is_written(world, case):
    citizen, follow_up, sister = case
    consent(world, citizen, subject="share_health")  # a consent about something else does not count
    with pytest.raises(ValidationError, match="Mette Søster cannot be invited"):
        services.invite_to_follow_up(follow_up, sister, actor=world.users["caseworker"])
    assert not FollowUpParticipant.objects.exists()
    assert not participant_entries().exists()


def test_with_consent_a_relative_is_invited_linked_to_the_relative_row_and_audited(world, case, assert_audited):
    citizen, follow_up, sister = case
    given = consent(world, citizen)
    cw = world.users["caseworker"]
    row = services.invite_to_follow_up(follow_up, sister, actor=cw, role="Støtteperson")
    assert list(follow_up.participants.all()) == [row]
    assert row.relative == sister and row.relative.citizen == citizen
    assert row.took_part == "unknown" and row.invited_on == TODAY
    entry = assert_audited("create", cw, citizen=citizen, obj=row)
    assert entry.after["consent"] == given.pk
    with pytest.raises(ValidationError, match="already invited"):
        services.invite_to_follow_up(follow_up, sister, actor=cw)


def test_a_consent_that_expires_or_is_withdrawn_before_the_meeting_day_does_not_cover_it(world, case):
    citizen, follow_up, sister = case
    cw = world.users["caseworker"]
    # Valid today, but the follow-up is due in about a year and the consent ends before that.
    consent(world, citizen, expires_on=follow_up.due_on - DAY)
    with pytest.raises(ValidationError, match="valid on"):
        services.invite_to_follow_up(follow_up, sister, actor=cw)
    withdrawn = consent(world, citizen, given_on=TODAY - 10 * DAY)
    citizen_services.withdraw_consent(withdrawn, actor=cw, on=TODAY)
    with pytest.raises(ValidationError, match="valid on"):
        services.invite_to_follow_up(follow_up, sister, actor=cw)
    assert not FollowUpParticipant.objects.exists()
    # A consent running past the meeting day covers it.
    consent(world, citizen, given_on=TODAY - 5 * DAY, expires_on=follow_up.due_on + DAY)
    assert services.invite_to_follow_up(follow_up, sister, actor=cw).relative == sister


def test_a_relative_of_another_citizen_is_never_attached(world, case):
    citizen, follow_up, _sister = case
    cw = world.users["caseworker"]
    consent(world, citizen)
    consent(world, citizen, subject="share_relatives")
    other = world.citizen(first_name="Anden")
    consent(world, other)
    strangers_brother = citizen_services.add_relative(other, actor=cw, name="Fremmed Bror", relation="sibling")
    with pytest.raises(ValidationError, match="own relatives"):
        services.invite_to_follow_up(follow_up, strangers_brother, actor=cw)
    meeting = helpers.assessment(world, citizen, meeting={"held_on": TODAY - DAY}).meetings.get()
    with pytest.raises(ValidationError, match="own relatives"):
        visitation.invite_to_meeting(meeting, strangers_brother, actor=cw)
    goal = services.add_goal(citizen, actor=cw, goal_type=term("Udvikle funktionsevne"), theme=term("Lave mad"),
                             own_words="Lave mad selv", target_date=TODAY + 90 * DAY)
    with pytest.raises(ValidationError, match="own relatives"):
        services.name_supporter(goal, strangers_brother, actor=cw)
    assert not (FollowUpParticipant.objects.exists() or NetworkMeetingParticipant.objects.exists()
                or GoalSupporter.objects.exists())


def test_only_a_caseworker_with_the_citizen_in_scope_invites(world, case):
    citizen, follow_up, sister = case
    consent(world, citizen)
    for persona in ("outsider", "centre_staff"):
        with pytest.raises(NotInScope):
            services.invite_to_follow_up(follow_up, sister, actor=world.users[persona])
    assert not FollowUpParticipant.objects.exists()


def test_network_meeting_participants_link_to_relatives_and_who_took_part_is_recorded(world, case, assert_audited):
    citizen, _follow_up, sister = case
    cw = world.users["caseworker"]
    friend = citizen_services.add_relative(citizen, actor=cw, name="Jonas Ven", relation="friend",
                                           is_network_person=True)
    meeting = helpers.assessment(world, citizen, meeting={"held_on": TODAY - 2 * DAY, "providers": "Bostøtten"}
                                 ).meetings.get()
    with pytest.raises(ValidationError, match="Jonas Ven cannot be invited"):
        visitation.invite_to_meeting(meeting, friend, actor=cw)
    # A consent given after the meeting does not cover it; one given before does.
    consent(world, citizen, given_on=TODAY - DAY)
    with pytest.raises(ValidationError, match="valid on"):
        visitation.invite_to_meeting(meeting, friend, actor=cw)
    consent(world, citizen, given_on=TODAY - 20 * DAY)
    a = visitation.invite_to_meeting(meeting, sister, actor=cw)
    b = visitation.invite_to_meeting(meeting, friend, actor=cw, role="Ven")
    assert {p.relative for p in meeting.participants.all()} == {sister, friend}
    assert_audited("create", cw, citizen=citizen, obj=b)
    assert visitation.record_meeting_attendance(meeting, {a.pk: "yes", b.pk: "no"}, actor=cw) == 2
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.took_part, b.took_part) == ("yes", "no")
    assert "Mette Søster: Took part" in assert_audited("change", cw, citizen=citizen, obj=meeting).summary
    with pytest.raises(ValidationError, match="choose whether"):
        visitation.record_meeting_attendance(meeting, {a.pk: "maybe"}, actor=cw)
    a.refresh_from_db()
    assert a.took_part == "yes"


def test_who_took_part_in_a_follow_up_is_recorded_when_it_is_held(world, case, assert_audited):
    citizen, follow_up, sister = case
    cw = world.users["caseworker"]
    consent(world, citizen)
    row = services.invite_to_follow_up(follow_up, sister, actor=cw)
    with pytest.raises(ValidationError, match="when the follow-up is held"):
        services.record_follow_up_attendance(follow_up, {row.pk: "yes"}, actor=cw)
    services.hold_follow_up(follow_up, actor=cw, held_on=TODAY, outcome="continue", attendance={row.pk: "yes"})
    row.refresh_from_db()
    assert row.took_part == "yes"
    services.record_follow_up_attendance(follow_up, {row.pk: "no"}, actor=cw)
    row.refresh_from_db()
    assert row.took_part == "no"
    assert_audited("change", cw, citizen=citizen, obj=follow_up)


def test_a_goal_supporter_needs_consent_to_share_with_relatives_and_is_shown_on_the_goals_page(world, case, client):
    citizen, _follow_up, sister = case
    cw = world.users["caseworker"]
    goal = services.add_goal(citizen, actor=cw, goal_type=term("Udvikle funktionsevne"), theme=term("Lave mad"),
                             own_words="Lave mad selv to gange om ugen", target_date=TODAY + 90 * DAY)
    consent(world, citizen)  # to invite to meetings: not to share the plan
    with pytest.raises(ValidationError, match="cannot be named as a supporter"):
        services.name_supporter(goal, sister, actor=cw)
    assert not GoalSupporter.objects.exists()
    consent(world, citizen, subject="share_relatives")
    supporter = services.name_supporter(goal, sister, actor=cw, how="Laver mad med ham om søndagen")
    assert list(goal.supporters.all()) == [supporter] and supporter.relative == sister
    client.login(username="caseworker", password=PASSWORD)
    page = client.get(f"/outcomes/citizens/{citizen.pk}/").content.decode()
    assert "Mette Søster" in page and "Laver mad med ham om søndagen" in page


# --- the pages -------------------------------------------------------------------------------------

def test_the_follow_up_page_refuses_an_invitation_without_consent_keeping_what_was_typed(world, case, client):
    citizen, follow_up, sister = case
    client.login(username="caseworker", password=PASSWORD)
    url = f"/outcomes/follow-ups/{follow_up.pk}/"
    response = client.post(url, {"action": "invite", "relative": sister.pk, "role": "Storesøster"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="error-summary"' in page
    assert "Mette Søster" in page and 'value="Storesøster"' in page
    assert f'<option value="{sister.pk}" selected>' in page
    assert not FollowUpParticipant.objects.exists()
    consent(world, citizen)
    response = client.post(url, {"action": "invite", "relative": sister.pk, "role": "Storesøster"})
    assert response.status_code == 302
    assert FollowUpParticipant.objects.get().relative == sister
    assert "Storesøster" in client.get(url).content.decode()


def test_the_assessment_page_invites_to_a_network_meeting_and_records_who_took_part(world, case, client):
    citizen, _follow_up, sister = case
    consent(world, citizen, given_on=TODAY - 60 * DAY)
    meeting = helpers.assessment(world, citizen, meeting={"held_on": TODAY - 3 * DAY}).meetings.get()
    url = f"/visitation/assessments/{meeting.assessment_id}/"
    client.login(username="centre_staff", password=PASSWORD)
    assert client.post(url, {"action": "invite", "meeting": meeting.pk, "relative": sister.pk}).status_code == 404
    client.logout()
    client.login(username="caseworker", password=PASSWORD)
    assert client.post(url, {"action": "invite", "meeting": meeting.pk, "relative": sister.pk}).status_code == 302
    row = NetworkMeetingParticipant.objects.get()
    assert row.relative == sister and row.meeting == meeting
    assert client.post(url, {"action": "attendance", "meeting": meeting.pk,
                             f"took_part_{row.pk}": "yes"}).status_code == 302
    row.refresh_from_db()
    assert row.took_part == "yes"
    timeline = client.get(f"/visitation/citizens/{citizen.pk}/timeline/").content.decode()
    assert "Mette Søster" in timeline


def test_both_meetings_participants_share_one_base_and_one_invitation_service(world, case, monkeypatch):
    """The review mend: one abstract MeetingParticipant (fields, ordering, text) and one
    citizens.services.invite_relative that both meetings' invitations go through."""
    from roret.citizens.models import MeetingParticipant

    assert issubclass(FollowUpParticipant, MeetingParticipant) and issubclass(NetworkMeetingParticipant,
                                                                              MeetingParticipant)
    shared = {"invited_on", "took_part", "role", "invited_by"}
    for model in (FollowUpParticipant, NetworkMeetingParticipant):
        assert shared <= {f.name for f in model._meta.fields}
        assert model._meta.ordering == ["invited_on", "pk"]
    # The relatives keep their related names (relative.follow_ups, relative.network_meetings).
    assert FollowUpParticipant._meta.get_field("relative").remote_field.related_name == "follow_ups"
    assert NetworkMeetingParticipant._meta.get_field("relative").remote_field.related_name == "network_meetings"
    calls = []
    real = citizen_services.invite_relative
    monkeypatch.setattr(citizen_services, "invite_relative", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    citizen, follow_up, sister = case
    consent(world, citizen)
    cw = world.users["caseworker"]
    row = services.invite_to_follow_up(follow_up, sister, actor=cw)
    assert str(row) == "Mette Søster (Not recorded)"
    meeting = helpers.assessment(world, citizen, meeting={"held_on": TODAY - 2 * DAY}).meetings.get()
    other = visitation.invite_to_meeting(meeting, sister, actor=cw)
    assert str(other) == "Mette Søster (Not recorded)"
    assert calls == [FollowUpParticipant, NetworkMeetingParticipant]
    assert participant_entries().count() == 2


def test_the_shared_invitation_refuses_a_meeting_outside_the_callers_scope(world, case):
    citizen, follow_up, sister = case
    consent(world, citizen)
    with pytest.raises(NotInScope):
        citizen_services.invite_relative(FollowUpParticipant, follow_up, sister, actor=world.users["outsider"],
                                         day=lambda f: f.due_on, what="opfølgning")
    assert not FollowUpParticipant.objects.exists()
