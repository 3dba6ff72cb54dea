"""Report tables: one structure that a page, a PDF and an Excel sheet all render, with small-cell
suppression for the committee and pseudonyms for case-level rows.

Suppression (the committee role) is decided by roret.reports.toolkit.suppression: a row whose figures
come from 1–4 citizens (its ``citizens``) is hidden whole, a count of citizens of 1–4 in another
column (expensive cases) is hidden as a cell, and as few other rows or cells as needed are
hidden beside them so that none can be worked out from the table's total row (or from totals
shown elsewhere, ``implied_total``). Hidden cells read "skjult", and the table carries a note
saying why.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings

from roret.reports.toolkit import suppression
from roret.reports.toolkit.charts import format_da
from roret.reports.toolkit.suppression import MIN_CITIZENS, hidden_label, small  # noqa: F401 (the table's rule)


def pseudonym(citizen_id: int) -> str:
    """A stable pseudonym for a citizen (keyed hash of the id; never the name or CPR number).

    The key is ``PSEUDONYM_KEY``, its own setting or derived from the oldest field key
    (settings.py), so pseudonyms stay the same when SECRET_KEY changes (docs/security.md)."""
    digest = hmac.new(settings.PSEUDONYM_KEY.encode(), f"citizen:{citizen_id}".encode(), hashlib.sha256).hexdigest()
    return f"B-{digest[:8].upper()}"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"  # text, int, money, pct, days, score (a mean score, one decimal)
    citizen_count: bool = False  # a count of citizens (or of their stays or placements): hidden by itself when 1–4
    of: str = ""  # a figure built from the citizens counted in column ``of`` (a mean): hidden with it


@dataclass
class Cell:
    value: object
    kind: str
    suppressed: bool = False
    citizens: bool = False  # a count of citizens (marked on the page, checked by the browser test)

    @property
    def text(self) -> str:
        if self.suppressed:
            return hidden_label()
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
    if kind == "score":
        return format_da(value, 1)
    return format_da(value, 0)


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    total: list[Cell] | None = None
    note: str = ""
    suppressed_any: bool = False
    key: str = ""  # a stable name for machines (the API), where the title is for people


def build_table(title: str, columns: Sequence[Column], items: Sequence[dict], *, total: dict | None = None,
                suppress: bool = False, note: str = "", implied_total: bool = False) -> Table:
    """A table of ``items`` (dicts of figures with a ``citizens`` count); with ``suppress`` the
    committee's small-cell rule applies (roret.reports.toolkit.suppression). ``implied_total`` says the
    rows add up to totals the reader sees elsewhere (another table), though no total row is shown."""
    table = Table(title, list(columns), note=note)
    pattern = _pattern(columns, items, total, implied_total) if suppress else None

    def cells(item, hidden):
        out = []
        for col in columns:
            hide = col.kind != "text" and (hidden(col.key) or bool(col.of and hidden(col.of)))
            table.suppressed_any |= hide
            out.append(Cell(item.get(col.key), col.kind, hide, citizens=col.citizen_count))
        return out

    table.rows = [cells(item, lambda key, r=r: pattern is not None and pattern.hidden(r, key))
                  for r, item in enumerate(items)]
    if total is not None:
        table.total = cells(total, lambda key: pattern is not None and (
            pattern.total_hidden("total", key) or pattern.total_hidden("total", "*")))
    if table.suppressed_any:
        table.note = (note + " " if note else "") + str(suppression.NOTE)
    return table


def _pattern(columns: Sequence[Column], items: Sequence[dict], total: dict | None,
             implied_total: bool) -> suppression.Pattern:
    """The committee's pattern: rows hidden whole by their citizens, other counts as cells."""
    counts = [c.key for c in columns if c.citizen_count]
    whole = "citizens" if any("citizens" in item for item in items) else None
    if whole and whole not in counts:
        counts.insert(0, whole)
    label = next((c.key for c in columns if c.kind == "text"), None)
    lines = []
    if total is not None:
        lines.append(suppression.Line("total", rows=range(len(items)), totals={k: total.get(k) or 0 for k in counts}))
    elif implied_total:
        lines.append(suppression.Line("elsewhere", rows=range(len(items)), fixed=True,
                                      totals={k: sum(item.get(k) or 0 for item in items) for k in counts}))
    grid = suppression.Grid(
        values=items, counts=counts, labels=[str(item.get(label, i)) for i, item in enumerate(items)],
        lines=lines, whole_row=whole, row_cells=sum(1 for c in columns if c.kind != "text"))
    return suppression.suppress(grid)
