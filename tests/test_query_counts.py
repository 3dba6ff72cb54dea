"""Query-count guards: list and record pages must not grow a query per row."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD


def queries_for(client, url, method="get", data=None, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {}, **extra)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def populated(world):
    made = []

    def add(n):
        for i in range(len(made), len(made) + n):
            made.append(i)
            citizen = world.citizen(first_name=f"Borger{i:03d}")
            start = datetime.date(2020, 1, 1) + datetime.timedelta(days=40 * i)
            world.place(citizen, world.day_offer, start=start, end=start + datetime.timedelta(days=30))
            world.place(citizen, world.external, start=start)
            world.grant(citizen, world.residential, start=start, preferred_offer=world.residential)
    return add


@pytest.mark.parametrize("page", ["search", "api_search", "detail", "offers", "offer", "home"])
def test_pages_use_a_bounded_number_of_queries(world, client, populated, page):
    populated(3)
    client.login(username="caseworker", password=PASSWORD)
    citizen = world.users["caseworker"].team.caseload.first()

    def count():
        if page == "search":
            return queries_for(client, reverse("citizens:search"), "post", {"q": "borger"})
        if page == "api_search":
            return queries_for(client, "/api/v1/citizens/search", "post", {"q": "borger"},
                               content_type="application/json")
        if page == "detail":
            return queries_for(client, reverse("citizens:detail", args=[citizen.pk]))
        if page == "offers":
            return queries_for(client, reverse("offers:list"))
        if page == "offer":
            return queries_for(client, reverse("offers:detail", args=[world.external.pk]))
        return queries_for(client, reverse("home"))

    small = count()
    populated(12)
    large = count()
    assert large == small, f"{page}: {small} queries with few rows, {large} with more"
    # The citizen page reads one more: the corrections of the record (its history, issue 14).
    assert large <= (16 if page == "detail" else 15), f"{page}: {large} queries"


@pytest.fixture
def case_history(world):
    """One citizen whose record grows: each round adds an inquiry with its screening, an
    assessment version, a goal with two action-plan steps, and a held follow-up with WHO-5."""
    from roret.outcomes import services as outcome_services
    from roret.visitation import services as visitation_services
    from tests.visitation import helpers
    from tests.visitation.helpers import TODAY, term

    cw = world.users["caseworker"]
    decision = helpers.granted(world, start=TODAY - datetime.timedelta(days=60))
    citizen = decision.citizen
    visitation_services.place_from_decision(decision, world.residential, decision.start, actor=cw)

    def add(n):
        for _ in range(n):
            inquiry = visitation_services.register_inquiry(
                actor=cw, citizen=citizen, source="relative", received_on=TODAY, about="Mere støtte",
                paragraph="SEL108")
            visitation_services.screen(inquiry, actor=cw, outcome="in", reason="I målgruppen")
            helpers.assessment(world, citizen, inquiry=inquiry)
            goal = outcome_services.add_goal(citizen, actor=cw, goal_type=term("Udvikle funktionsevne"),
                                             theme=term("Praktiske opgaver"), own_words="Gøre rent selv",
                                             grant=decision.grant, target_date=TODAY + datetime.timedelta(days=90))
            for what in ("Plan", "Øve"):
                outcome_services.add_step(goal, actor=cw, what=what, who="Kontaktperson",
                                          due_on=TODAY + datetime.timedelta(days=14))
            outcome_services.hold_follow_up(decision.grant.follow_ups.get(held_on=None), actor=cw, held_on=TODAY,
                                            outcome="continue", goal_progress={goal.pk: ("progressing", "")},
                                            who5_answers=[3, 3, 2, 4, 1])
    add(1)
    return citizen, add


@pytest.mark.parametrize("what", ["inquiries", "assessments", "goals", "follow-ups", "fhir", "decisions", "grants",
                                  "placements", "waiting-list", "measurements", "action-plan"])
def test_api_case_flow_reads_use_a_bounded_number_of_queries(client, case_history, what):
    citizen, add = case_history
    client.login(username="caseworker", password=PASSWORD)
    path = f"/api/v1/citizens/{citizen.pk}/{what}"
    small = queries_for(client, path)
    add(4)
    large = queries_for(client, path)
    assert large == small, f"{what}: {small} queries with few rows, {large} with more"
    assert large <= 25, f"{what}: {large} queries"


def test_the_timeline_uses_a_bounded_number_of_queries(client, case_history):
    citizen, add = case_history
    client.login(username="caseworker", password=PASSWORD)
    small = queries_for(client, reverse("visitation:timeline", args=[citizen.pk]))
    add(4)
    large = queries_for(client, reverse("visitation:timeline", args=[citizen.pk]))
    assert large == small, f"timeline: {small} queries with few rows, {large} with more"


def test_api_follow_ups_due_uses_a_bounded_number_of_queries(world, client, populated):
    from roret.outcomes import services as outcome_services
    from roret.placements.models import Grant

    def schedule_all():
        for grant in Grant.objects.filter(follow_ups__isnull=True):
            outcome_services.schedule_follow_up(grant, datetime.date.today(), actor=world.users["caseworker"])

    client.login(username="caseworker", password=PASSWORD)
    populated(2)
    schedule_all()
    small = queries_for(client, "/api/v1/follow-ups/due")
    populated(8)
    schedule_all()
    large = queries_for(client, "/api/v1/follow-ups/due")
    assert large == small, f"{small} queries with few rows, {large} with more"


def test_the_overview_counts_a_large_caseload_s_waiting_list_the_same(world, client, populated, monkeypatch):
    """A caseload over LARGE_CASELOAD is counted from the grants in force (GrantQuerySet.of_citizens):
    the same number, in as many queries."""
    populated(3)
    client.login(username="caseworker", password=PASSWORD)

    def waiting():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("home"))
        return response.context["waiting_count"], len(ctx.captured_queries)

    small = waiting()
    monkeypatch.setattr("roret.placements.models.LARGE_CASELOAD", 0)
    assert waiting() == small and small[0] > 0


def test_the_department_s_figures_are_the_catalogue_s_sums(world, populated):
    """The overview's department figures (not the committee's) are summed in the database: the
    same numbers as the catalogue's rows give, with sold places, a waiting list and a closed offer."""
    from roret.offers.models import Offer
    from roret.offers.queries import committee_catalogue, department_figures

    populated(4)
    today = datetime.date.today()
    world.place(world.citizen(first_name="Solgt"), world.residential, start=datetime.date(2024, 1, 1),
                paying_municipality="0101")
    closed = world.offer("Lukket", "SEL104", places=3, tariff="100.00")
    world.grant(world.citizen(first_name="Venter"), world.day_offer, preferred_offer=closed)
    world.grant(world.citizen(first_name="Venter2"), world.day_offer, preferred_offer=world.day_offer)
    Offer.objects.filter(pk=closed.pk).update(closed_on=today)
    view = committee_catalogue(today, suppress=False)
    own = [o for o in view.rows if o.is_own_row]
    figures = department_figures(today, suppress=False)
    assert figures == {"own_places": sum(o.places for o in own), "own_occupied": sum(o.occupied for o in own),
                       "own_vacancy": sum(o.vacancy for o in own), "waiting_total": sum(o.waiting for o in view.rows),
                       "hidden_figures": set()}
    assert figures["own_occupied"] > 0 and figures["waiting_total"] > 0
