"""A change of tariff or places through the pages leaves the old row in place and writes an audit
row with before and after; a back-dated tariff or a correction changes last year's figures
(roret.economy.kpi.totals) exactly as the audit row records it, and a tariff from a later date
leaves them alone."""

import datetime
from decimal import Decimal

import pytest

from roret.core.models import AuditEntry
from roret.economy import kpi
from roret.offers.models import PlaceChange, Tariff
from tests.factories import PASSWORD, committed

TODAY = datetime.date.today()
LAST_YEAR = kpi.Period(datetime.date(TODAY.year - 1, 1, 1), datetime.date(TODAY.year, 1, 1))
DAYS = (LAST_YEAR.end - LAST_YEAR.start).days
JULY = datetime.date(TODAY.year - 1, 7, 1)


@pytest.fixture
def placed(world, client):
    """One citizen in Bostedet (2.250 kr. a day since 2015) all of last year, and the economist."""
    world.place(world.citizen(), world.residential, start=LAST_YEAR.start)
    assert client.login(username="economist", password=PASSWORD)
    return world, client


def last_year_cost() -> Decimal:
    return kpi.kroner(kpi.totals(LAST_YEAR).cost_total)


def audit_of(row) -> AuditEntry:
    return AuditEntry.objects.get(object_type=row._meta.label_lower, object_id=str(row.pk))


def test_a_correction_through_the_page_keeps_the_old_row_and_recosts_last_year_as_recorded(placed):
    world, client = placed
    assert last_year_cost() == DAYS * Decimal("2250")
    wrong = world.residential.tariffs.get()
    with committed():
        response = client.post(f"/offers/tariffs/{wrong.pk}/correct/", {
            f"tariff-{wrong.pk}-amount": "2.310,75", f"tariff-{wrong.pk}-unit": "day",
            f"tariff-{wrong.pk}-reason": "Taksten var indtastet uden pristalsregulering"})
    assert response.status_code == 302
    old = Tariff.history.get(pk=wrong.pk)
    assert (old.amount, old.valid_from) == (Decimal("2250.00"), wrong.valid_from)
    correction = old.corrected_by
    entry = audit_of(correction)
    assert (entry.action, entry.actor, entry.reason) == ("change", world.users["economist"],
                                                         "Taksten var indtastet uden pristalsregulering")
    assert (entry.before["amount"], entry.after["amount"]) == ("2250.00", "2310.75")
    assert "1 placeringer genberegnes" in entry.summary
    assert last_year_cost() == DAYS * Decimal(entry.after["amount"]) == DAYS * Decimal("2310.75")
    # The page shows the wrong row beside its correction, with who, when and why.
    text = client.get(f"/offers/{world.residential.pk}/").content.decode()
    assert "<del>2.250,00 kr.</del>" in text and "erstatter 2.250,00 kr." in text
    assert "Taksten var indtastet uden pristalsregulering" in text


def test_a_back_dated_tariff_changes_last_year_from_its_date_only(placed):
    world, client = placed
    with committed():
        response = client.post(f"/offers/{world.residential.pk}/tariffs/", {
            "tariff-valid_from": JULY.isoformat(), "tariff-amount": "2400", "tariff-unit": "day",
            "tariff-reason": "Ny takst fra 1. juli, aftalt efter forhandling"})
    assert response.status_code == 302
    row = Tariff.objects.get(offer=world.residential, valid_from=JULY)
    entry = audit_of(row)
    assert entry.after["amount"] == "2400.00" and "tilbagedateret" in entry.summary
    assert Tariff.history.filter(offer=world.residential).count() == 2  # the 2015 row is still there
    before_july = (JULY - LAST_YEAR.start).days
    assert last_year_cost() == before_july * Decimal("2250") + (DAYS - before_july) * Decimal("2400")


def test_a_tariff_from_a_later_date_or_a_refused_one_leaves_last_year_alone(placed):
    world, client = placed
    url = f"/offers/{world.residential.pk}/tariffs/"
    with committed():
        assert client.post(url, {"tariff-valid_from": (TODAY + datetime.timedelta(days=1)).isoformat(),
                                 "tariff-amount": "9999", "tariff-unit": "day"}).status_code == 302
        # Back-dated without a reason: refused, nothing recorded, nothing re-costed.
        assert client.post(url, {"tariff-valid_from": JULY.isoformat(), "tariff-amount": "9999",
                                 "tariff-unit": "day"}).status_code == 400
    assert last_year_cost() == DAYS * Decimal("2250")
    assert not Tariff.objects.filter(valid_from=JULY).exists()


def test_places_through_the_page_keep_the_old_row_and_audit_before_and_after(world, client):
    assert client.login(username="centre_leader", password=PASSWORD)
    first = world.residential.place_changes.get()
    response = client.post(f"/offers/{world.residential.pk}/places/", {
        "places-valid_from": JULY.isoformat(), "places-places": "3", "places-reason": "Ny plads taget i brug"})
    assert response.status_code == 302
    assert PlaceChange.objects.filter(pk=first.pk, change=2).exists()
    row = PlaceChange.objects.get(offer=world.residential, valid_from=JULY)
    entry = audit_of(row)
    assert (entry.before, entry.after["places"], entry.after["change"]) == ({"places": 2}, 3, 1)
    assert "tilbagedateret" in entry.summary and entry.actor == world.users["centre_leader"]
    assert world.residential.places_on(JULY) == 3 and world.residential.places_on(JULY - datetime.timedelta(1)) == 2
