import datetime
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from roret.offers.models import PlaceChange, Tariff
from roret.placements import services
from roret.placements.models import Grant, Placement
from roret.placements.services import PlacementError

D = datetime.date


def test_a_placement_must_end_after_it_starts(world):
    citizen = world.citizen()
    grant = world.grant(citizen, start=D(2024, 1, 1))
    with pytest.raises(PlacementError) as exc:
        services.start_placement(grant, world.residential, D(2024, 3, 1), end=D(2024, 3, 1),
                                 actor=world.users["caseworker"])
    assert exc.value.code == "period"
    assert not Placement.objects.exists()


def test_the_database_refuses_an_end_before_start_too(world):
    placement = world.place(world.citizen(), start=D(2024, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.filter(pk=placement.pk).update(end=D(2023, 1, 1))


def test_it_refuses_two_residential_places_at_once(world):
    citizen = world.citizen()
    world.place(citizen, world.residential, start=D(2024, 1, 1))
    with pytest.raises(PlacementError) as exc:
        world.place(citizen, world.external, start=D(2024, 6, 1))
    assert exc.value.code == "residential_overlap"
    assert Placement.objects.count() == 1


def test_the_database_refuses_overlapping_residential_places_directly(world):
    citizen = world.citizen()
    first = world.place(citizen, world.residential, start=D(2024, 1, 1))
    grant = Grant.objects.get(pk=first.grant_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(grant=grant, citizen=citizen, offer=world.external, start=D(2024, 2, 1),
                                 is_residential=True, acting_municipality="999", paying_municipality="999")


def test_a_day_offer_beside_a_residential_place_is_fine_and_back_to_back_stays_too(world):
    citizen = world.citizen()
    world.place(citizen, world.residential, start=D(2024, 1, 1), end=D(2024, 6, 1))
    world.place(citizen, world.day_offer, start=D(2024, 1, 1))
    world.place(citizen, world.external, start=D(2024, 6, 1))  # [start, end): the day it ends is free
    assert Placement.objects.filter(citizen=citizen).count() == 3


def test_it_refuses_a_placement_in_a_full_offer_with_a_clear_message(world):
    for i in range(2):
        world.place(world.citizen(first_name=f"B{i}"), start=D(2024, 1, 1))
    citizen = world.citizen(first_name="Tredje")
    with pytest.raises(PlacementError) as exc:
        world.place(citizen, start=D(2024, 2, 1))
    assert exc.value.code == "full"
    # The message names the offer, the day and the count (in the user's language).
    assert "Bostedet" in exc.value.messages[0] and "01.02.2024" in exc.value.messages[0]
    assert "2" in exc.value.messages[0]
    assert Placement.objects.filter(citizen=citizen).count() == 0


def test_an_over_occupancy_with_a_reason_is_allowed_and_flagged(world):
    for i in range(2):
        world.place(world.citizen(first_name=f"B{i}"), start=D(2024, 1, 1))
    placement = world.place(world.citizen(first_name="Akut"), start=D(2024, 2, 1),
                            over_occupancy_reason="Akut anbringelse efter udskrivning")
    assert placement.over_occupancy and placement.over_occupancy_reason


def test_the_database_refuses_an_over_occupancy_without_reason(world):
    placement = world.place(world.citizen(), start=D(2024, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.filter(pk=placement.pk).update(over_occupancy=True)


def test_occupancy_follows_places_over_time(world):
    # Two places until a new build adds one on 1 March 2024; a future cut takes one away.
    PlaceChange.objects.create(offer=world.residential, valid_from=D(2024, 3, 1), change=1, reason="Nybyg")
    PlaceChange.objects.create(offer=world.residential, valid_from=D(2025, 1, 1), change=-1, reason="Lukning")
    world.place(world.citizen(first_name="A"), start=D(2024, 1, 1))
    world.place(world.citizen(first_name="B"), start=D(2024, 1, 1))
    with pytest.raises(PlacementError, match="01.02.2024"):
        world.place(world.citizen(first_name="C"), start=D(2024, 2, 1))
    # Fits from March, but only until the cut at new year: open-ended it does not.
    with pytest.raises(PlacementError, match="01.01.2025"):
        world.place(world.citizen(first_name="D"), start=D(2024, 3, 1))
    ok = world.place(world.citizen(first_name="E"), start=D(2024, 3, 1), end=D(2025, 1, 1))
    assert ok.pk
    assert world.residential.places_on(D(2024, 2, 1)) == 2
    assert world.residential.places_on(D(2024, 3, 1)) == 3
    assert world.residential.places_on(D(2025, 1, 1)) == 2


def test_tariffs_are_dated_rows(world):
    Tariff.objects.create(offer=world.residential, valid_from=D(2025, 1, 1), amount=Decimal("2306.25"), unit="day")
    assert world.residential.tariff_on(D(2024, 12, 31)).amount == Decimal("2250.00")
    assert world.residential.tariff_on(D(2025, 1, 1)).amount == Decimal("2306.25")
    assert world.residential.tariff_on(D(2014, 12, 31)) is None
    with pytest.raises(IntegrityError), transaction.atomic():
        Tariff.objects.create(offer=world.residential, valid_from=D(2025, 1, 1), amount=Decimal("1"), unit="day")


def test_a_placement_must_lie_within_its_grant(world):
    citizen = world.citizen()
    grant = world.grant(citizen, start=D(2024, 5, 1))
    with pytest.raises(PlacementError) as exc:
        services.start_placement(grant, world.residential, D(2024, 4, 1), actor=world.users["caseworker"])
    assert exc.value.code == "grant_period"


def test_an_unplaced_grant_is_on_the_waiting_list_until_placed(world):
    citizen = world.citizen()
    grant = world.grant(citizen, start=D(2024, 1, 1), preferred_offer=world.residential)
    assert list(Grant.objects.waiting_on(D(2024, 2, 1))) == [grant]
    services.start_placement(grant, world.residential, D(2024, 3, 1), actor=world.users["caseworker"])
    assert list(Grant.objects.waiting_on(D(2024, 2, 1))) == [grant]
    assert list(Grant.objects.waiting_on(D(2024, 3, 1))) == []


def test_a_caseload_s_waiting_list_is_the_same_read_either_way(world):
    """GrantQuerySet.of_citizens plans a large caseload's waiting list from the grants in force
    (``many``) and a small one from its citizens: the same grants both ways."""
    from roret.citizens.models import Citizen

    team = world.users["caseworker"].team
    others = world.citizen(first_name="Other")
    world.grant(others, start=D(2024, 1, 1))  # waiting, not of the team (moved away below)
    Citizen.objects.filter(pk=others.pk).update(team=None)
    waiting = [world.grant(world.citizen(first_name=f"W{i}"), start=D(2024, 1, 1)) for i in range(3)]
    placed = world.grant(world.citizen(first_name="P"), start=D(2024, 1, 1))
    services.start_placement(placed, world.residential, D(2024, 2, 1), actor=world.users["caseworker"])
    world.grant(world.citizen(first_name="Ended"), start=D(2023, 1, 1), end=D(2023, 6, 1))
    caseload = Citizen.objects.filter(team=team).values("pk")
    day = D(2024, 3, 1)
    few = Grant.objects.waiting_on(day).of_citizens(caseload)
    many = Grant.objects.waiting_on(day).of_citizens(caseload, many=True)
    assert sorted(g.pk for g in many) == sorted(g.pk for g in few) == sorted(g.pk for g in waiting)
    assert many.count() == few.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_caseworkers_racing_for_the_last_place_one_wins_one_is_told(world):
    world.place(world.citizen(first_name="Fast"), start=D(2024, 1, 1))  # 1 of 2 places left
    grants = [world.grant(world.citizen(first_name=f"R{i}"), start=D(2024, 2, 1)) for i in range(2)]
    barrier = threading.Barrier(2)
    results = []

    def place(grant):
        try:
            barrier.wait()
            services.start_placement(grant, world.residential, D(2024, 2, 1), actor=world.users["caseworker"])
            results.append("ok")
        except PlacementError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(g,)) for g in grants]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["full", "ok"]
    assert Placement.objects.filter(offer=world.residential).count() == 2
