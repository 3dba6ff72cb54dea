"""A grant or a placement is written whole or not at all: the row, its audit entry and the marks
for what follows the commit are one transaction."""

import datetime

import pytest

from roret.outcomes.models import ComplianceStale
from roret.placements import services
from roret.placements.models import Grant, Placement


class Broken(Exception):
    pass


def _fail(*args, **kwargs):
    raise Broken


@pytest.mark.parametrize("write", ["grant", "placement"])
def test_a_write_whose_audit_entry_fails_leaves_nothing(world, monkeypatch, write):
    citizen = world.citizen()
    grant = world.grant(citizen, world.day_offer) if write == "placement" else None
    counts = (Grant.objects.count(), Placement.objects.count(), ComplianceStale.objects.count())
    monkeypatch.setattr(services.audit, "record", _fail)
    with pytest.raises(Broken):
        if write == "grant":
            services.create_grant(citizen, paragraph=world.day_offer.legal_basis,
                                  offer_type=world.day_offer.offer_type, start=datetime.date(2024, 1, 1),
                                  actor=world.users["caseworker"])
        else:
            services.start_placement(grant, world.day_offer, datetime.date(2024, 1, 1),
                                     actor=world.users["caseworker"])
    assert (Grant.objects.count(), Placement.objects.count(), ComplianceStale.objects.count()) == counts
