"""The citizen at the helm: the caseworker issues an invitation; the citizen redeems it on their own
device, answers WHO-5, rates a goal, comments on the action plan and reads who has looked at their
case; every other citizen's page and every staff page answers them 404; the used link is refused."""

import datetime

import pytest

from roret.core.models import AuditEntry
from roret.helm.models import CitizenAccount
from roret.outcomes import services as outcome_services
from roret.outcomes.models import Measurement
from tests.browser.axe import inject, serious_violations
from tests.browser.conftest import login
from tests.factories import term


@pytest.mark.django_db(transaction=True)
def test_a_citizen_redeems_an_invitation_and_takes_the_helm(world, page, browser, live_server):
    citizen = world.citizen(first_name="Karen", last_name="Holm")
    other = world.citizen(first_name="Anden", last_name="Borger")
    goal = outcome_services.add_goal(citizen, actor=world.users["caseworker"], goal_type=term("Udvikle funktionsevne"),
                                     theme=term("Praktiske opgaver"), own_words="Lave mad selv",
                                     target_date=datetime.date.today() + datetime.timedelta(days=90))
    outcome_services.add_step(goal, actor=world.users["caseworker"], what="Madkursus", who="Bostøtten",
                              due_on=datetime.date.today() + datetime.timedelta(days=30))

    # The caseworker opens the citizen's record and issues the invitation.
    login(page, live_server, "caseworker")
    page.goto(f"{live_server.url}/citizens/{citizen.pk}/")
    page.click(f"a[href='/me/citizens/{citizen.pk}/invitations/']")
    page.click("#issue")
    link = page.locator("#invitation-link").inner_text()
    code = page.locator("#invitation-code").inner_text()

    # The citizen, on their own device.
    device = browser.new_context(locale="da-DK", viewport={"width": 820, "height": 1180})  # a tablet
    inject(device)  # axe-core: every page the citizen sees is checked against WCAG 2.1 AA
    me = device.new_page()
    me.set_default_timeout(15000)
    checked = {}

    def accessible():
        checked[me.url] = serious_violations(me)

    me.goto(link)
    accessible()
    me.fill("#code", "AAAA-AAAA")
    me.click("main button[type=submit]")
    assert "Koden er ikke rigtig" in me.locator("main").inner_text()
    me.fill("#code", code.lower())  # as typed, in small letters
    me.click("main button[type=submit]")
    me.wait_for_url(f"{live_server.url}/me/")
    assert "Hej Karen" in me.locator("h1").inner_text()
    accessible()

    # WHO-5, answered by the citizen: tapping the large answer boxes.
    me.click("a[href^='/me/wellbeing/']")
    accessible()
    for n in range(1, 6):
        me.locator(f"#question-{n} label.helm-choice").nth(1).click()  # "Det meste af tiden" (4)
    box = me.locator("#question-1 label.helm-choice").first.bounding_box()
    assert box["height"] >= 48  # a large touch target
    me.click("main form button[type=submit]")
    me.wait_for_url(f"{live_server.url}/me/")
    assert "80 ud af 100" in me.locator("main").inner_text()
    assert Measurement.objects.get(citizen=citizen).self_reported

    # The goal, rated in the citizen's own words.
    me.click(f"a[href='/me/goals/{goal.pk}/']")
    accessible()
    me.locator("label.helm-choice", has_text="7").first.click()
    me.fill("#went_well", "Jeg har lavet pasta to gange")
    me.fill("#matters_now", "At handle ind selv")
    me.click("main form button[type=submit]")
    me.wait_for_url(f"{live_server.url}/me/")
    assert "Du sagde 7 ud af 10" in me.locator(f"#goal-{goal.pk}").inner_text()

    # The action plan: read, commented on, agreed to.
    me.click("main a[href='/me/plan/']")  # the large buttons: on a tablet the menu is folded away
    assert "Madkursus" in me.locator("main").inner_text()
    accessible()
    me.locator("label.helm-choice", has_text="Ja, jeg er enig").click()
    me.fill("#comment", "Jeg vil gerne starte i næste måned")
    me.click("main form button[type=submit]")
    assert "Du var enig." in me.locator("main").inner_text()

    # Who has looked: the caseworker's reads, and nothing about anyone else.
    me.click("main a[href='/me/']")  # back to my page
    me.click("main a[href='/me/access-log/']")
    log = me.locator("#access-log tbody").inner_text()
    accessible()
    assert len(checked) == 6, sorted(checked)  # the invitation, my page, WHO-5, a goal, the plan, the log
    assert {url: found for url, found in checked.items() if found} == {}
    assert "Caseworker" in log and "Sagsbehandler" in log and "Borgerjournal vist" in log
    assert "Anden" not in log

    # Another citizen's pages and the staff pages are not there for them.
    for path in (f"/citizens/{other.pk}/", f"/outcomes/citizens/{other.pk}/", f"/citizens/{citizen.pk}/",
                 "/citizens/", "/visitation/", "/account/", "/api/v1/offers"):
        assert me.goto(f"{live_server.url}{path}").status == 404, path

    # Everything the citizen entered is in the log as theirs.
    user = CitizenAccount.objects.get(citizen=citizen).user
    entered = set(AuditEntry.objects.filter(actor=user, action="create").values_list("object_type", flat=True))
    assert entered == {"outcomes.measurement", "helm.goalrating", "helm.planresponse"}

    # The tablet is left signed in: the caseworker logs the citizen out, and the tablet is signed out.
    page.goto(f"{live_server.url}/me/citizens/{citizen.pk}/invitations/")
    page.click("#end-sessions button[type=submit]")
    assert "Borgeren er logget ud af sin egen side på alle enheder." in page.locator("main").inner_text()
    me.goto(f"{live_server.url}/me/")
    assert "/me/" not in me.url.split("?")[0] and "Hej Karen" not in me.content()
    device.close()

    # The link again, on a third device: used, refused, and audited.
    third = browser.new_context(locale="da-DK")
    again = third.new_page()
    again.goto(link)
    again.fill("#code", code)
    again.click("main button[type=submit]")
    assert "allerede brugt" in again.locator("main").inner_text()
    assert AuditEntry.objects.filter(citizen_id=citizen.pk, action="refused", summary__contains="allerede brugt").exists()
    third.close()


def test_the_accessibility_check_finds_what_it_should(browser):
    """The axe check is not vacuous: a form field without a label and an image without a text
    are serious violations; the same page with them fixed has none."""
    context = browser.new_context()
    inject(context)
    page = context.new_page()
    page.goto("about:blank")
    page.set_content('<html lang="da"><head><title>t</title></head><body><main><h1>t</h1>'
                     '<img src="x.png"><input id="q"></main></body></html>')
    found = {rule for rule, *_rest in serious_violations(page)}
    assert {"image-alt", "label"} <= found
    page.set_content('<html lang="da"><head><title>t</title></head><body><main><h1>t</h1>'
                     '<img src="x.png" alt="Logo"><label for="q">Søg</label><input id="q"></main></body></html>')
    assert serious_violations(page) == []
    context.close()
