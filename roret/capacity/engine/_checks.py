"""Input checks shared by the capacity engine: fail loudly, with the offending value named."""

from __future__ import annotations

import numpy as np


def finite_array(value, name: str) -> np.ndarray:
    """Return ``value`` as a float array, refusing NaN and infinity."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric, got {value!r}") from exc
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or infinity), got {value!r}")
    return arr


def load_array(value, name: str = "load") -> np.ndarray:
    """Offered load(s) in Erlang: finite and >= 0."""
    arr = finite_array(value, name)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return arr


def places_array(value, name: str = "places", *, minimum: int = 1) -> np.ndarray:
    """Numbers of places: whole numbers >= ``minimum`` (1 unless said otherwise)."""
    arr = finite_array(value, name)
    if np.any(arr != np.round(arr)):
        raise ValueError(f"{name} must be whole numbers, got {value!r}")
    if np.any(arr < minimum):
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return arr.astype(np.int64)


def positive(value, name: str) -> float:
    """A finite number > 0."""
    x = float(finite_array(value, name))
    if x <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return x


def non_negative(value, name: str) -> float:
    """A finite number >= 0."""
    x = float(finite_array(value, name))
    if x < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return x


def probability(value, name: str, *, open_low: bool = False) -> float:
    """A number in [0, 1] (or (0, 1] with ``open_low``)."""
    x = float(finite_array(value, name))
    if x > 1 or x < 0 or (open_low and x == 0):
        bound = "(0, 1]" if open_low else "[0, 1]"
        raise ValueError(f"{name} must lie in {bound}, got {value!r}")
    return x


def rng_or_error(rng) -> np.random.Generator:
    """The engine never touches global random state: a Generator must be passed in."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            "rng must be a numpy.random.Generator (e.g. numpy.random.default_rng(seed)), "
            f"got {type(rng).__name__}"
        )
    return rng
