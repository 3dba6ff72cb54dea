import datetime
from decimal import Decimal

import pytest


@pytest.fixture(autouse=True)
def _reimbursement_levels_2022(request):
    """The 2022 levels come from a data migration; a transactional test elsewhere flushes them."""
    if not ({"db", "transactional_db", "world"} & set(request.fixturenames)):
        return
    request.getfixturevalue("db")
    from roret.economy.models import ReimbursementLevel

    for threshold, rate in [("860000", "0.250"), ("1680000", "0.500"), ("2120000", "0.750")]:
        ReimbursementLevel.objects.get_or_create(year=2022, threshold=Decimal(threshold),
                                                 defaults={"rate": Decimal(rate)})


@pytest.fixture
def placed(world):
    """Placements over several years up to last year, own and external, one ended, one sold."""
    last_year = datetime.date.today().year - 1
    day = datetime.date
    start = day(last_year - 4, 3, 1)
    for i in range(6):
        world.place(world.citizen(), world.day_offer, start=start + datetime.timedelta(days=200 * i))
    world.place(world.citizen(), world.residential, start=start, end=day(last_year, 2, 1))
    world.place(world.citizen(), world.external, start=day(last_year - 1, 5, 1))
    world.place(world.citizen(), world.residential, start=day(last_year - 1, 1, 1), paying_municipality="0101")
    return world
