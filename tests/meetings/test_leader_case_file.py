"""The department leader reads the case file (the open cases of every team, an inquiry, a
decision) and changes nothing in it: no screening form, no placement form, no letter, no take."""

from django.test import Client
from django.urls import reverse

from roret.visitation.models import Inquiry
from tests.visitation.helpers import granted, inquiry


def test_the_leader_lists_every_teams_cases_and_filters_by_team(client, world):
    ours = inquiry(world)
    theirs = inquiry(world, birth=ours.citizen.birth_date.replace(year=1985))
    Inquiry.objects.filter(pk=theirs.pk).update(team=world.other_team, caseworker=None)
    client.force_login(world.users["leader"])
    page = client.get(reverse("visitation:cases")).content.decode()
    assert reverse("visitation:inquiry", args=[ours.pk]) in page
    assert reverse("visitation:inquiry", args=[theirs.pk]) in page
    assert 'id="filter-team"' in page
    assert reverse("visitation:inquiry_take", args=[theirs.pk]) not in page  # unassigned, but not the leader's to take
    # No links to pages the leader may not open: intake, follow-ups, transitions; no "mine".
    for absent in (reverse("visitation:inquiry_new"), reverse("outcomes:due"), reverse("visitation:transitions"),
                   "?who=mine", '<option value="mine"'):
        assert absent not in page, absent
    assert 'id="all-cases-summary"' in page
    only_other = client.get(reverse("visitation:cases"), {"team": world.other_team.pk}).content.decode()
    assert reverse("visitation:inquiry", args=[theirs.pk]) in only_other
    assert reverse("visitation:inquiry", args=[ours.pk]) not in only_other


def test_a_caseworker_gets_no_team_filter_and_may_take(client, world):
    case = inquiry(world)
    Inquiry.objects.filter(pk=case.pk).update(caseworker=None)
    client.force_login(world.users["caseworker"])
    page = client.get(reverse("visitation:cases")).content.decode()
    assert 'id="filter-team"' not in page
    assert reverse("visitation:inquiry_take", args=[case.pk]) in page


def test_the_leader_reads_an_inquiry_and_a_decision_without_their_forms(client, world):
    decision = granted(world)
    case = decision.inquiry
    client.force_login(world.users["leader"])
    page = client.get(reverse("visitation:inquiry", args=[case.pk])).content.decode()
    assert case.about in page
    assert 'id="screening-form"' not in page and "journal/inquiries" not in page
    unscreened = inquiry(world, birth=case.citizen.birth_date.replace(year=1983))
    page = client.get(reverse("visitation:inquiry", args=[unscreened.pk])).content.decode()
    assert 'id="not-screened"' in page and 'id="screening-form"' not in page
    page = client.get(reverse("visitation:decision", args=[decision.pk])).content.decode()
    assert decision.justification in page
    for absent in ('id="placement-form"', 'id="letter-link"', "journal/decisions"):
        assert absent not in page
    caseworker_page = client_page(world, "caseworker", reverse("visitation:decision", args=[decision.pk]))
    assert 'id="letter-link"' in caseworker_page


def test_a_leaders_post_to_the_case_file_is_refused_and_writes_nothing(client, world):
    case = inquiry(world)
    client.force_login(world.users["leader"])
    response = client.post(reverse("visitation:inquiry", args=[case.pk]),
                           {"outcome": "in", "reason": "I målgruppen"})
    assert response.status_code == 403
    assert not hasattr(Inquiry.objects.get(pk=case.pk), "screening")


def client_page(world, persona, url):
    other = Client()
    other.force_login(world.users[persona])
    return other.get(url).content.decode()


def test_the_cases_list_marks_and_filters_the_cases_at_the_visitation_meeting(client, world):
    from roret.meetings import services as meeting_services
    from tests.visitation.helpers import assessment, screened_in

    waiting_case = screened_in(world)
    ass = assessment(world, waiting_case.citizen, inquiry=waiting_case)
    meeting_services.propose(waiting_case.citizen, actor=world.users["caseworker"], assessment=ass, kind="grant",
                             paragraph="SEL108", offer=world.residential, start=ass.assessed_on,
                             justification="Behov for støtte hele døgnet", intrusive_reason="Prøvet")
    other = inquiry(world, birth=waiting_case.citizen.birth_date.replace(year=1984))
    client.force_login(world.users["caseworker"])
    page = client.get(reverse("visitation:cases")).content.decode()
    row = page[page.index(reverse("visitation:inquiry", args=[waiting_case.pk])):]
    assert '<span class="tag">Afventer mødet</span>' in row[:row.index("</tr>")]
    only = client.get(reverse("visitation:cases"), {"meeting": "waiting"}).content.decode()
    assert reverse("visitation:inquiry", args=[waiting_case.pk]) in only
    assert reverse("visitation:inquiry", args=[other.pk]) not in only
    sent = client.get(reverse("visitation:cases"), {"meeting": "sent_back"}).content.decode()
    assert reverse("visitation:inquiry", args=[waiting_case.pk]) not in sent
