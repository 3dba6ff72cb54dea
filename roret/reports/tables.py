"""Report tables: one structure that a page, a PDF and an Excel sheet all render, with small-cell
suppression for the committee and pseudonyms for case-level rows.

Suppression (the committee role): a cell built from fewer than :data:`MIN_CITIZENS` citizens is
not shown. A breakdown row with 1–4 citizens is hidden whole (all its figures are built from
those citizens); when only one row of a table is hidden, the next smallest row is hidden too,
so the hidden one cannot be recovered as the total minus the others (complementary
suppression). Counts of expensive cases and reimbursed citizens of 1–4 are hidden as cells.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from roret.reports.charts import format_da

MIN_CITIZENS = 5
SUPPRESSED = "<5"


def pseudonym(citizen_id: int) -> str:
    """A stable pseudonym for a citizen (keyed hash of the id; never the name or CPR number)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"citizen:{citizen_id}".encode(), hashlib.sha256).hexdigest()
    return f"B-{digest[:8].upper()}"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"  # text, int, money, pct, days
    citizen_count: bool = False  # a count of citizens: hidden by itself when 1–4


@dataclass
class Cell:
    value: object
    kind: str
    suppressed: bool = False

    @property
    def text(self) -> str:
        if self.suppressed:
            return SUPPRESSED
        return format_value(self.value, self.kind)

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


def format_value(value, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "text":
        return str(value)
    if kind == "money":
        return format_da(value, 0)
    if kind == "pct":
        return f"{format_da(value, 1)} %"
    if kind == "days":
        return format_da(value, 0)
    return format_da(value, 0)


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    total: list[Cell] | None = None
    note: str = ""
    suppressed_any: bool = False


def small(n: int | None) -> bool:
    return n is not None and 0 < n < MIN_CITIZENS


def rows_to_hide(citizens: Sequence[int]) -> set[int]:
    """Indexes of breakdown rows to hide: 1–4 citizens, plus one complement when only one is hidden."""
    hidden = {i for i, n in enumerate(citizens) if small(n)}
    if len(hidden) == 1:
        rest = sorted((n, i) for i, n in enumerate(citizens) if i not in hidden and n > 0)
        if rest:
            hidden.add(rest[0][1])
    return hidden


def build_table(title: str, columns: Sequence[Column], items: Sequence[dict], *, total: dict | None = None,
                suppress: bool = False, note: str = "") -> Table:
    """A table of ``items`` (dicts of figures with a ``citizens`` count); with ``suppress`` the
    committee's small-cell rule applies."""
    table = Table(title, list(columns), note=note)
    hidden = rows_to_hide([item.get("citizens") or 0 for item in items]) if suppress else set()
    total_small = total is not None and small(total.get("citizens"))
    if suppress and total_small:
        hidden = set(range(len(items)))

    def cells(item, hide_row: bool):
        out = []
        for col in columns:
            value = item.get(col.key)
            hide = suppress and col.kind != "text" and (hide_row or (col.citizen_count and small(value)))
            table.suppressed_any |= hide
            out.append(Cell(value, col.kind, hide))
        return out

    table.rows = [cells(item, i in hidden) for i, item in enumerate(items)]
    if total is not None:
        table.total = cells(total, suppress and total_small)
    if table.suppressed_any:
        table.note = (note + " " if note else "") + str(
            _("Cells built from fewer than 5 citizens are shown as <5."))
    return table
