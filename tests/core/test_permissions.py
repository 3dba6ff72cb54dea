import datetime

import pytest
from django.http import Http404

from roret.citizens import services
from roret.citizens.models import Citizen
from roret.core.permissions import NotInScope
from roret.placements import services as placement_services


@pytest.fixture
def people(world):
    mine = world.citizen(first_name="Mine")
    theirs = world.citizen(first_name="Andres", team=world.other_team)
    placed_here = world.citizen(first_name="Placeret", team=world.other_team)
    world_place_actor = world.users["outsider"]  # the other team's caseworker places their citizen
    grant = placement_services.create_grant(placed_here, paragraph="SEL108", offer_type=world.residential.offer_type,
                                            start=datetime.date(2024, 1, 1), actor=world_place_actor)
    placement_services.start_placement(grant, world.residential, datetime.date(2024, 1, 1), actor=world_place_actor)
    return mine, theirs, placed_here


def visible(user):
    return set(Citizen.objects.restrict(user, "view").values_list("first_name", flat=True))


def test_caseworker_sees_the_team_caseload_only(world, people):
    assert visible(world.users["caseworker"]) == {"Mine"}
    assert visible(world.users["outsider"]) == {"Andres", "Placeret"}


def test_centre_staff_see_citizens_placed_in_their_centre(world, people):
    assert visible(world.users["centre_staff"]) == {"Placeret"}
    assert visible(world.users["centre_leader"]) == {"Placeret"}


def test_ended_placements_drop_out_of_the_centre_scope(world, people):
    placement = people[2].placements.get()
    placement_services.end_placement(placement, datetime.date(2024, 6, 1), "goal_achieved",
                                     actor=world.users["outsider"])
    assert visible(world.users["centre_staff"]) == set()


@pytest.mark.parametrize("role", ["economist", "committee", "admin"])
def test_aggregate_roles_and_admin_see_no_citizen_records(world, people, role):
    assert visible(world.users[role]) == set()


def test_a_record_outside_scope_answers_404_and_only_the_refusal_is_audited(world, people):
    from roret.core.models import AuditEntry

    before = AuditEntry.objects.count()
    with pytest.raises(Http404):
        services.get_citizen(world.users["caseworker"], people[1].pk)
    new = AuditEntry.objects.order_by("pk")[before:]
    assert [(e.action, e.citizen_id) for e in new] == [("refused", people[1].pk)]


def test_search_goes_through_the_gate(world, people):
    caseworker = world.users["caseworker"]
    assert [c.first_name for c in services.search(caseworker, "mine")] == ["Mine"]
    assert list(services.search(caseworker, "andres")) == []
    assert list(services.search(caseworker, people[1].cpr)) == []
    assert list(services.search(caseworker, people[0].cpr)) == [people[0]]


def test_changes_outside_scope_are_refused(world, people):
    with pytest.raises(NotInScope):
        placement_services.create_grant(people[1], paragraph="SEL108", offer_type=world.residential.offer_type,
                                        start=datetime.date(2024, 1, 1), actor=world.users["caseworker"])


@pytest.mark.parametrize("pk", ["abc", "", None, "1.5", str(2**70), -1])
def test_an_id_that_is_no_key_is_not_in_scope_never_a_server_error(world, people, pk):
    from roret.core import permissions

    with pytest.raises(NotInScope):
        permissions.fetch(world.users["caseworker"], "view", Citizen, pk)
    with pytest.raises(NotInScope):
        permissions.fetch_offer(world.users["economist"], "change", pk)
