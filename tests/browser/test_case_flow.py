"""A caseworker walks the whole case flow in the browser: inquiry -> screening -> assessment ->
decision (the staircase proposal is shown; a more intrusive choice demands a reason) ->
placement -> goal -> follow-up with a WHO-5 measurement, then reads the timeline and the
citizen's access log."""

import datetime

import pytest

from roret.core.models import AuditEntry, Term
from roret.offers.queries import catalogue, with_vacancy
from roret.outcomes.models import FollowUp, Measurement
from roret.placements.models import Placement
from roret.visitation.models import Decision, Inquiry
from tests.browser.conftest import login
from tests.factories import make_cpr

TODAY = datetime.date.today()


def theme(display: str) -> int:
    return Term.objects.get(group="theme", display=display).pk


def vacancy(offer) -> int:
    return with_vacancy([catalogue(TODAY).get(pk=offer.pk)])[0].vacancy


@pytest.mark.django_db(transaction=True)
def test_a_caseworker_takes_a_citizen_from_inquiry_to_follow_up(world, page, live_server):
    world.place(world.citizen(first_name="Nabo"), world.residential, start=datetime.date(2024, 1, 1))
    assert vacancy(world.residential) == 1
    cpr = make_cpr(datetime.date(1991, 6, 2))
    start = TODAY - datetime.timedelta(days=100)
    login(page, live_server, "caseworker")

    # 1. Inquiry: the citizen is not known yet and is registered into the caseworker's team.
    page.locator("nav a[href='/visitation/']").click()
    page.click("a[href='/visitation/inquiries/new/']")
    page.fill("#id_cpr", cpr)
    page.fill("#id_first_name", "Malte")
    page.fill("#id_last_name", "Forløb")
    page.select_option("#id_source", "hospital")
    page.fill("#id_source_detail", "Psykiatrisk afdeling, Glostrup")
    page.fill("#id_received_on", (TODAY - datetime.timedelta(days=110)).isoformat())
    page.select_option("#id_paragraph", "SEL108")
    page.fill("#id_about", "Udskrives efter lang indlæggelse og kan ikke bo alene")
    page.click("#inquiry-form button[type=submit]")
    page.wait_for_selector("#screening-form")
    inquiry = Inquiry.objects.get()
    citizen = inquiry.citizen
    assert citizen.team == world.team
    assert inquiry.deadline.strftime("%d.%m.%Y") in page.locator("#deadline").inner_text()

    # 2. Screening: in the target group.
    page.check("#id_outcome_0")
    page.fill("#id_reason", "Svær psykisk lidelse; i målgruppen og inden for serviceniveauet")
    page.click("#screening-form button[type=submit]")
    page.wait_for_selector("#screening-outcome")

    # 3. Assessment: the citizen's own words first, then levels per FFB theme.
    page.click("#start-assessment")
    page.fill("#hopes", "Jeg vil have et sted, hvor der er nogen om natten, og så vil jeg male igen.")
    page.select_option(f"select[name='level_{theme('Praktiske opgaver')}']", "3")
    page.select_option(f"select[name='level_{theme('Egenomsorg')}']", "3")
    page.select_option(f"select[name='level_{theme('Relationer')}']", "2")
    page.fill(f"textarea[name='notes_{theme('Relationer')}']", "Ser sin søster hver søndag")
    page.fill(f"#notes_{theme('Mentale funktioner')}", "Stemmehøring om aftenen")
    page.select_option("#support_need", label="Højt støttebehov")
    page.fill("#meeting_held_on", (TODAY - datetime.timedelta(days=104)).isoformat())
    page.fill("#meeting_relatives", "Søster")
    page.fill("#meeting_providers", "Bostedet")
    page.click("#assessment-form button[type=submit]")
    page.wait_for_selector("#support-need")
    assert page.locator("#support-need").inner_text() == "Højt støttebehov"
    assert "Svært nedsat funktionsevne" in page.locator("#differences").inner_text()

    # 4. Decision: the staircase proposal puts the external temporary offer (step 6) lowest;
    # choosing the long-term residential offer (step 7) demands a written reason.
    page.click("#make-decision")
    proposal = page.locator("#proposal tbody tr")
    assert "Eksternt bosted" in proposal.nth(0).inner_text() and "Bostedet" in proposal.nth(1).inner_text()
    assert "3100" in proposal.nth(0).inner_text().replace(".", "")
    page.select_option("#id_offer", str(world.residential.pk))
    page.fill("#id_start", start.isoformat())
    page.fill("#id_justification", "Behov for støtte hele døgnet efter udredningen.")
    page.click("#decision-form button[type=submit]")
    page.wait_for_selector(".form-error .form-error-message")
    assert "7" in page.locator(".form-error .form-error-message").first.inner_text()
    assert not Decision.objects.exists()
    page.fill("#id_intrusive_reason", "Midlertidigt ophold er prøvet to gange uden varig effekt.")
    page.click("#decision-form button[type=submit]")
    page.wait_for_selector("#letter-link")
    decision = Decision.objects.get()
    assert (decision.lowest_adequate_step, decision.chosen_step) == (6, 7)
    letter = page.request.get(live_server.url + page.locator("#letter-link").get_attribute("href"))
    assert letter.ok and letter.body().startswith(b"%PDF")

    # 5. Placement: the free place is taken at once.
    page.click("#placement-form button[value=place]")
    page.wait_for_selector("#placed")
    assert "Bostedet" in page.locator("#placed").inner_text()
    assert Placement.objects.get(citizen=citizen).offer == world.residential
    assert vacancy(world.residential) == 0

    # 6. A goal in the citizen's own words, with an action-plan step.
    page.click("#goals-link")
    page.fill("#own_words", "Jeg vil male i værkstedet to gange om ugen")
    page.select_option("#goal_type", label="Udvikle funktionsevne")
    page.select_option("#theme", label="– Dyrke interesse")
    page.fill("#target_date", (TODAY + datetime.timedelta(days=180)).isoformat())
    page.click("#goal-form button[type=submit]")
    page.wait_for_selector(".roret-goal")
    goal = citizen.goals.get()
    page.fill(f"#what-{goal.pk}", "Følges til værkstedet de første fire gange")
    page.fill(f"#who-{goal.pk}", "Kontaktperson")
    page.fill(f"#due-{goal.pk}", (TODAY + datetime.timedelta(days=30)).isoformat())
    page.locator(f"#goal-{goal.pk} .roret-step-form button").click()
    page.wait_for_selector(f"#goal-{goal.pk} td:has-text('Kontaktperson')")

    # 7. Follow-up (due three months after move-in, so overdue now) with a WHO-5 measurement.
    page.locator("nav a[href='/outcomes/follow-ups/']").click()
    page.wait_for_selector("#due .roret-warn")  # one list, the overdue date marked (issue 14)
    follow_up = FollowUp.objects.get(citizen=citizen, held_on=None)
    page.click(f"a[href='/outcomes/follow-ups/{follow_up.pk}/']")
    page.select_option(f"#progress_{goal.pk}", "progressing")
    for item, answer in enumerate([3, 4, 2, 5, 1], start=1):
        page.check(f"input[name='who5_{item}'][value='{answer}']")
    page.check("#outcome_continue")
    page.fill("#notes", "Trives på bostedet, maler igen.")
    page.click("#follow-up-form button[type=submit]")

    # 8. The timeline shows the whole path and the measurement curve.
    page.wait_for_selector("#timeline")
    timeline = page.locator("#timeline").inner_text()
    assert page.locator("#who5-chart svg").count() == 1
    for text in ("Udredning v1", "WHO-5 60", "Bostedet", "Jeg vil male i værkstedet"):
        assert text in timeline, text
    measurement = Measurement.objects.get(citizen=citizen)
    assert (measurement.raw, measurement.score, measurement.follow_up_id) == (15, 60, follow_up.pk)
    assert FollowUp.objects.filter(citizen=citizen, held_on=None).count() == 1   # the next one is scheduled

    # 9. The access log shows every step, by the caseworker.
    page.goto(f"{live_server.url}/citizens/{citizen.pk}/access-log/")
    log = page.locator("main").inner_text()
    for entry in AuditEntry.objects.filter(citizen_id=citizen.pk, action__in=["create", "change"]):
        assert entry.actor_name == "caseworker"
    kinds = set(AuditEntry.objects.filter(citizen_id=citizen.pk).values_list("object_type", flat=True))
    for kind in ("visitation.inquiry", "visitation.screening", "visitation.assessment", "visitation.decision",
                 "placements.grant", "placements.placement", "outcomes.goal", "outcomes.actionstep",
                 "outcomes.measurement", "outcomes.followup"):
        assert kind in kinds, kind
    assert "Henvendelse registreret" in log and "Måling WHO-5: 60" in log
