"""Small-cell suppression for the political committee: which cells of a table to hide.

The rule of the house: the committee never sees a cell built from 1-4 citizens, and never a
shown total from which such a cell can be worked out. One module decides it for every page,
export and report the committee reaches; the pages only render the answer ("skjult", with a
note saying why). docs/suppression.md explains the rule for readers outside the code.

**Primary suppression.** A cell that counts 1-4 citizens is hidden. Where every figure of a
row comes from its citizens (a KPI breakdown row: cost, place-days, stays), the row is hidden
whole when its citizen count is 1-4. A count of 0 is shown: it reveals nobody.

**Complementary suppression.** A hidden cell must not be recoverable from the totals shown.
The reader is assumed to know every shown figure, every shown total, that hidden counts are
whole numbers of at least 1 (a 0 is never hidden on its own; one hidden with its row reveals
nobody and needs no protection), and which figures bound others (sold places are part of the
occupied ones). Every hidden cell must then
still have at least two possible values. So no line with a shown total has exactly one hidden
cell, and hidden cells are not pinned by their sum (two hidden cells summing to 2 must both
be 1, so they are not enough: a third cell with room to move is hidden too). Among the sets of
extra cells that achieve this, the fewest are chosen, then the smallest, then by name (so
the same figures give the same choice on every page).

**The test, exactly.** A table's totals are nested lines: a total over some rows and over other
lines' totals, per column (a capacity group inside the own offers; counted and not-counted
reasons inside all). Written as a flow network, each figure is an edge and each line a node
where the parts flowing in equal the total flowing out. A hidden figure can take another value
exactly when it lies on a cycle of hidden figures along which one unit can be pushed without
taking any figure below its lower bound or above its upper bound (the standard result for
integer flows: a difference between two solutions splits into such cycles). The check is a
path search, exact for any nesting of totals, and fast.

**The search.** Figures joined by no line (and hidden together by no row) cannot help each
other, so each such group is solved on its own. Within a group the cheapest extra set is found
by a branch-and-bound search over its candidate cells, cheapest first, bounded by a greedy
answer; hiding more never pins a figure, so each step re-checks only the figures still pinned.
Roret's tables finish well inside the search budget (a catalogue of 300 offers with most cells
small takes a tenth of a second); past the budget the best pattern found so far is used:
always safe, possibly not the fewest cells.

**Limits.** Each table (or each set of tables sharing lines, such as the offer catalogue and the
capacity groups) is protected on its own: two tables that break the same total down by
different dimensions (legal basis and account function) are not protected jointly. Figures
other than head counts in a hidden row (kroner, place-days) are protected by the hidden rows
beside them; a 0 hidden with its row may be read as 0 (it reveals nobody). Rates and
means are not sums and do not form lines. Forecasts are not counts of citizens.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import count

from django.utils.translation import gettext, gettext_lazy

Number = int | float | Decimal

#: A cell of fewer citizens than this (and more than 0) is hidden from the committee.
MIN_CITIZENS = 5

#: How many patterns the search may try before it settles for the best found so far.
SEARCH_BUDGET = 3000

#: What every table or page with a hidden cell says about it.
NOTE = gettext_lazy("Cells with fewer than 5 citizens are hidden, and as few other cells as needed "
                    "so that they cannot be worked out from the totals.")


def hidden_label() -> str:
    """How a hidden cell reads: "skjult" (never "<5", which would say the cell is small)."""
    return gettext("hidden")


def small(n: Number | None) -> bool:
    """Whether ``n`` citizens is a small cell (1-4): hidden from the committee."""
    return n is not None and 0 < n < MIN_CITIZENS


# ---------------------------------------------------------------------------------- the engine


@dataclass
class Figure:
    """One number a reader sees (or could see): a cell or a line's total.

    ``lower``/``upper`` are what the reader knows of it when it is hidden (None: no bound).
    A figure that is not ``published`` is a total nobody shows: it ties its parts to the line
    above but pins nothing.
    """

    value: Number
    lower: Number | None = 1
    upper: Number | None = None
    published: bool = True


@dataclass
class Unit:
    """Figures hidden together: one cell, or a row hidden whole. ``cells`` is what hiding it
    costs (cells on the page), ``size`` breaks ties (smaller first), then ``name``."""

    figures: tuple[Hashable, ...]
    primary: bool = False
    candidate: bool = True
    cells: int = 1
    size: Number = 0
    name: str = ""


@dataclass
class Sum:
    """A line: its ``parts`` add up to its ``total`` (keys of figures)."""

    total: Hashable
    parts: Sequence[Hashable]


_S = "S"  # the node every cell flows from and every outermost total flows to


class Network:
    """Figures as the edges of a flow network: a figure runs from the line it totals (or S) to
    the line it is a part of (or S), so at each line the parts flowing in equal the total out."""

    def __init__(self, figures: Mapping[Hashable, Figure], sums: Sequence[Sum]):
        self.figures = figures
        self.tail: dict[Hashable, Hashable] = {}
        self.head: dict[Hashable, Hashable] = {}
        for i, line in enumerate(sums):
            if line.total in self.tail:
                raise ValueError(f"{line.total!r} is the total of two lines")
            self.tail[line.total] = i
            for part in line.parts:
                if part in self.head:
                    raise ValueError(f"{part!r} is a part of two lines")
                self.head[part] = i
        self.ends = {key: (self.tail.get(key, _S), self.head.get(key, _S)) for key in figures}
        self.free = {key for key, f in figures.items() if not f.published}
        # Neighbouring figures through a line node, for the search's candidates.
        self.at_node: dict[Hashable, list] = {}
        for key, (a, b) in self.ends.items():
            for node in {a, b} - {_S}:
                self.at_node.setdefault(node, []).append(key)

    def _slack(self, key) -> tuple[bool, bool]:
        """(may rise, may fall) by one unit."""
        f = self.figures[key]
        if not f.published:
            return True, True
        up = f.upper is None or f.value + 1 <= f.upper
        down = f.lower is None or f.value - 1 >= f.lower
        return up, down

    def _arcs(self, movable: Collection) -> dict:
        """The residual network of the figures that can move: node -> [(next node, figure)]."""
        arcs: dict[Hashable, list] = {}
        for key in movable:
            a, b = self.ends[key]
            up, down = self._slack(key)
            if up:
                arcs.setdefault(a, []).append((b, key))
            if down:
                arcs.setdefault(b, []).append((a, key))
        return arcs

    @staticmethod
    def _reaches(arcs: dict, start, goal, skip) -> bool:
        if start == goal:
            return True
        seen, todo = {start}, [start]
        while todo:
            for nxt, key in arcs.get(todo.pop(), ()):
                if key == skip or nxt in seen:
                    continue
                if nxt == goal:
                    return True
                seen.add(nxt)
                todo.append(nxt)
        return False

    def unprotected(self, hidden: Collection, suspects: Sequence | None = None) -> list:
        """Hidden published figures, other than zeros, whose value the shown ones pin down: of
        ``suspects`` if given (hiding more never pins a figure, so only those need a look), else
        of all ``hidden``, in that order."""
        arcs = self._arcs(set(hidden) | self.free)
        hidden = set(hidden)
        out = []
        for key in dict.fromkeys(suspects if suspects is not None else hidden):
            f = self.figures[key]
            if key not in hidden or not f.published or f.value == 0:
                continue  # a total nobody sees, or a 0 (hidden with its row): it reveals nobody
            a, b = self.ends[key]
            up, down = self._slack(key)
            if not (up and self._reaches(arcs, b, a, key)) and not (down and self._reaches(arcs, a, b, key)):
                out.append(key)
        return out

    def parts(self, units: Mapping[Hashable, Unit]) -> list[set]:
        """Figures in groups that cannot help each other: joined neither through a line nor by
        a unit (a cycle that leaves a group through S comes back through S, so it can be cut)."""
        parent = {key: key for key in self.figures}

        def find(k):
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for group in [*self.at_node.values(), *(u.figures for u in units.values())]:
            for key in group[1:]:
                parent[find(key)] = find(group[0])
        out: dict = {}
        for key in self.figures:
            out.setdefault(find(key), set()).add(key)
        return list(out.values())


def protect(figures: Mapping[Hashable, Figure], sums: Sequence[Sum], units: Mapping[Hashable, Unit],
            *, budget: int = SEARCH_BUDGET) -> tuple[set, list]:
    """The units to hide: every primary unit, and the cheapest set of candidate units that
    leaves no hidden figure recoverable from the shown ones (see the module's docstring); and
    the hidden figures still recoverable (none, unless no candidate is left to hide)."""
    net = Network(figures, sums)
    chosen = {u for u, unit in units.items() if unit.primary}
    exposed = []
    for part in net.parts(units):
        hidden = {k for u in chosen for k in units[u].figures if k in part}
        problems = net.unprotected(hidden)
        if not problems:
            continue
        candidates = sorted((u for u, unit in units.items()
                             if u not in chosen and unit.candidate and part.intersection(unit.figures)),
                            key=_order(units))
        best = _greedy(net, hidden, problems, candidates, units)
        best = _search(net, hidden, problems, candidates, units, best, budget)
        chosen |= set(best)
        exposed += net.unprotected(hidden | {k for u in best for k in units[u].figures})
    return chosen, exposed


def _order(units):
    return lambda u: (units[u].cells, units[u].size, units[u].name, str(u))


def _cost(selection, units) -> tuple:
    return (sum(units[u].cells for u in selection), sum(units[u].size for u in selection),
            sorted(units[u].name for u in selection))


def _adding(net, hidden: set, left: list, unit: Unit) -> tuple[set, list]:
    """Hidden figures and those still pinned after hiding ``unit`` as well."""
    new = [k for k in unit.figures if k not in hidden]
    more = hidden | set(new)
    return more, net.unprotected(more, [*left, *new])


def _greedy(net, hidden, problems, candidates, units) -> list:
    """A safe answer to bound the search: add the unit that leaves the fewest figures pinned
    (then the cheapest) until none is; hiding every candidate always ends it."""
    chosen, left, pool = [], problems, list(candidates)
    while left and pool:
        best = None
        for u in pool:
            more, still = _adding(net, hidden, left, units[u])
            score = (len(still), *_order(units)(u))
            if best is None or score < best[0]:
                best = (score, u, more, still)
        _score, u, hidden, left = best
        chosen.append(u)
        pool.remove(u)
    return chosen


def _search(net, hidden, problems, candidates, units, best, budget) -> list:
    """Branch and bound over candidate sets, cheapest first, within ``budget`` checks."""
    best_cost = _cost(best, units)
    tries = count()

    def walk(start: int, extra: list, shown: set, left: list):
        nonlocal best, best_cost
        for i in range(start, len(candidates)):
            u = candidates[i]
            cost = _cost([*extra, u], units)
            if cost[:2] > best_cost[:2]:
                break  # sorted by cells, then size: the rest cost more still
            if cost >= best_cost or next(tries) >= budget:
                continue
            more, still = _adding(net, shown, left, units[u])
            if not still:
                best, best_cost = [*extra, u], cost
            else:
                walk(i + 1, [*extra, u], more, still)

    walk(0, [], hidden, problems)
    return best


# ------------------------------------------------------------------------------ tables of rows


@dataclass
class Line:
    """A total the reader sees (or can work out) over some rows and other lines, per column.

    ``totals`` holds the columns whose total is shown or can be worked out, with its value; for
    other columns the line's rows count straight into the line above. ``fixed`` totals are shown
    elsewhere and cannot be hidden here.
    """

    name: str
    rows: Sequence[int] = ()
    lines: Sequence[str] = ()
    totals: Mapping[str, Number] = field(default_factory=dict)
    fixed: bool = False


@dataclass
class Grid:
    """A table to protect: ``values`` (one mapping of column to figure per row), the columns
    that count citizens (``counts``), a stable ``labels`` per row, and its ``lines`` of totals.

    With ``whole_row`` (a column of ``counts``), a row whose count there is 1-4 is hidden whole,
    as its figures all come from those citizens; complements are then whole rows too, costing
    ``row_cells`` cells each. ``within`` says a column is part of another in the same row (sold
    places are part of the occupied ones), which bounds each by the other.
    """

    values: Sequence[Mapping[str, Number | None]]
    counts: Sequence[str]
    labels: Sequence[str]
    lines: Sequence[Line] = ()
    whole_row: str | None = None
    row_cells: int = 1
    within: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Pattern:
    """Which cells of a Grid to hide: ``cells`` (row, column), ``rows`` hidden whole, and
    ``totals`` (line name, column, or "*" for a total row hidden whole); ``primary`` are the
    cells hidden for their own sake; ``exposed`` hidden cells that totals fixed elsewhere pin
    (empty unless a table's every candidate is hidden and a fixed total still pins them)."""

    cells: set = field(default_factory=set)
    rows: set = field(default_factory=set)
    totals: set = field(default_factory=set)
    primary: set = field(default_factory=set)
    exposed: set = field(default_factory=set)  # hidden, yet pinned by figures shown elsewhere

    def hidden(self, row: int, column: str) -> bool:
        return row in self.rows or (row, column) in self.cells

    def total_hidden(self, line: str, column: str) -> bool:
        return (line, column) in self.totals or (line, "*") in self.totals

    @property
    def any(self) -> bool:
        return bool(self.cells or self.rows or self.totals)


def suppress(grid: Grid, *, budget: int = SEARCH_BUDGET) -> Pattern:
    """The cells of ``grid`` the committee must not see (see the module's docstring)."""
    figures: dict = {}
    units: dict = {}
    sums: list[Sum] = []
    whole = grid.whole_row
    for r, row in enumerate(grid.values):
        for col in grid.counts:
            key = ("cell", r, col)
            value = row.get(col) or 0
            figures[key] = Figure(value, *_bounds(grid, row, col, value))
            if col != whole:
                units[key] = Unit((key,), primary=small(value), candidate=value > 0, size=value,
                                  name=f"{grid.labels[r]}/{col}")
        if whole:
            n = row.get(whole) or 0
            units[("row", r)] = Unit(tuple(("cell", r, c) for c in grid.counts), primary=small(n),
                                     candidate=n > 0, cells=grid.row_cells, size=n, name=grid.labels[r])
    by_name = {line.name: line for line in grid.lines}
    inner = {name for line in grid.lines for name in line.lines}
    for col in grid.counts:
        for line in grid.lines:
            if line.name not in inner:
                _add_line(line, col, by_name, figures, sums)
    for line in grid.lines:
        keys = tuple(("total", line.name, c) for c in grid.counts if c in line.totals)
        if whole and whole in line.totals:  # a total row is hidden whole, like any other row
            n = line.totals[whole]
            units[("total", line.name, "*")] = Unit(keys, primary=small(n), candidate=not line.fixed and n > 0,
                                                    cells=grid.row_cells, size=n, name=f"~{line.name}")
        for key in keys:
            if key[2] != whole:
                n = figures[key].value
                units[key] = Unit((key,), primary=small(n), candidate=not line.fixed and n > 0, size=n,
                                  name=f"~{line.name}/{key[2]}")
    chosen, exposed = protect(figures, sums, units, budget=budget)
    pattern = Pattern(exposed={(k[1], k[2]) for k in exposed})
    for u in chosen:
        unit = units[u]
        if u[0] == "row":
            pattern.rows.add(u[1])
        elif u[0] == "total":
            pattern.totals.add((u[1], u[2]))
        else:
            pattern.cells.add((u[1], u[2]))
        if unit.primary:
            pattern.primary.update((k[1], k[2]) for k in unit.figures)
    pattern.cells = {(r, c) for r, c in pattern.cells if r not in pattern.rows}
    return pattern


def _bounds(grid: Grid, row: Mapping, col: str, value: Number) -> tuple:
    """What a reader knows of a hidden count: at least 1 (zeros are never hidden alone; a row
    hidden whole may hold a 0, which is then its bound), and the figures it is part of or holds."""
    lower, upper = min(1, value), None
    outer = grid.within.get(col)
    if outer is not None and (row.get(outer) or 0) >= MIN_CITIZENS:
        upper = row.get(outer)
    for inner, around in grid.within.items():
        if around == col and (row.get(inner) or 0) >= MIN_CITIZENS:
            lower = max(lower, row.get(inner))
    return lower, upper


def _add_line(line: Line, col: str, by_name, figures, sums) -> Hashable:
    """Add ``line``'s sum for ``col`` (its inner lines first) and return its total's key. A line
    without a total for ``col`` gets one nobody sees: its parts then count only in the line above."""
    parts = [("cell", r, col) for r in line.rows]
    parts += [_add_line(by_name[name], col, by_name, figures, sums) for name in line.lines]
    key = ("total", line.name, col)
    if col in line.totals:
        value = line.totals[col] or 0
        figures[key] = Figure(value, min(1, value))
    else:
        figures[key] = Figure(0, published=False)
    sums.append(Sum(key, parts))
    return key
