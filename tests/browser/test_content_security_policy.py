"""The Content-Security-Policy in a real browser: every main page as each role reports no
violation, the API docs run Swagger UI from our own files, and htmx still polls a job."""

import datetime
import re

import pytest
from django.core.management import call_command

from roret.capacity.models import PlanRun
from tests.browser.conftest import login

# Playwright's init scripts run outside the page's policy; this one records each violation the
# browser reports to the page (the console message says the same in words).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def watched(page):
    """The page, and the policy violations it reports: console messages and violation events."""
    reported = []
    page.set_default_timeout(60000)  # a page that starts a job may take a while on a busy machine
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: reported.append(message.text)
            if "Content Security Policy" in message.text else None)

    def violations():
        return reported + page.evaluate("window.__cspViolations || []")

    return page, violations


def visit(page, violations, url):
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    assert "Content-Security-Policy" in {k.title() for k in response.headers}, url
    found = violations()
    assert not found, f"{url}: {found}"


def nav_links(page, base):
    return [base + href for href in page.eval_on_selector_all("nav.navigation-menu a", "els => els.map(e => e.getAttribute('href'))")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["caseworker", "centre_leader", "economist", "committee", "admin"])
def test_the_main_pages_break_no_policy_rule(role, world, watched, live_server):
    page, violations = watched
    citizen = world.citizen(first_name="Politik")
    world.place(citizen, world.residential, start=datetime.date(2024, 1, 1))
    login(page, live_server, role)
    urls = [f"{live_server.url}/", *nav_links(page, live_server.url)]
    if role == "caseworker":
        urls += [f"{live_server.url}/citizens/{citizen.pk}/", f"{live_server.url}/citizens/{citizen.pk}/access-log/"]
    if role == "economist":  # the occupancy bars, the target-group tree
        urls += [f"{live_server.url}/offers/", f"{live_server.url}/offers/{world.residential.pk}/edit/"]
    assert len(urls) > 2
    for url in dict.fromkeys(urls):
        visit(page, violations, url)


@pytest.mark.django_db(transaction=True)
def test_the_api_docs_run_swagger_ui_under_the_policy(world, watched, live_server):
    page, violations = watched
    login(page, live_server, "economist")
    visit(page, violations, f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "roret API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 3  # the endpoints, read from /api/v1/openapi.json
    assert not violations()


@pytest.mark.django_db(transaction=True)
def test_htmx_still_polls_a_job_under_the_policy(world, watched, live_server):
    page, violations = watched
    today = datetime.date.today()
    for i in range(4):
        start = today - datetime.timedelta(days=250 * (i + 1))
        world.place(world.citizen(first_name=f"H{i}"), world.residential, start=start,
                    end=None if i == 0 else start + datetime.timedelta(days=200))
    login(page, live_server, "economist")
    page.goto(f"{live_server.url}/capacity/groups/sel108/")
    page.fill("#id_replications", "100")
    page.fill("#id_seed", "11")
    page.click("form[action$='/run/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/capacity/runs/\d+/$"))
    run = PlanRun.objects.get()
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)
    # Only htmx's polling (hx-get every second) can bring the link in without a reload.
    page.locator(f"a[href='/capacity/runs/{run.pk}/'].button").wait_for(timeout=10000)
    assert not violations()
