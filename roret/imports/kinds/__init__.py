"""The registry of import kinds. A kind not listed here cannot be chosen, on the page or the command
line."""

from roret.imports.kinds.base import Kind, Plan

KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if kind.name in KINDS:
        raise ValueError(f"import kind {kind.name!r} is registered twice")
    KINDS[kind.name] = kind
    return kind


def allowed(user) -> list[Kind]:
    """The kinds ``user``'s role may import."""
    from roret.core.permissions import has_role

    return [kind for kind in KINDS.values() if has_role(user, kind.roles)]


def load() -> None:
    """Register every finished kind (imported for its ``register`` calls)."""
    from importlib import import_module

    # In the order the upload page lists them.
    for module in ("citizens", "placements", "catalogue", "budgets", "grants"):
        import_module(f"roret.imports.kinds.{module}")


__all__ = ["KINDS", "Kind", "Plan", "allowed", "load", "register"]
