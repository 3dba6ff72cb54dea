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
