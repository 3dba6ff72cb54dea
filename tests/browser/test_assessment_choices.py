"""A caseworker finds a target group among the FFB groups by typing, ticks it with the keyboard
only, and sees how many are chosen; the same choice is saved (issue 14)."""

import pytest

from roret.visitation.models import Assessment
from tests.browser.conftest import login
from tests.visitation import helpers


@pytest.mark.django_db(transaction=True)
def test_a_target_group_is_found_by_typing_and_ticked_by_keyboard(world, page, live_server):
    citizen = helpers.screened_in(world).citizen
    autism = helpers.term("Autismespektrum", "target_group")
    login(page, live_server, "caseworker")
    page.goto(f"{live_server.url}/visitation/citizens/{citizen.pk}/assessment/new/")
    box = page.locator("#target_groups")
    assert box.locator("[data-choice-count]").inner_text() == "Ingen valgt"
    page.fill("#target_groups-filter", "autis")
    visible = box.locator("li[data-text]:visible")
    assert visible.count() == 1
    assert visible.first.inner_text().strip() == "Autismespektrum"
    assert box.locator("details[data-choice-group]:visible").count() == 1
    # From the filter field, Tab leads to the group's heading, then to the one checkbox shown; Space ticks it.
    page.focus("#target_groups-filter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"tg-{autism.pk}"
    page.keyboard.press("Space")
    assert box.locator("[data-choice-count]").inner_text() == "1 valgt"
    page.fill("#target_groups-filter", "")
    assert box.locator("li[data-text]:visible").count() > 1
    page.fill("#hopes", "Mit eget sted")
    page.select_option("#support_need", label="Højt støttebehov")
    page.click("main button[type=submit]")
    page.wait_for_url("**/visitation/assessments/**")
    assert list(Assessment.objects.get(citizen=citizen).target_groups.all()) == [autism]
