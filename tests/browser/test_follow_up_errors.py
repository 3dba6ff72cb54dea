"""A caseworker fills a follow-up (goal progress, WHO-5, outcome, notes) and one WHO-5 answer is
impossible: the page comes back with the error summary at the top, its link leads to that item,
and every other answer and text typed is still there (issue 14)."""

import datetime

import pytest

from roret.outcomes import services as outcome_services
from tests.browser.conftest import login
from tests.visitation import helpers

TODAY = datetime.date.today()


@pytest.mark.django_db(transaction=True)
def test_a_follow_up_with_one_bad_who5_answer_shows_the_summary_and_keeps_every_other_value(world, page,
                                                                                             live_server):
    decision = helpers.granted(world)
    goal = outcome_services.add_goal(decision.citizen, actor=world.users["caseworker"],
                                     goal_type=helpers.term("Udvikle funktionsevne"),
                                     theme=helpers.term("Egenomsorg", "theme"), own_words="Lave mad selv",
                                     target_date=TODAY + datetime.timedelta(days=90))
    follow_up = decision.grant.follow_ups.get(held_on=None)
    login(page, live_server, "caseworker")
    page.goto(f"{live_server.url}/outcomes/follow-ups/{follow_up.pk}/")
    page.select_option(f"#progress_{goal.pk}", "progressing")
    page.fill(f"#progress_note_{goal.pk}", "Laver morgenmad selv")
    answers = {1: 4, 2: 3, 3: 2, 4: 1, 5: 5}
    for item, answer in answers.items():
        page.check(f"#who5_{item}_{answer}")
    # Item 3's chosen answer made impossible, as a tampered or broken form would send it.
    page.evaluate("document.getElementById('who5_3_2').value = '9'")
    page.check("#outcome_continue")
    page.fill("#notes", "Mødet blev holdt i borgerens hjem.")
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    links = summary.locator("a")
    assert links.count() == 1
    assert links.first.get_attribute("href") == "#who5_3_5"
    assert "WHO-5" in links.first.inner_text() and "3" in links.first.inner_text()
    links.first.click()
    assert page.evaluate("location.hash") == "#who5_3_5"
    assert page.locator("#who5_3_5").count() == 1
    assert page.locator("#who5 tr.roret-row-error").count() == 1
    # Everything else is as typed.
    assert page.input_value(f"#progress_{goal.pk}") == "progressing"
    assert page.input_value(f"#progress_note_{goal.pk}") == "Laver morgenmad selv"
    for item, answer in answers.items():
        if item != 3:
            assert page.is_checked(f"#who5_{item}_{answer}"), item
    assert page.locator("input[name=who5_3]:checked").count() == 0
    assert page.is_checked("#outcome_continue")
    assert page.input_value("#notes") == "Mødet blev holdt i borgerens hjem."
    assert page.input_value("#held_on") == TODAY.isoformat()
    follow_up.refresh_from_db()
    assert follow_up.held_on is None
