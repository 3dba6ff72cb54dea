import datetime
from decimal import Decimal

from roret.offers.models import Tariff
from roret.placements.models import Placement, PlacementTariff
from roret.placements.queries import with_current_tariff

D = datetime.date


def test_current_tariff_is_the_agreed_one_else_the_standard_within_the_placements_period(world):
    Tariff.objects.create(offer=world.residential, valid_from=D(2025, 1, 1), amount=Decimal("2300.00"), unit="day")
    ended = world.place(world.citizen(first_name="A"), start=D(2024, 3, 1), end=D(2025, 1, 1))
    ongoing = world.place(world.citizen(first_name="B"), start=D(2024, 3, 1))
    agreed = world.place(world.citizen(first_name="C"), world.external, start=D(2024, 3, 1))
    PlacementTariff.objects.create(placement=agreed, valid_from=D(2024, 3, 1), amount=Decimal("4100.00"), unit="day")
    PlacementTariff.objects.create(placement=agreed, valid_from=D(2026, 1, 1), amount=Decimal("3900.00"), unit="day")
    future = world.place(world.citizen(first_name="D"), world.day_offer, start=D(2030, 1, 1))

    rows = {p.pk: p for p in with_current_tariff(Placement.objects.all(), D(2025, 6, 1))}
    assert (rows[ended.pk].tariff_amount, rows[ended.pk].tariff_agreed) == (Decimal("2250.00"), False)
    assert rows[ongoing.pk].tariff_amount == Decimal("2300.00")
    assert (rows[agreed.pk].tariff_amount, rows[agreed.pk].tariff_agreed) == (Decimal("4100.00"), True)
    assert rows[future.pk].tariff_amount == Decimal("600.00") and rows[future.pk].tariff_unit == "day"
    later = {p.pk: p for p in with_current_tariff(Placement.objects.all(), D(2026, 2, 1))}
    assert later[agreed.pk].tariff_amount == Decimal("3900.00")
