"""One rule for the tariff in force on a day: the cost engine's, and the SQL read models and the
Python helpers that must give the same answer (a corrected row and agreed rows included)."""

import datetime
from decimal import Decimal

import pytest

from roret.economy import engine
from roret.offers import services as offer_services
from roret.offers.models import Tariff
from roret.offers.queries import catalogue
from roret.outcomes.services import current_tariff, renegotiate_tariff
from roret.placements.models import Placement, PlacementTariff
from roret.placements.queries import with_current_tariff
from tests.factories import committed

D = Decimal
day = datetime.date
DAYS = [day(2014, 12, 31), day(2015, 1, 1), day(2023, 6, 1), day(2023, 12, 31), day(2024, 1, 1), day(2024, 3, 1),
        day(2024, 5, 31), day(2024, 6, 1), day(2024, 12, 31), day(2025, 1, 1), day(2026, 7, 1)]


@pytest.fixture
def tariffs(world):
    """The external offer: 3,100 kr. from 2015; 3,200 from 2024, corrected to 3,250; 3,300 from 2025.
    Three placements: one on the standard tariff, one with a renegotiated (agreed) tariff from
    June 2024, one that ended in March 2024."""
    economist = world.users["economist"]
    offer = world.external
    with committed():
        wrong = offer_services.add_tariff(offer, valid_from=day(2024, 1, 1), amount="3200.00", unit="day",
                                          actor=economist, reason="Takstaftale 2024", today=day(2023, 12, 1))
        offer_services.correct_tariff(wrong, amount="3250.00", unit="day", actor=economist,
                                      reason="Forkert beløb indtastet")
        offer_services.add_tariff(offer, valid_from=day(2025, 1, 1), amount="3300.00", unit="day",
                                  actor=economist, reason="Takstaftale 2025", today=day(2024, 12, 1))
    standard = world.place(world.citizen(first_name="Standard"), offer, start=day(2023, 6, 1))
    agreed = world.place(world.citizen(first_name="Aftalt"), offer, start=day(2023, 6, 1))
    with committed():
        renegotiate_tariff(agreed, actor=world.users["caseworker"], new_amount=D("2900.00"), valid_from=day(2024, 6, 1))
    ended = world.place(world.citizen(first_name="Slut"), offer, start=day(2023, 6, 1), end=day(2024, 3, 1))
    return offer, [standard, agreed, ended]


def _rows(queryset, *, hours=False):
    return [engine.TariffRow(r.valid_from, r.amount, r.unit, r.hours_per_week if hours else None) for r in queryset]


def test_the_catalogue_and_the_offer_show_the_engines_standard_tariff(tariffs):
    offer, _placements = tariffs
    assert Tariff.history.filter(offer=offer).count() == 4 and Tariff.objects.filter(offer=offer).count() == 3
    standard = _rows(Tariff.objects.filter(offer=offer))
    seen = set()
    for d in DAYS:
        expected = engine.tariff_on(d, standard)
        in_catalogue = catalogue(d).get(pk=offer.pk).tariff_amount
        on_offer = offer.tariff_on(d)
        assert in_catalogue == (expected.amount if expected else None), d
        assert (on_offer.amount if on_offer else None) == in_catalogue, d
        seen.add(in_catalogue)
    # The corrected row never shows; its correction does.
    assert D("3200.00") not in seen and {D("3100.00"), D("3250.00"), D("3300.00"), None} <= seen


def test_a_placements_current_tariff_is_the_engines_in_sql_and_in_python(tariffs):
    offer, placements = tariffs
    standard = _rows(Tariff.objects.filter(offer=offer))
    seen = set()
    for d in DAYS:
        annotated = {p.pk: p for p in with_current_tariff(Placement.objects.filter(offer=offer), d)}
        for placement in placements:
            agreed = _rows(PlacementTariff.objects.filter(placement=placement), hours=True)
            # The read model shows the tariff of the day clamped into the placement's [start, end).
            on = max(placement.start, d)
            if placement.end is not None:
                on = min(on, placement.end - datetime.timedelta(days=1))
            expected = engine.tariff_on(on, standard, agreed)
            row = annotated[placement.pk]
            assert (row.tariff_amount, row.tariff_unit, row.tariff_agreed) == (
                expected.amount, expected.unit, expected in agreed), (placement, d)
            assert current_tariff(placement, on)[:2] == (expected.amount, expected.unit), (placement, d)
            seen.add((placement.pk, row.tariff_amount))
    standard_p, agreed_p, ended_p = placements
    # The agreed tariff replaces the standard from June 2024, also after the 2025 standard row.
    assert (agreed_p.pk, D("2900.00")) in seen and (agreed_p.pk, D("3300.00")) not in seen
    assert (standard_p.pk, D("3300.00")) in seen and (ended_p.pk, D("3300.00")) not in seen
    assert not any(amount == D("3200.00") for _pk, amount in seen)


def test_the_renegotiation_saving_is_the_engines_yearly_cost(tariffs):
    from roret.outcomes.models import TariffRenegotiation

    renegotiation = TariffRenegotiation.objects.get()
    assert renegotiation.old_amount == D("3250.00")          # the corrected standard tariff, not the wrong one
    assert renegotiation.yearly_saving == D("350.00") * 365
