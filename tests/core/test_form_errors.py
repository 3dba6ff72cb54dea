"""Every POST form of the case flow and daily work, sent empty or wrong, answers with the page
again: the error summary at the top lists every error (not only the first), each linking to a
field that exists on the page, and what was typed is still there (issue 14)."""

import datetime
from dataclasses import dataclass, field

import lxml.html
import pytest
from django.urls import reverse

from roret.outcomes import services as outcome_services
from roret.visitation import services as case_services
from tests.factories import PASSWORD
from tests.visitation import helpers

TODAY = datetime.date.today()


@dataclass
class Case:
    url: str
    data: dict
    links: list                      # the ids the summary's links go to, in the page's order
    kept: list = field(default_factory=list)     # (XPath, text or None) that must find what was typed


def value(id_, typed):
    return f"//input[@id='{id_}'][@value='{typed}']", None


def checked(id_):
    return f"//input[@id='{id_}'][@checked]", None


def text(id_):
    """A textarea, which must hold exactly what was posted under its name."""
    return f"//textarea[@id='{id_}']", True


def summary(page):
    """The error summary's links (href without '#') and how many errors it lists."""
    [box] = page.xpath("//main//div[contains(@class, 'alert-error')]")
    return [a.get("href").removeprefix("#") for a in box.xpath(".//li//a")], len(box.xpath(".//li"))


@pytest.fixture
def cases(world):
    cw = world.users["caseworker"]
    decision = helpers.granted(world)
    citizen = decision.citizen
    inquiry = helpers.inquiry(world, birth=datetime.date(1985, 6, 7))
    goal = outcome_services.add_goal(citizen, actor=cw, goal_type=helpers.term("Udvikle funktionsevne"),
                                     theme=helpers.term("Egenomsorg", "theme"), own_words="Lave mad selv",
                                     target_date=TODAY + datetime.timedelta(days=90))
    follow_up = decision.grant.follow_ups.get(held_on=None)
    transition = case_services.open_transition(citizen, "youth", actor=cw)
    group = helpers.term("Autismespektrum", "target_group")
    offer_type = helpers.term("Midlertidigt botilbud til voksne", "offer_type")
    return {
        "inquiry": Case(reverse("visitation:inquiry_new"),
                        {"cpr": "", "received_on": "", "about": "Ringede om bostøtte", "source_detail": "Egen læge"},
                        ["id_cpr", "id_source", "id_received_on", "id_paragraph"],
                        [text("id_about"), value("id_source_detail", "Egen læge")]),
        "screening": Case(reverse("visitation:inquiry", args=[inquiry.pk]),
                          {"guided_to_detail": "Misbrugscenter", "screened_on": ""},
                          ["id_outcome", "id_reason", "id_screened_on"],
                          [value("id_guided_to_detail", "Misbrugscenter")]),
        "assessment": Case(reverse("visitation:assessment_new", args=[citizen.pk]),
                           {"what_matters": "Min søster", "meeting_held_on": "2025-13-40",
                            "meeting_relatives": "Søsteren", "target_groups": [str(group.pk)],
                            "wished_offer_types": [str(offer_type.pk)]},
                           ["hopes", "support_need", "meeting_held_on"],
                           [checked(f"tg-{group.pk}"), checked(f"ot-{offer_type.pk}"),
                            value("meeting_relatives", "Søsteren"), value("meeting_held_on", "2025-13-40")]),
        "decision": Case(reverse("visitation:decision_new", args=[decision.assessment_id]),
                         {"kind": "grant", "scope": "Hele døgnet", "hours_per_week": "mange", "start": "igår"},
                         ["id_hours_per_week", "id_start"],
                         [value("id_scope", "Hele døgnet"), checked("id_kind_0")]),
        "placement": Case(reverse("visitation:decision", args=[decision.pk]),
                          {"offer": "", "start": "", "over_occupancy_reason": "Akut behov"},
                          ["id_offer", "id_start"], [value("id_over_occupancy_reason", "Akut behov")]),
        "elderly care": Case(reverse("visitation:elderly_care", args=[citizen.pk]),
                             {"on": "snart", "note": "Plejehjemmet Solgården"},
                             ["on"], [value("note", "Plejehjemmet Solgården")]),
        "transition": Case(reverse("visitation:transition", args=[transition.pk]),
                           {"action": "close", "end_reason": "   "}, ["end_reason"]),
        "goal": Case(reverse("outcomes:citizen", args=[citizen.pk]),
                     {"action": "goal", "own_words": "", "goal_type": "", "theme": "", "target_date": "2031-02-03"},
                     ["own_words", "goal_type", "theme"], [value("target_date", "2031-02-03")]),
        "action-plan step": Case(reverse("outcomes:citizen", args=[citizen.pk]),
                                 {"action": "step", "goal": str(goal.pk), "what": "Handle ind", "who": "",
                                  "due_on": ""},
                                 [f"who-{goal.pk}", f"due-{goal.pk}"], [value(f"what-{goal.pk}", "Handle ind")]),
        "measurement": Case(reverse("outcomes:citizen", args=[citizen.pk]),
                            {"action": "measure", "who5_1": "2", "who5_3": "7", "occasion": "other"},
                            ["who5_2_5", "who5_3_5", "who5_4_5", "who5_5_5"], [checked("who5_1_2")]),
        "follow-up": Case(reverse("outcomes:follow_up", args=[follow_up.pk]),
                          {"held_on": "", f"progress_{goal.pk}": "fremragende", f"progress_note_{goal.pk}": "Går godt",
                           "who5_1": "4", "who5_2": "3", "who5_3": "9", "who5_4": "1", "notes": "Mødet holdt hjemme"},
                          ["held_on", f"progress_{goal.pk}", "who5_3_5", "who5_5_5", "outcome_continue"],
                          [value(f"progress_note_{goal.pk}", "Går godt"), checked("who5_1_4"),
                           checked("who5_2_3"), checked("who5_4_1"), text("notes")]),
        "relative": Case(reverse("citizens:add_relative", args=[citizen.pk]),
                         {"name": "Karen Flow", "relation": "", "phone": "12345678"},
                         ["id_relation"], [value("id_name", "Karen Flow"), value("id_phone", "12345678")]),
        "consent": Case(reverse("citizens:add_consent", args=[citizen.pk]),
                        {"description": "Samtykke til kontakt med egen læge", "given_on": ""},
                        ["id_subject", "id_given_on", "id_given_by"], [value("id_description", "Samtykke til kontakt med egen læge")]),
        "journal note": Case(reverse("journal:add", args=[citizen.pk]),
                             {"noted_on": "", "category": "", "text": "Borgeren ringede"},
                             ["id_noted_on", "id_category"], [text("id_text")]),
    }


FORMS = ["inquiry", "screening", "assessment", "decision", "placement", "elderly care", "transition", "goal",
         "action-plan step", "measurement", "follow-up", "relative", "consent", "journal note"]


@pytest.mark.parametrize("name", FORMS)
def test_a_refused_form_lists_every_error_linked_to_its_field_and_keeps_what_was_typed(name, cases, client):
    case = cases[name]
    assert client.login(username="caseworker", password=PASSWORD)
    response = client.post(case.url, case.data)
    assert response.status_code == 200, response.status_code
    page = lxml.html.fromstring(response.content.decode())
    links, listed = summary(page)
    assert links == case.links
    assert listed == len(case.links)
    for anchor in links:
        assert page.get_element_by_id(anchor) is not None
    for path, is_text in case.kept:
        found = page.xpath(path)
        assert len(found) == 1, path
        if is_text:
            assert found[0].text_content().strip() == case.data[found[0].get("name")]
