"""Both views side by side: the citizen's own rating of a goal beside the staff's progress (the
follow-up page and its agenda point, the timeline), and WHO-5 counted apart by who reported it."""

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from roret.balance.figures import balance
from roret.core import periods
from roret.helm import services
from roret.outcomes import services as outcome_services
from roret.visitation import services as visitation_services
from tests.helm.helpers import link
from tests.visitation import helpers
from tests.visitation.helpers import TODAY, term

DAY = datetime.timedelta(days=1)
NOTICE = 'id="views-differ"'


@pytest.fixture
def case(world):
    """A placed citizen with a goal the staff rated "progressing" at a held follow-up, the next
    follow-up open, and the citizen's own account linked."""
    decision = helpers.granted(world, offer=world.external, start=TODAY - 60 * DAY)
    cw = world.users["caseworker"]
    visitation_services.place_from_decision(decision, world.external, decision.start, actor=cw,
                                           external_reason="no_vacancy")
    goal = outcome_services.add_goal(decision.citizen, actor=cw, goal_type=term("Udvikle funktionsevne"),
                                     theme=term("Praktiske opgaver"), own_words="Gøre rent selv",
                                     grant=decision.grant, target_date=TODAY + 100 * DAY)
    outcome_services.hold_follow_up(decision.grant.follow_ups.get(held_on=None), actor=cw, held_on=TODAY - DAY,
                                    outcome="continue", goal_progress={goal.pk: ("progressing", "")})
    link(world.users["citizen"], decision.citizen)
    return decision.citizen, goal, decision.grant.follow_ups.get(held_on=None)


def _rate(world, goal, rating, **words):
    return services.rate_goal(goal.pk, actor=world.users["citizen"], rating=rating, **words)


# --- the difference function ---------------------------------------------------------------------


def test_progressing_sits_at_seven_on_the_citizens_scale():
    assert services.STAFF_ON_TEN == {"achieved": 10, "progressing": 7, "unchanged": 4, "regressed": 2}


@pytest.mark.parametrize(("rating", "gap", "differs"), [
    (7, 0, False),      # equal
    (9, 2, False),      # just under the threshold
    (10, 3, False),     # at the threshold: not "more than"
    (4, -3, False),
    (3, -4, True),      # over it, the citizen lower
])
def test_the_views_differ_only_when_more_than_the_threshold_apart(world, case, rating, gap, differs):
    _citizen, goal, _next = case
    _rate(world, goal, rating)
    [row] = services.both_views([goal], threshold=3)
    assert (row.rating.rating, row.progress.progress, row.gap, row.differs) == (rating, "progressing", gap, differs)


def test_the_threshold_is_a_setting_and_the_newest_rating_counts(world, case):
    _citizen, goal, _next = case
    _rate(world, goal, 2)
    _rate(world, goal, 9)                         # the same day, entered later: the newest
    with override_settings(RORET_VIEWS_DIFFER=1):
        [row] = services.both_views([goal])
    assert (row.gap, row.differs) == (2, True)
    with override_settings(RORET_VIEWS_DIFFER=2):
        assert not services.both_views([goal])[0].differs


def test_a_goal_with_only_one_view_never_differs(world, case):
    citizen, goal, _next = case
    other = outcome_services.add_goal(citizen, actor=world.users["caseworker"], goal_type=term("Udvikle funktionsevne"),
                                      theme=term("Praktiske opgaver"), own_words="Handle ind",
                                      target_date=TODAY + 100 * DAY)
    _rate(world, other, 1)
    rows = services.both_views([goal, other], threshold=0)
    assert [(r.goal, r.gap, r.differs) for r in rows] == [(goal, None, False), (other, None, False)]
    assert rows[0].rating is None and rows[1].progress is None


# --- the pages -----------------------------------------------------------------------------------


def test_the_follow_up_page_puts_a_wide_gap_on_the_agenda(world, case, client):
    _citizen, goal, next_follow_up = case
    client.force_login(world.users["caseworker"])
    url = reverse("outcomes:follow_up", args=[next_follow_up.pk])
    _rate(world, goal, 8, went_well="Jeg har gjort rent i køkkenet")
    page = client.get(url).content.decode()
    assert NOTICE not in page
    assert "8/10" in page and "Jeg har gjort rent i køkkenet" in page and "Personalets seneste vurdering" in page
    _rate(world, goal, 2, matters_now="Jeg er træt")
    page = client.get(url).content.decode()
    assert NOTICE in page
    assert "Borgerens egen vurdering af målet “Gøre rent selv” afviger fra personalets: tal om det på mødet" in page
    assert "2/10" in page and "Jeg er træt" in page


def test_the_timeline_shows_the_citizens_own_view(world, case, client):
    citizen, goal, _next = case
    _rate(world, goal, 6, went_well="Jeg har lavet suppe")
    services.respond_to_plan(citizen, actor=world.users["citizen"], comment="Mere tid, tak", agrees=False)
    outcome_services.record_measurement(citizen, "WHO-5", [3, 3, 3, 3, 3], actor=world.users["citizen"])
    client.force_login(world.users["caseworker"])
    page = client.get(reverse("visitation:timeline", args=[citizen.pk])).content.decode()
    assert "Borgerens egen vurdering" in page and "6/10" in page and "Jeg har lavet suppe" in page
    assert "Borgerens svar på handleplanen" in page and "ikke enig" in page and "Mere tid, tak" in page
    assert "selvrapporteret" in page


# --- counted apart -------------------------------------------------------------------------------


