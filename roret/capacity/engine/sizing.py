"""How many own places to run: the cost-optimal number, optionally with a service level.

Units. ``load`` is the offered load :math:`A = \\lambda s` in place-years per year
(citizens granted per year times mean stay in years). ``own_cost`` is the yearly cost of one
own place, paid whether it is occupied or not. ``external_cost`` is the yearly cost of one
bought place while a citizen occupies it. A citizen who finds no free own place is placed
externally for the whole stay, so the municipality buys :math:`\\lambda B s = A B` external
place-years per year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._checks import load_array, non_negative, positive, probability
from .erlang import erlang_b_table

__all__ = ["Sizing", "size_places"]


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class Sizing:
    """The recommended number of own places and what it is expected to cost per year."""

    places: int
    load: float
    blocking: float  # share of citizens who must be placed externally, B(c, A)
    occupancy: float  # expected share of own places in use, A(1 - B)/c (0.0 when places == 0)
    own_cost: float  # places * own cost per place-year
    external_cost: float  # A * B * external cost per occupied place-year
    expected_cost: float  # own_cost + external_cost, per year
    external_place_years: float  # A * B: bought place-years per year
    externally_placed_per_year: float | None  # lambda * B, when the arrival rate is given
    binding: str  # "cost" (the cost optimum) or "service_level" (more places to meet max_blocking)
    cost_curve: np.ndarray  # expected yearly cost for 0 .. len(cost_curve) - 1 own places


def _table_until_convex_minimum(a: float, own: float, external: float) -> np.ndarray:
    """B(0..K) with K large enough that the cost minimum lies below K.

    The yearly cost :math:`C(c) = c\\,k_o + A B(c, A)\\,k_e` is convex in :math:`c` because
    :math:`B` is convex in :math:`c` (Messerli, E. J. 1972, "Proof of a convexity property of
    the Erlang B formula", Bell System Technical Journal 51, 951-953). Once one more place
    saves less than it costs, :math:`A\\,(B(c) - B(c+1))\\,k_e < k_o`, no later place pays
    for itself either.
    """
    k = max(8, math.ceil(a + 10.0 * math.sqrt(a) + 10.0))
    while True:
        b = erlang_b_table(k, a)
        saving = a * (b[:-1] - b[1:]) * external
        if saving[-1] < own or k > 10_000_000:
            return b
        k *= 2


def size_places(
    load: float,
    own_cost: float,
    external_cost: float,
    *,
    max_blocking: float | None = None,
    arrival_rate: float | None = None,
) -> Sizing:
    """Number of own places minimising the expected yearly cost, with an optional service level.

    .. math::

        c^* = \\arg\\min_{c \\ge 0}\\; c\\,k_o + A\\,B(c, A)\\,k_e
        \\quad\\text{subject to}\\quad B(c, A) \\le x \\text{ (if given)}.

    Because the cost is convex in :math:`c` and :math:`B` decreases in :math:`c`, the
    constrained optimum is the larger of the cost optimum and the smallest :math:`c` with
    :math:`B \\le x`. Ties go to the smaller number of places. Each own place carries at
    most one extra place-year per year, so when ``external_cost <= own_cost`` buying is
    never dearer and the cost optimum is 0 places.

    ``arrival_rate`` (citizens per year) is only used to report
    ``externally_placed_per_year`` (:math:`\\lambda B`).
    """
    a = float(load_array(load))
    own = positive(own_cost, "own_cost")
    external = non_negative(external_cost, "external_cost")
    x = None if max_blocking is None else probability(max_blocking, "max_blocking", open_low=True)
    lam = None if arrival_rate is None else positive(arrival_rate, "arrival_rate")

    b = _table_until_convex_minimum(a, own, external)
    c = np.arange(b.size)
    cost = c * own + a * b * external
    best = int(np.argmin(cost))
    binding = "cost"
    if x is not None and b[best] > x:
        meets = np.nonzero(b <= x)[0]
        while meets.size == 0:  # the table stopped at the cost optimum; extend it
            b = erlang_b_table(2 * b.size, a)
            meets = np.nonzero(b <= x)[0]
        best = int(meets[0])
        c = np.arange(b.size)
        cost = c * own + a * b * external
        binding = "service_level"
    blocking = float(b[best])
    return Sizing(
        places=best,
        load=a,
        blocking=blocking,
        occupancy=a * (1.0 - blocking) / best if best > 0 else 0.0,
        own_cost=best * own,
        external_cost=a * blocking * external,
        expected_cost=float(cost[best]),
        external_place_years=a * blocking,
        externally_placed_per_year=None if lam is None else lam * blocking,
        binding=binding,
        cost_curve=cost,
    )
