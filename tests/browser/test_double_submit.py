"""A caseworker double-clicks the button that adds a relative, the second click while the first is
still being saved: both submits reach the server, and the relative is added once
(roret.core.form_tokens)."""

import time

import pytest

from roret.citizens import services
from tests.browser.conftest import login


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_submit_adds_the_relative_once(world, page, live_server, monkeypatch):
    # A server as slow as a busy one: the real service, half a second late, so the second click
    # lands while the first submit is still running (a fast test server would answer in between).
    add_relative = services.add_relative

    def slow_add_relative(*args, **kwargs):
        time.sleep(0.5)
        return add_relative(*args, **kwargs)

    monkeypatch.setattr(services, "add_relative", slow_add_relative)
    citizen = world.citizen(first_name="Dobbelt", last_name="Klik")
    login(page, live_server, "caseworker")
    page.goto(f"{live_server.url}/citizens/{citizen.pk}/")
    page.get_by_text("Tilføj en pårørende eller netværksperson").click()
    page.fill("#id_name", "Søster Klik")
    page.select_option("#id_relation", "sibling")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    # Two clicks on the button 150 ms apart, in the page (Playwright's own clicks wait for the
    # first submit's page to load, and so never click twice).
    page.evaluate("""() => {
        const button = document.querySelector("form[action$='/relatives/add/'] button[type=submit]");
        button.click();
        setTimeout(() => button.click(), 150);
    }""")
    page.wait_for_timeout(400)
    page.wait_for_load_state("networkidle")
    assert len(posts) == 2, posts  # the browser did send the form twice
    assert citizen.relatives.count() == 1
    assert page.locator("#relatives li").count() == 1
    assert "Søster Klik" in page.locator("#relatives").inner_text()
    assert "kun gemt én gang" in page.locator("main").inner_text()
