"""What the 5-year plan returns: month-by-month bands, the same shape for every method."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Band", "PlanResult", "discrete_quantiles"]

QUANTILES = (0.1, 0.5, 0.9)


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class Band:
    """Expected value and P10/P50/P90 of one quantity, one value per month."""

    mean: np.ndarray
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class PlanResult:
    """The 5-year capacity plan for one scenario.

    Levels (``occupancy``, ``vacancy``, ``external``, ``waiting``) are head counts at the end
    of each month. ``new_external`` is the expected number of citizens who, during the
    month, found no free own place. ``cost`` is kroner per month: own places times their
    tariff plus bought place-months times theirs; its mean is the exact expected month cost,
    its bands are described in docs/capacity.md. ``total_cost`` is the expected cost over
    the horizon; ``total_cost_band`` its P10/P50/P90 where the method gives them
    (simulation), else ``None``.
    """

    scenario: str
    method: str  # "exact" (Markov chain) or "simulation"
    places: np.ndarray
    reserved: np.ndarray
    occupancy: Band
    vacancy: Band
    external: Band
    waiting: Band
    new_external: np.ndarray
    cost: Band
    total_cost: float
    total_cost_band: tuple[float, float, float] | None
    replications: int | None
    diagnostics: dict = field(default_factory=dict)

    @property
    def months(self) -> np.ndarray:
        return np.arange(self.places.size)

    def rows(self) -> list[dict]:
        """One plain dict per month, for tables, CSV and JSON."""
        out = []
        for m in range(self.places.size):
            row = {"month": m, "places": int(self.places[m]), "reserved": int(self.reserved[m])}
            for name in ("occupancy", "vacancy", "external", "waiting", "cost"):
                band = getattr(self, name)
                for part in ("mean", "p10", "p50", "p90"):
                    row[f"{name}_{part}"] = float(getattr(band, part)[m])
            row["new_external"] = float(self.new_external[m])
            out.append(row)
        return out


def discrete_quantiles(pmf: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
    """P10, P50, P90 of a discrete law: the smallest value whose CDF reaches each level.

    ``pmf`` may be 2-d (one law per row). This is the "inverted CDF" definition, the same
    that :func:`numpy.quantile` uses with ``method="inverted_cdf"`` for simulated values.
    """
    pmf = np.atleast_2d(pmf)
    values = np.arange(pmf.shape[1]) if values is None else np.asarray(values)
    cdf = np.cumsum(pmf, axis=1)
    cdf /= cdf[:, -1:]
    out = np.empty((pmf.shape[0], len(QUANTILES)))
    for j, q in enumerate(QUANTILES):
        out[:, j] = values[np.argmax(cdf >= q - 1e-12, axis=1)]
    return out
