"""The "85 % occupancy" rule of thumb means very different refusal rates for small and large units.

Reproduces the classic hospital-ward result (de Bruin, A. M., Bekker, R., van Zanten, L. &
Koole, G. M. 2010, "Dimensioning hospital wards using the Erlang loss model", Annals of
Operations Research 178, 23-43) for residential places; the table is in docs/capacity.md.
"""

import numpy as np
import pytest

from roret.capacity.engine import (
    ExponentialStay,
    erlang_b,
    load_at_occupancy,
    max_load,
    occupancy,
    simulate_loss,
)

SIZES = np.array([5, 10, 20, 40, 100, 200])


def refusal_at_85_percent(sizes=SIZES):
    return erlang_b(sizes, load_at_occupancy(sizes, 0.85))


def test_at_85_percent_occupancy_small_units_refuse_far_more_often():
    b = refusal_at_85_percent()
    assert np.all(np.diff(b) < 0)  # strictly fewer refusals the larger the unit
    assert b[0] > 0.5  # 5 places: more than every second citizen must be placed elsewhere
    assert b[-1] < 0.003  # 200 places: fewer than 3 in 1,000
    assert b[0] / b[-1] > 100


def test_the_published_table_values():
    # The table in docs/capacity.md, rounded as printed there.
    printed = {5: 0.5135, 10: 0.3271, 20: 0.1728, 40: 0.0737, 100: 0.0152, 200: 0.0025}
    np.testing.assert_allclose(
        refusal_at_85_percent(np.array(list(printed))), list(printed.values()), atol=5e-5
    )


def test_at_equal_refusal_large_units_run_much_fuller():
    occ = occupancy(SIZES, max_load(SIZES, 0.05))
    assert np.all(np.diff(occ) > 0)
    assert occ[0] < 0.45 and occ[-1] > 0.94


@pytest.mark.parametrize("places", [5, 100])
def test_simulation_confirms_the_small_and_large_unit(places):
    load = load_at_occupancy(places, 0.85)
    est = simulate_loss(
        places,
        load / 2.0,
        ExponentialStay(2.0),
        horizon=5.0,
        replications=1000,
        rng=np.random.default_rng(85),
        start="stationary",
        confidence=0.99,
    )
    assert est.ci_low <= erlang_b(places, load) <= est.ci_high
    assert est.mean_occupancy / places == pytest.approx(0.85, rel=0.01)
