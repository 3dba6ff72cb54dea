"""Why a citizen is placed externally: required for external offers, refused for own ones,
audited with the placement, and held by the database."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from roret.core.models import AuditEntry
from roret.placements import services
from roret.placements.models import ExternalReason, Placement
from roret.placements.services import PlacementError

D = datetime.date


def test_it_refuses_an_external_placement_without_a_reason_and_writes_nothing(world):
    grant = world.grant(world.citizen(), world.external, start=D(2024, 1, 1))
    audits = AuditEntry.objects.count()
    with pytest.raises(PlacementError) as exc:
        services.start_placement(grant, world.external, D(2024, 2, 1), actor=world.users["caseworker"])
    assert exc.value.code == "external_reason"
    message = exc.value.messages[0]
    assert "Eksternt bosted" in message and "external offer" in message and "no own vacancy" in message
    assert not Placement.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_it_refuses_an_unknown_reason(world):
    grant = world.grant(world.citizen(), world.external, start=D(2024, 1, 1))
    with pytest.raises(PlacementError) as exc:
        services.start_placement(grant, world.external, D(2024, 2, 1), external_reason="cheaper",
                                 actor=world.users["caseworker"])
    assert exc.value.code == "external_reason"
    assert not Placement.objects.exists()


def test_it_refuses_an_external_reason_for_an_own_offer(world):
    grant = world.grant(world.citizen(), world.residential, start=D(2024, 1, 1))
    with pytest.raises(PlacementError) as exc:
        services.start_placement(grant, world.residential, D(2024, 2, 1), external_reason=ExternalReason.NO_VACANCY,
                                 actor=world.users["caseworker"])
    assert exc.value.code == "external_reason" and "own offer" in exc.value.messages[0]
    assert not Placement.objects.exists()


def test_the_reason_is_stored_and_audited_with_the_placement(world, assert_audited):
    cw = world.users["caseworker"]
    grant = world.grant(world.citizen(), world.external, start=D(2024, 1, 1))
    placement = services.start_placement(grant, world.external, D(2024, 2, 1), actor=cw,
                                         external_reason=ExternalReason.FREE_CHOICE)
    placement.refresh_from_db()
    assert placement.is_external and placement.external_reason == "free_choice"
    assert not Placement.objects.counting_as_own_demand().filter(pk=placement.pk).exists()
    entry = assert_audited("create", cw, citizen=placement.citizen, obj=placement)
    assert entry.after["external_reason"] == "free_choice"
    assert "frie valg" in entry.summary or "free choice" in entry.summary


def test_an_own_placement_has_no_reason_and_counts_as_own_demand(world):
    placement = world.place(world.citizen(), world.residential, start=D(2024, 1, 1))
    assert not placement.is_external and placement.external_reason == ""
    assert Placement.objects.counting_as_own_demand().filter(pk=placement.pk).exists()


@pytest.mark.parametrize("reason, counted", [("no_vacancy", True), ("unknown", True), ("specialised", False),
                                             ("free_choice", False), ("network", False)])
def test_only_no_vacancy_and_unknown_count_as_demand_an_own_place_could_serve(world, reason, counted):
    placement = world.place(world.citizen(), world.external, start=D(2024, 1, 1), external_reason=reason)
    assert Placement.objects.counting_as_own_demand().filter(pk=placement.pk).exists() is counted


def test_the_database_refuses_an_external_placement_without_a_reason(world):
    placement = world.place(world.citizen(), world.external, start=D(2024, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.filter(pk=placement.pk).update(external_reason="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.filter(pk=placement.pk).update(external_reason="cheaper")


def test_the_database_refuses_a_reason_on_an_own_placement(world):
    placement = world.place(world.citizen(), world.residential, start=D(2024, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.filter(pk=placement.pk).update(external_reason="no_vacancy")
