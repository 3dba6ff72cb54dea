"""What every import kind shares: its columns, a plan of new, changed and unchanged rows with every
error by sheet, row and column, and the cell readers that say in Danish what is wrong with a cell."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from roret.imports.reading import Row, Table, row_of

Progress = Callable[[float, str], None]


def _quiet(fraction: float, message: str) -> None:
    return None


@dataclass
class Plan:
    """What an import would do: counts, the rows' actions (the kind's own objects) and the errors."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rows: int = 0
    actions: list = field(default_factory=list)
    #: [sheet, row, column letter, header, message]
    errors: list[list] = field(default_factory=list)

    def error(self, row: Row, key: str | None, message: str) -> None:
        cell = row.cells.get(key) if key else None
        self.errors.append([row.sheet, row.number, cell.column if cell else "", cell.header if cell else "",
                            str(message)])

    def count(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)


class Kind:
    """An import kind: subclasses give the columns, ``check`` (one row into the plan) and ``apply``."""

    name = ""
    label = ""
    roles: frozenset = frozenset()
    sheet_names: tuple[str, ...] = ()
    #: key -> (the Danish header written in the template, other accepted names ...)
    columns: dict[str, tuple[str, ...]] = {}
    required: tuple[str, ...] = ()
    #: one example row for the template, in column order
    example: tuple = ()

    def accepted(self) -> dict[str, tuple[str, ...]]:
        return {key: tuple(n.casefold() for n in names) + (key.casefold(),) for key, names in self.columns.items()}

    def plan(self, table: Table, *, actor, progress: Progress = _quiet) -> Plan:
        plan = Plan(rows=table.total)
        self.prepare(table, actor=actor, plan=plan)
        step = max(1, table.total // 50)
        for i, (number, values) in enumerate(table.rows):
            self.check(row_of(table, number, values), plan, actor=actor)
            if i % step == 0:
                progress(i / max(table.total, 1), _("Checking row %(row)d of %(total)d") % {"row": i + 1,
                                                                                            "total": table.total})
        self.finish(plan, actor=actor)
        return plan

    def prepare(self, table: Table, *, actor, plan: Plan) -> None:
        """Read what the rows will be compared with, once for the whole file."""

    def check(self, row: Row, plan: Plan, *, actor) -> None:
        raise NotImplementedError

    def finish(self, plan: Plan, *, actor) -> None:
        """Checks across rows once all are read."""

    def apply(self, plan: Plan, *, actor, channel: str, progress: Progress = _quiet) -> None:
        raise NotImplementedError


# ---- cells ------------------------------------------------------------------------------------

def cell(row: Row, key: str, plan: Plan):
    """The cell's value, or None with an error when it holds a formula (never evaluated)."""
    found = row.cells.get(key)
    if found is None:
        return None
    if found.formula:
        plan.error(row, key, _("Formulas are not read: type the value itself (%(formula)s).")
                   % {"formula": str(found.value)[:40]})
        return None
    return found.value


def text(row: Row, key: str, plan: Plan, *, max_length: int, required: bool = False) -> str | None:
    value = cell(row, key, plan)
    if value is None and row.cells.get(key) is not None and row.cells[key].formula:
        return None
    result = "" if value is None else " ".join(str(value).split())
    if required and not result:
        plan.error(row, key, _("This cell must be filled in."))
        return None
    if len(result) > max_length:
        plan.error(row, key, _("The text is %(n)d characters; this column holds at most %(max)d.")
                   % {"n": len(result), "max": max_length})
        return None
    return result


DATE_FORMATS = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d")


def date(row: Row, key: str, plan: Plan, *, required: bool = False) -> datetime.date | None:
    """A date from a date cell or text as a Dane writes it (31-12-2025, 31.12.2025) or ISO."""
    value = cell(row, key, plan)
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = "" if value is None else str(value).strip()
    if not raw:
        if required and not (row.cells.get(key) and row.cells[key].formula):
            plan.error(row, key, _("Give a date (e.g. 31-12-2025)."))
        return None
    for fmt in DATE_FORMATS:
        try:
            day = datetime.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if 1900 <= day.year <= 2200:
            return day
    plan.error(row, key, _("%(value)s is not a date (write e.g. 31-12-2025).") % {"value": raw[:30]})
    return None


def amount(row: Row, key: str, plan: Plan, *, maximum: Decimal, required: bool = False) -> Decimal | None:
    """An amount in kroner, 0 or more with at most two decimals, and no larger than its field holds."""
    from roret.balance.services import _Bad, parse_decimal

    value = cell(row, key, plan)
    if value is None or str(value).strip() == "":
        if required and not (row.cells.get(key) and row.cells[key].formula):
            plan.error(row, key, _("Give an amount in kroner (e.g. 2250,00)."))
        return None
    try:
        number = parse_decimal(value)
    except _Bad:
        plan.error(row, key, _("%(value)s is not an amount in kroner (e.g. 2250,00).") % {"value": str(value)[:30]})
        return None
    if number < 0 or number != number.quantize(Decimal("0.01")):
        plan.error(row, key, _("An amount is 0 kr. or more, with at most two decimals."))
        return None
    if number > maximum:
        plan.error(row, key, _("%(value)s is too large for this column (at most %(max)s).")
                   % {"value": number, "max": maximum})
        return None
    return number.quantize(Decimal("0.01"))


def whole(row: Row, key: str, plan: Plan, *, low: int, high: int, required: bool = False) -> int | None:
    value = cell(row, key, plan)
    if value is None or str(value).strip() == "":
        if required and not (row.cells.get(key) and row.cells[key].formula):
            plan.error(row, key, _("This cell must be filled in."))
        return None
    try:
        number = Decimal(str(value).strip())
        if number != number.to_integral_value():
            raise ValueError
    except (ArithmeticError, ValueError):
        plan.error(row, key, _("%(value)s is not a whole number.") % {"value": str(value)[:30]})
        return None
    if not low <= number <= high:
        plan.error(row, key, _("%(value)s is outside %(low)d to %(high)d.") % {"value": number, "low": low, "high": high})
        return None
    return int(number)


def choice(row: Row, key: str, plan: Plan, choices, *, default: str = "") -> str | None:
    """A value of a TextChoices, written as its code or its label in Danish or English."""
    from django.utils import translation

    value = cell(row, key, plan)
    raw = " ".join(str(value or "").split()).casefold()
    if not raw:
        return default
    names = {}
    for code, label in zip(choices.values, choices.labels, strict=True):
        names[code.casefold()] = code
        for language in ("da", "en"):
            with translation.override(language):
                names[str(label).casefold()] = code
    if raw in names:
        return names[raw]
    with translation.override("da"):
        known = ", ".join(str(label).lower() for label in choices.labels)
    plan.error(row, key, _("%(value)s is not one of: %(known)s.") % {"value": str(value)[:40], "known": known})
    return None
