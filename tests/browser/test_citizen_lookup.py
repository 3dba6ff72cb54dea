"""A caseworker logs in, finds a citizen by CPR, opens the record, and the access shows in the
citizen's access log."""

import datetime

import pytest

from roret.core.models import AuditEntry
from tests.browser.conftest import login


@pytest.mark.django_db(transaction=True)
def test_caseworker_finds_a_citizen_by_cpr_and_the_view_is_in_the_access_log(world, page, live_server):
    citizen = world.citizen(first_name="Signe", last_name="Rorsen", birth=datetime.date(1988, 4, 12))
    world.place(citizen, world.residential, start=datetime.date(2024, 1, 1))
    world.citizen(first_name="Signe", last_name="Andersen")  # a namesake, not the one we look up

    login(page, live_server, "caseworker")
    page.locator("nav a[href='/citizens/']").click()
    page.fill("#q", citizen.cpr)
    page.click("form[role=search] button[type=submit]")
    results = page.locator("#results tbody tr")
    assert results.count() == 1
    row = results.first.inner_text()
    assert "Signe Rorsen" in row and citizen.cpr_masked in row and citizen.cpr not in page.content()
    # The CPR number was posted, never put in the address.
    assert citizen.cpr.replace("-", "") not in page.url and citizen.cpr not in page.url

    results.first.get_by_role("link").click()
    page.wait_for_selector("h1")
    assert "Signe Rorsen" in page.locator("h1").inner_text()
    assert page.locator("#cpr").inner_text() == citizen.cpr
    assert "Bostedet" in page.locator("main").inner_text()

    page.click("a[href$='/access-log/']")
    log = page.locator("#access-log tbody").inner_text()
    assert "Caseworker" in log and "Sagsbehandler" in log
    assert AuditEntry.objects.filter(citizen_id=citizen.pk, action="view", actor_name="caseworker").count() == 1
    assert AuditEntry.objects.filter(citizen_id=citizen.pk, action="export", actor_name="caseworker").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_script_in_the_page_searches_the_api_by_cpr_with_the_csrf_token(world, page, live_server):
    """How a JS client calls the API: the session cookie, and Django's csrftoken cookie sent back
    in X-CSRFToken; the CPR number travels in the JSON body, never in an address."""
    citizen = world.citizen(first_name="Signe", last_name="Rorsen")
    login(page, live_server, "caseworker")
    addresses = []
    page.on("request", lambda request: addresses.append(request.url))
    result = page.evaluate("""async (cpr) => {
        // The CSRF cookie is HttpOnly: a script takes the token from the page's forms.
        const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
        const search = (headers) => fetch('/api/v1/citizens/search', {
            method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', ...headers}, body: JSON.stringify({q: cpr})});
        const refused = await search({});
        const found = await search({'X-CSRFToken': token});
        return {refused: refused.status, status: found.status, rows: (await found.json()).items};
    }""", citizen.cpr)
    assert result["refused"] == 403 and result["status"] == 200
    assert [(row["id"], row["cpr_masked"]) for row in result["rows"]] == [(citizen.pk, citizen.cpr_masked)]
    assert any(a.endswith("/api/v1/citizens/search") for a in addresses)
    assert not [a for a in addresses if citizen.cpr in a or citizen.cpr.replace("-", "") in a]
    assert AuditEntry.objects.filter(action="search", channel="api", actor_name="caseworker").count() == 1