def test_the_balance_counts_self_and_staff_reported_who5_apart(world):
    citizen = world.citizen(first_name="Karen")
    link(world.users["citizen"], citizen)
    outcome_services.record_measurement(citizen, "WHO-5", [3, 3, 4, 2, 3], actor=world.users["citizen"])  # 60
    outcome_services.record_measurement(citizen, "WHO-5", [2, 2, 2, 2, 2], actor=world.users["caseworker"])  # 40, low
    half = periods.period_of("half", TODAY)
    result = balance(None, halves=[half], today=TODAY, perspectives=("people",))

    def value(key):
        return result.value(key, half).value

    assert (value("who5_mean"), value("who5_low")) == (Decimal("50.00"), Decimal("50.00"))  # all, unchanged
    assert (value("who5_mean_self"), value("who5_mean_staff")) == (Decimal("60.00"), Decimal("40.00"))
    assert (value("who5_low_self"), value("who5_low_staff")) == (Decimal("0.00"), Decimal("100.00"))
    assert result.value("who5_mean_self", half).detail == "1"
    assert [p.key for p in result.figure("who5_mean").parts] == ["who5_mean_self", "who5_mean_staff"]
    suppressed = balance(None, halves=[half], today=TODAY, perspectives=("people",), suppress=True)
    assert suppressed.value("who5_mean_self", half).hidden        # one citizen: hidden from the committee


def test_the_balance_page_shows_the_split_under_the_figure(world, client):
    client.force_login(world.users["economist"])
    html = client.get("/balance/").content.decode()
    for key in ("who5_mean_self", "who5_mean_staff", "who5_low_self", "who5_low_staff"):
        assert f'data-figure="{key}"' in html
    assert "Selvrapporteret" in html and "Registreret af personalet" in html


def test_a_held_follow_up_shows_the_citizens_view_as_the_meeting_had_it_beside_the_staffs(world, case, client):
    citizen, goal, _next = case
    held = goal.progress.get().follow_up
    _rate(world, goal, 2, went_well="Jeg har gjort lidt rent", on=held.held_on - DAY)
    _rate(world, goal, 9, matters_now="Skrevet efter mødet", on=TODAY)      # after the meeting: not what it saw
    [row] = services.both_views_at(held)
    assert (row.rating.rating, row.progress.progress, row.gap, row.differs) == (2, "progressing", -5, True)
    client.force_login(world.users["caseworker"])
    page = client.get(reverse("outcomes:follow_up", args=[held.pk])).content.decode()
    section = page[page.index('id="held-views"'):]
    assert "Målenes udvikling på mødet: begge vurderinger" in section
    assert "2/10" in section and "Jeg har gjort lidt rent" in section and "Gøre rent selv" in section
    assert "Personalets vurdering på mødet" in section and "de to vurderinger afviger" in section
    assert "Skrevet efter mødet" not in section and "9/10" not in section
    assert services.both_views_at(_next) == []                          # not held: nothing to show yet


def test_the_balance_splits_the_share_measured_with_who5_by_who_reported(world, client):
    start = TODAY - 200 * DAY
    own, staff, both, none = (world.citizen(first_name=n) for n in ("Selv", "Personale", "Begge", "Ingen"))
    for c in (own, staff, both, none):
        world.place(c, world.day_offer, start=start)
    cw = world.users["caseworker"]
    for c, self_reported in ((own, True), (staff, False), (both, True), (both, False)):
        outcome_services.record_measurement(c, "WHO-5", [3, 3, 3, 3, 3], actor=cw, self_reported=self_reported)
    half = periods.period_of("half", TODAY)
    result = balance(None, halves=[half], today=TODAY, perspectives=("people",), use_stored=False)
    assert result.value("who5_measured", half).value == Decimal("75.00")            # 3 of 4 placed
    assert result.value("who5_measured_self", half).value == Decimal("50.00")       # own and both
    assert result.value("who5_measured_staff", half).value == Decimal("50.00")      # staff and both
    assert result.value("who5_measured_self", half).detail == "2/4"
    assert [p.key for p in result.figure("who5_measured").parts] == ["who5_measured_self", "who5_measured_staff"]
    centre = balance(world.centre.pk, halves=[half], today=TODAY, perspectives=("people",), use_stored=False)
    assert centre.value("who5_measured_self", half).value == Decimal("50.00")
    suppressed = balance(None, halves=[half], today=TODAY, perspectives=("people",), suppress=True)
    assert suppressed.value("who5_measured_self", half).hidden                      # 4 placed: a small cell
    client.force_login(world.users["economist"])
    html = client.get("/balance/").content.decode()
    assert 'data-figure="who5_measured_self"' in html and 'data-figure="who5_measured_staff"' in html


def test_the_committee_does_not_see_a_share_of_1_to_4_citizens_counted_even_of_many_placed(world):
    start = TODAY - 200 * DAY
    cw = world.users["caseworker"]
    placed = [world.citizen(first_name=f"Placeret{i}") for i in range(8)]
    for i, c in enumerate(placed):
        world.place(c, world.day_offer, start=start)
        # 2 of 8 answered themselves, 6 were measured by staff: the self-reported part is two citizens.
        outcome_services.record_measurement(c, "WHO-5", [3, 3, 3, 3, 3], actor=cw, self_reported=i < 2)
    half = periods.period_of("half", TODAY)
    shown = balance(None, halves=[half], today=TODAY, perspectives=("people",), use_stored=False)
    assert shown.value("who5_measured_self", half).detail == "2/8"
    hidden = balance(None, halves=[half], today=TODAY, perspectives=("people",), suppress=True, use_stored=False)
    assert hidden.value("who5_measured_self", half).hidden and hidden.value("who5_measured_self", half).shown is None
    assert not hidden.value("who5_measured_staff", half).hidden          # 6 of 8: not a small cell
    assert not hidden.value("who5_measured", half).hidden                # 8 of 8
