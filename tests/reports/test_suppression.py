"""The committee's small-cell suppression, checked against brute force on hand-made tables.

The checker below knows nothing of the module: it enumerates every assignment of the hidden
cells (whole numbers, at least 1 where the true value is) that agrees with everything shown,
and the tests assert that each hidden cell keeps at least two possible values, and that no
cheaper set of extra cells would have done.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roret.reports.toolkit.suppression import Figure, Grid, Line, Network, Sum, protect, small, suppress

# ------------------------------------------------------------------------------ brute force


def _members(line: Line, col: str, lines: dict) -> list:
    """Terms of ``line``'s sum in ``col``: its rows, and inner lines' totals (or their parts when
    the inner line shows no total for ``col``)."""
    out = [("cell", r) for r in line.rows]
    for name in line.lines:
        inner = lines[name]
        out += [("total", name)] if col in inner.totals else _members(inner, col, lines)
    return out


class _Enough(Exception):
    pass


def possible_values(grid: Grid, hidden_cells: set, hidden_totals: set, col: str, enough: int | None = None) -> dict:
    """Every value each hidden figure of ``col`` can take, given all that is shown: a plain
    search over whole numbers (at least 1 where the true value is, else 0), each bounded by the
    totals it is part of; the last unknown of a sum is the total less the rest. With ``enough``,
    the search stops once every hidden figure has shown that many values."""
    lines = {line.name: line for line in grid.lines}
    truth = {("cell", r): row.get(col) or 0 for r, row in enumerate(grid.values)}
    truth |= {("total", line.name): line.totals[col] for line in grid.lines if col in line.totals}
    unknown = [k for k in truth if (k[0] == "cell" and k[1] in hidden_cells) or (k[0] == "total" and k[1] in hidden_totals)]
    equations = [(("total", line.name), _members(line, col, lines)) for line in grid.lines if col in line.totals]
    cap = sum(v for k, v in truth.items() if k[0] == "cell") + 3  # a line without a total: room enough
    seen = {k: set() for k in unknown}
    value = {k: v for k, v in truth.items() if k not in unknown}

    def choices(k):
        low = min(1, truth[k])
        for total, parts in equations:
            if k == total and all(p in value for p in parts):
                return [sum(value[p] for p in parts)]
            if k in parts and total in value:
                rest = [p for p in parts if p != k]
                if all(p in value for p in rest):
                    return [value[total] - sum(value[p] for p in rest)]
        high = cap
        for total, parts in equations:
            if k in parts and total in value:
                high = min(high, value[total] - sum(value[p] for p in parts if p in value and p != k))
        return range(low, high + 1)

    def walk(i: int):
        if i == len(unknown):
            if all(value[t] == sum(value[p] for p in parts) for t, parts in equations):
                for k in unknown:
                    seen[k].add(value[k])
                if enough and all(len(v) >= enough for v in seen.values()):
                    raise _Enough
            return
        k = unknown[i]
        for v in choices(k):
            if v < min(1, truth[k]):
                continue
            value[k] = v
            walk(i + 1)
        value.pop(k, None)

    try:
        walk(0)
    except _Enough:
        pass
    return seen


def assert_protected(grid: Grid, pattern) -> None:
    for col in grid.counts:
        cells = {r for r in range(len(grid.values)) if pattern.hidden(r, col)}
        totals = {line.name for line in grid.lines if col in line.totals and pattern.total_hidden(line.name, col)}
        for key, values in possible_values(grid, cells, totals, col, enough=2).items():
            if 0 in values and len(values) == 1:
                continue  # a 0 hidden with its row: it reveals nobody
            assert len(values) >= 2, f"{key} in {col} can be worked out: {values}"


def assert_primary_hidden(grid: Grid, pattern) -> None:
    for r, row in enumerate(grid.values):
        for col in grid.counts:
            if small(row.get(col)):
                assert pattern.hidden(r, col), (r, col)
    for line in grid.lines:
        for col, n in line.totals.items():
            if small(n):
                assert pattern.total_hidden(line.name, col), (line.name, col)


def cheapest(grid: Grid, col: str) -> tuple[int, int]:
    """The fewest and then smallest extra cells (rows and totals) that protect ``col``, by trying them all."""
    rows = [r for r, row in enumerate(grid.values) if not small(row.get(col)) and (row.get(col) or 0) > 0]
    totals = [line.name for line in grid.lines if col in line.totals and not small(line.totals[col])
              and not line.fixed and line.totals[col] > 0]
    primary_rows = {r for r, row in enumerate(grid.values) if small(row.get(col))}
    primary_totals = {line.name for line in grid.lines if small(line.totals.get(col))}
    options = [("cell", r) for r in rows] + [("total", n) for n in totals]
    size = {("cell", r): grid.values[r][col] for r in rows} | {("total", n): grid.lines_by[n].totals[col] for n in totals}
    for k in range(len(options) + 1):
        found = []
        for extra in itertools.combinations(options, k):
            cells = primary_rows | {r for kind, r in extra if kind == "cell"}
            tots = primary_totals | {n for kind, n in extra if kind == "total"}
            values = possible_values(grid, cells, tots, col, enough=2)
            if all(len(v) >= 2 for v in values.values()):
                found.append(sum(size[e] for e in extra))
        if found:
            return k, min(found)
    raise AssertionError("nothing protects the table")


def extra_cost(grid: Grid, pattern, col: str) -> tuple[int, int]:
    cells = [r for r in range(len(grid.values)) if (r, col) in pattern.cells and (r, col) not in pattern.primary]
    totals = [line.name for line in grid.lines if (line.name, col) in pattern.totals
              and (line.name, col) not in pattern.primary]
    by = {line.name: line for line in grid.lines}
    return len(cells) + len(totals), sum(grid.values[r][col] for r in cells) + sum(by[n].totals[col] for n in totals)


class Table(Grid):
    """A hand-made one-column table with a total line over all rows (and optional inner lines)."""

    def __init__(self, values, lines=None, total=True):
        rows = [{"n": v} for v in values]
        if lines is None:
            lines = [Line("total", rows=range(len(values)), totals={"n": sum(values)})] if total else []
        super().__init__(values=rows, counts=["n"], labels=[f"r{i}" for i in range(len(values))], lines=lines)
        self.lines_by = {line.name: line for line in self.lines}


def hidden_rows(pattern) -> list[int]:
    return sorted(r for r, _c in pattern.cells)


# ------------------------------------------------------------------------------- hand-made tables


def test_a_single_small_cell_takes_the_smallest_cell_that_can_move_with_it():
    table = Table([12, 3, 40, 7])
    pattern = suppress(table)
    assert hidden_rows(pattern) == [1, 3]
    assert_protected(table, pattern)
    assert extra_cost(table, pattern, "n") == cheapest(table, "n") == (1, 7)


def test_two_small_cells_protect_each_other_and_nothing_else_is_hidden():
    table = Table([12, 3, 4, 7])
    pattern = suppress(table)
    assert hidden_rows(pattern) == [1, 2] and not pattern.totals
    assert_protected(table, pattern)


def test_two_ones_are_pinned_by_their_sum_so_a_third_cell_with_room_is_hidden():
    # 1 + 1 = 2 and both at least 1: each must be 1. The 7 can move, the 40 too; 7 is smaller.
    table = Table([1, 1, 40, 7])
    pattern = suppress(table)
    assert hidden_rows(pattern) == [0, 1, 3]
    assert_protected(table, pattern)
    assert extra_cost(table, pattern, "n") == cheapest(table, "n") == (1, 7)


def test_a_complement_of_1_cannot_unpin_ones():
    # Hiding another 1 leaves 1 + 1 + 1 = 3 pinned; the smallest cell with room is the 5.
    table = Table([1, 1, 1, 5, 9], lines=[Line("total", rows=range(5), totals={"n": 17})])
    pattern = suppress(table)
    assert hidden_rows(pattern) == [0, 1, 2, 3]
    assert_protected(table, pattern)


def test_nothing_is_hidden_without_a_small_cell_and_zeros_are_shown():
    table = Table([5, 6, 0])
    pattern = suppress(table)
    assert not pattern.any
    assert not suppress(Table([0, 0, 30])).any


def test_without_a_shown_total_a_small_cell_needs_no_complement():
    table = Table([2, 30, 30], total=False)
    assert hidden_rows(suppress(table)) == [0]


def test_a_small_total_is_hidden_and_a_table_of_ones_hides_its_total():
    table = Table([2, 1])
    pattern = suppress(table)
    assert hidden_rows(pattern) == [0, 1] and pattern.total_hidden("total", "n")
    # Five cells of one citizen each: all hidden, and the total of 5 would pin them all.
    ones = Table([1, 1, 1, 1, 1])
    pattern = suppress(ones)
    assert hidden_rows(pattern) == [0, 1, 2, 3, 4] and pattern.total_hidden("total", "n")
    assert_protected(ones, pattern)


def test_nested_lines_choose_the_complement_that_protects_both_lines_at_once():
    # Own offers (total shown) hold a group of three offers (its total shown on another page)
    # and two offers outside any group. The 2 outside the group needs a complement: the 15
    # beside it does it alone, where the group's 9 would need a second cell inside the group.
    lines = [Line("own", rows=[0, 1], lines=["group"], totals={"n": 2 + 15 + 9 + 36 + 36}),
             Line("group", rows=[2, 3, 4], totals={"n": 9 + 36 + 36})]
    table = Table([2, 15, 9, 36, 36], lines=lines)
    pattern = suppress(table)
    assert hidden_rows(pattern) == [0, 1] and not pattern.totals
    assert_protected(table, pattern)
    assert extra_cost(table, pattern, "n") == cheapest(table, "n")


def test_a_small_group_total_is_hidden_and_protected_in_the_line_above():
    # The group's total of 3 is itself small; its two offers (1 and 2) hide with it, and the
    # group's total needs a partner in the own line so it cannot be read as own minus the rest.
    lines = [Line("own", rows=[0, 1], lines=["group"], totals={"n": 20 + 30 + 3}),
             Line("group", rows=[2, 3], totals={"n": 3})]
    table = Table([20, 30, 1, 2], lines=lines)
    pattern = suppress(table)
    assert pattern.total_hidden("group", "n") and hidden_rows(pattern) == [0, 2, 3]
    assert_protected(table, pattern)
    assert extra_cost(table, pattern, "n") == cheapest(table, "n") == (1, 20)


def test_a_line_without_a_shown_total_pins_nothing():
    # Counted and not-counted reasons each show a subtotal; their sum is shown nowhere.
    lines = [Line("all", lines=["counted", "other"]),
             Line("counted", rows=[0, 1], totals={"n": 53}), Line("other", rows=[2, 3], totals={"n": 33})]
    table = Table([52, 1, 28, 5], lines=lines)
    pattern = suppress(table)
    assert hidden_rows(pattern) == [0, 1] and not pattern.totals
    assert_protected(table, pattern)


def test_a_part_is_bounded_by_the_figure_it_belongs_to():
    # Sold places are part of the occupied ones. Offer A has 1 occupied place; B has 7, all 7
    # sold. Hidden as A's complement, B's occupied could not fall below its 7 sold, so A could
    # not rise: A + B = 8 would pin A to 1. The next cell with room, C's 30, is hidden instead.
    grid = Grid(values=[{"occupied": 1, "sold": 0}, {"occupied": 7, "sold": 7}, {"occupied": 30, "sold": 9}],
                counts=["occupied", "sold"], labels=["A", "B", "C"], within={"sold": "occupied"},
                lines=[Line("own", rows=[0, 1, 2], totals={"occupied": 38, "sold": 16})])
    assert suppress(grid).cells == {(0, "occupied"), (2, "occupied")}
    unbounded = Grid(values=grid.values, counts=grid.counts, labels=grid.labels, lines=grid.lines)
    assert suppress(unbounded).cells == {(0, "occupied"), (1, "occupied")}


def test_rows_hidden_whole_take_whole_rows_as_complements():
    grid = Grid(values=[{"citizens": 12, "expensive": 0}, {"citizens": 3, "expensive": 0},
                        {"citizens": 30, "expensive": 6}, {"citizens": 8, "expensive": 2}],
                counts=["citizens", "expensive"], labels=["A", "B", "C", "D"], whole_row="citizens", row_cells=5,
                lines=[Line("total", rows=range(4), totals={"citizens": 53, "expensive": 8})])
    pattern = suppress(grid)
    # B (3 citizens) whole; D's 2 expensive cases as a cell. One complement row does for both
    # lines: D (8 citizens) hides whole and takes its 2 expensive cases with it.
    assert pattern.rows == {1, 3} and not pattern.cells and not pattern.totals
    assert_protected(grid, pattern)


# -------------------------------------------------------------------------------- the network


def test_the_network_check_agrees_with_brute_force_on_every_hidden_set_of_a_nested_table():
    lines = [Line("own", rows=[0], lines=["group"], totals={"n": 12}), Line("group", rows=[1, 2, 3], totals={"n": 8})]
    table = Table([4, 1, 2, 5], lines=lines)
    figures = {("cell", r): Figure(v) for r, v in enumerate([4, 1, 2, 5])}
    figures |= {("total", "own"): Figure(12), ("total", "group"): Figure(8)}
    sums = [Sum(("total", "own"), [("cell", 0), ("total", "group")]),
            Sum(("total", "group"), [("cell", 1), ("cell", 2), ("cell", 3)])]
    net = Network(figures, sums)
    keys = list(figures)
    for k in range(len(keys) + 1):
        for hidden in itertools.combinations(keys, k):
            cells = {key[1] for key in hidden if key[0] == "cell"}
            totals = {key[1] for key in hidden if key[0] == "total"}
            values = possible_values(table, cells, totals, "n")
            pinned = {key for key, v in values.items() if len(v) < 2}
            assert set(net.unprotected(hidden)) == pinned, hidden


def test_a_figure_in_two_lines_as_a_part_is_refused():
    figures = {"a": Figure(1), "b": Figure(2), "t": Figure(3), "u": Figure(3)}
    try:
        Network(figures, [Sum("t", ["a", "b"]), Sum("u", ["a", "b"])])
    except ValueError as exc:
        assert "part of two lines" in str(exc)
    else:
        raise AssertionError("accepted a figure in two lines")


def test_protect_reports_what_no_candidate_can_protect():
    # Two hidden ones under a total shown elsewhere (fixed) with nothing else to hide.
    figures = {"a": Figure(1), "b": Figure(1), "t": Figure(2)}
    from roret.reports.toolkit.suppression import Unit
    units = {"a": Unit(("a",), primary=True), "b": Unit(("b",), primary=True), "t": Unit(("t",), candidate=False)}
    chosen, exposed = protect(figures, [Sum("t", ["a", "b"])], units)
    assert chosen == {"a", "b"} and sorted(exposed) == ["a", "b"]


# ---------------------------------------------------------------------------------- properties

values = st.lists(st.integers(min_value=0, max_value=8), min_size=2, max_size=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(values)
def test_any_small_table_with_a_total_is_protected_with_the_fewest_smallest_cells(numbers):
    table = Table(numbers)
    pattern = suppress(table)
    assert_primary_hidden(table, pattern)
    assert_protected(table, pattern)
    assert extra_cost(table, pattern, "n") == cheapest(table, "n")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(values, values)
def test_any_two_level_table_is_protected_with_the_fewest_smallest_cells(outer, inner):
    n = len(outer)
    lines = [Line("own", rows=range(n), lines=["group"], totals={"n": sum(outer) + sum(inner)}),
             Line("group", rows=range(n, n + len(inner)), totals={"n": sum(inner)})]
    table = Table(outer + inner, lines=lines)
    pattern = suppress(table)
    assert_primary_hidden(table, pattern)
    assert_protected(table, pattern)
    assert extra_cost(table, pattern, "n") == cheapest(table, "n")


few = st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=3)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(few, few, st.data())
def test_the_network_check_is_exact_for_any_hidden_set(outer, inner, data):
    """A figure the network calls pinned has one possible value by brute force, and the others two or more."""
    n = len(outer)
    own, group = sum(outer) + sum(inner), sum(inner)
    table = Table(outer + inner, lines=[Line("own", rows=range(n), lines=["group"], totals={"n": own}),
                                        Line("group", rows=range(n, n + len(inner)), totals={"n": group})])
    figures = {("cell", r): Figure(v, min(1, v)) for r, v in enumerate(outer + inner)}
    figures |= {("total", "own"): Figure(own, min(1, own)), ("total", "group"): Figure(group, min(1, group))}
    sums = [Sum(("total", "own"), [*(("cell", r) for r in range(n)), ("total", "group")]),
            Sum(("total", "group"), [("cell", r) for r in range(n, n + len(inner))])]
    hidden = data.draw(st.sets(st.sampled_from(sorted(figures)), max_size=4))
    cells = {key[1] for key in hidden if key[0] == "cell"}
    totals = {key[1] for key in hidden if key[0] == "total"}
    pinned = {key for key, v in possible_values(table, cells, totals, "n").items() if len(v) < 2}
    pinned -= {key for key in pinned if figures[key].value == 0}  # a hidden 0 reveals nobody
    assert set(Network(figures, sums).unprotected(sorted(hidden))) == pinned
