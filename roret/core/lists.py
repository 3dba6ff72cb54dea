"""Lists that scale: one mechanism for filtering, sorting and paging a list page on the server.

A page describes its list once (:class:`ListSpec`: its columns, which of them sort and on what,
its filters and their choices) and calls :func:`page_of` with the rows the user may see (already
narrowed by ``roret.core.permissions``). The filters, the sort and the page are read from the
query string and checked: an unknown filter value is ignored with a message, an unknown sort is
the default sort, a page beyond the end is the last page; nothing a user types gives a 500.

A queryset is filtered, sorted, counted and cut in the database (two queries: the count and the
page, whatever the number of rows); a small list already in memory (the offer catalogue, the
quality-of-life rules that are checked in Python) is handled the same way in Python.
The templates are ``core/_list_filters.html``, ``core/_list_pager.html`` and the
``{% list_headers %}`` tag (roret.core.templatetags.lists) for the sortable column headers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, F, QuerySet, Window
from django.utils.translation import gettext as _

PER_PAGE = 50
SORT, PAGE = "sort", "page"


@dataclass(frozen=True)
class Column:
    """One column: its key in the query string, its heading, and what it sorts on (database
    fields, or for a list in memory a function of the row); ``order`` empty: not sortable."""

    key: str
    label: str
    order: tuple = ()
    key_fn: Callable | None = None
    css: str = ""

    @property
    def sortable(self) -> bool:
        return bool(self.order) or self.key_fn is not None


@dataclass(frozen=True)
class Filter:
    """One filter: its key in the query string, its label, its choices for the user (a function
    of the user, so a team's caseworkers or the user's offers can be offered) and how it narrows
    the rows (``apply(rows, value, user)``, a queryset or a list)."""

    key: str
    label: str
    choices: Callable
    apply: Callable


@dataclass(frozen=True)
class ListSpec:
    """A list page: its columns, the default sort (a column key, ``-`` for descending), its filters."""

    name: str
    columns: Sequence[Column]
    default_sort: str
    filters: Sequence[Filter] = ()
    per_page: int = PER_PAGE

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key and c.sortable), None)


@dataclass
class ListPage:
    """One page of a list, with what the templates need to show it and link on."""

    spec: ListSpec
    rows: list
    total: int
    number: int
    pages: int
    sort: str
    descending: bool
    params: dict                       # the valid filters chosen, {key: value}
    filters: list = field(default_factory=list)   # [{key, label, choices, value}]
    messages: list = field(default_factory=list)  # what was not understood, for the user
    filtered: object = None            # the whole filtered and sorted list (for a download)
    keep: dict = field(default_factory=dict)  # other parameters of the page its links keep (a day)

    @property
    def first(self) -> int:
        return (self.number - 1) * self.spec.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.number * self.spec.per_page, self.total)

    def query(self, **changes) -> str:
        """The query string of this list with ``changes`` (a value None drops the key); page 1 is
        left out, as are empty values, so the addresses stay short."""
        values = {**self.keep, **self.params, SORT: ("-" if self.descending else "") + self.sort, PAGE: self.number}
        values.update(changes)
        if values.get(SORT) == self.spec.default_sort:
            values.pop(SORT)
        if values.get(PAGE) in (1, "1"):
            values.pop(PAGE)
        return "?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})

    def sort_query(self, key: str) -> str:
        """The address that sorts on ``key``: ascending, or descending when it already sorts ascending."""
        descending = key == self.sort and not self.descending
        return self.query(**{SORT: ("-" if descending else "") + key, PAGE: None})

    def page_query(self, number: int) -> str:
        return self.query(**{PAGE: number})

    @property
    def page_query_first(self) -> str:
        return self.page_query(1)

    @property
    def page_query_last(self) -> str:
        return self.page_query(self.pages)

    @property
    def export_query(self) -> str:
        """This list's filters and sort, as an Excel download (the whole list, not the page)."""
        return self.query(**{PAGE: None, "format": "xlsx"})

    @property
    def previous(self) -> str:
        return self.page_query(self.number - 1) if self.number > 1 else ""

    @property
    def next(self) -> str:
        return self.page_query(self.number + 1) if self.number < self.pages else ""

    def hidden_fields(self) -> list[tuple[str, str]]:
        """The sort, as hidden fields of the filter form (filtering keeps the sort, starts at page 1)."""
        sort = ("-" if self.descending else "") + self.sort
        return [] if sort == self.spec.default_sort else [(SORT, sort)]


def _parse_sort(spec: ListSpec, raw: str) -> tuple[str, bool]:
    raw = (raw or "").strip()
    descending = raw.startswith("-")
    if spec.column(raw.lstrip("-")) is None:
        raw, descending = spec.default_sort.lstrip("-"), spec.default_sort.startswith("-")
    return raw.lstrip("-"), descending


def _page_number(raw) -> int:
    try:
        number = int(str(raw).strip())
    except (TypeError, ValueError):
        return 1
    return max(1, min(number, 10**9))


def choose(spec: ListSpec, data, user) -> tuple[dict, list, list]:
    """The filters asked for in ``data`` (a QueryDict) that are among their choices: (chosen
    {key: value}, the filters for the form, messages for the values that were not understood)."""
    chosen, shown, problems = {}, [], []
    for flt in spec.filters:
        choices = [(str(v), label) for v, label in flt.choices(user)]
        value = (data.get(flt.key) or "").strip()
        if value and value not in {v for v, _label in choices}:
            problems.append(_("The filter %(filter)s has no choice %(value)s; it is not used.")
                            % {"filter": flt.label, "value": value[:40]})
            value = ""
        if value:
            chosen[flt.key] = value
        if choices:  # a filter with nothing to choose for this user is not shown (a team for a caseworker)
            shown.append({"key": flt.key, "label": flt.label, "choices": choices, "value": value})
    return chosen, shown, problems


def _order(field_or_expression, descending: bool):
    """One ORDER BY term; a field written "-name" sorts the other way round (an age on a birth date).
    Plain ASC/DESC, so an index in the sort's order is used (a NULLS clause keeps SQLite from it)."""
    if not isinstance(field_or_expression, str):
        return field_or_expression.desc() if descending else field_or_expression.asc()
    down = descending != field_or_expression.startswith("-")
    expression = F(field_or_expression.lstrip("-"))
    return expression.desc() if down else expression.asc()


def filtered(spec: ListSpec, rows, data, user):
    """``rows`` narrowed by the filters asked for and sorted as asked (stable: the primary key
    last), with what :func:`page_of` needs: (rows, chosen, filters shown, messages, sort, descending)."""
    chosen, shown, problems = choose(spec, data, user)
    for flt in spec.filters:
        if flt.key in chosen:
            rows = flt.apply(rows, chosen[flt.key], user)
    sort, descending = _parse_sort(spec, data.get(SORT, ""))
    column = spec.column(sort)
    if isinstance(rows, QuerySet):
        rows = rows.order_by(*(_order(o, descending) for o in column.order), "-pk" if descending else "pk")
    else:
        def key(row):
            value = column.key_fn(row)
            return (value is not None, value, getattr(row, "pk", 0) if not isinstance(row, dict) else row.get("pk", 0))
        rows = sorted(rows, key=key, reverse=descending)
    return rows, chosen, shown, problems, sort, descending


def page_of(spec: ListSpec, rows, data, user, *, load: Callable | None = None,
            total: Callable | None = None, keep: dict | None = None, count_with_page: bool = False) -> ListPage:
    """The page asked for in ``data`` of ``rows`` (a queryset in scope, or a list), filtered and
    sorted. ``load`` turns the page's slice into the rows shown (reads what the page shows, for
    the page's rows only); the count and the cut are done in the database for a queryset.
    ``total(chosen filters)`` may give the count when the page has it already (None: count);
    ``keep`` are other parameters of the page (already checked) that its links carry on.
    ``count_with_page``: the count is a window over the page's own query (``COUNT(*) OVER ()``),
    for a list whose filter costs more than its rows (the stored compliance list's scope), so it is
    evaluated once; a page past the end is then counted on its own."""
    rows, chosen, shown, problems, sort, descending = filtered(spec, rows, data, user)
    if count_with_page and isinstance(rows, QuerySet) and total is None:
        number = _page_number(data.get(PAGE, 1))
        start = (number - 1) * spec.per_page
        cut = list(rows.annotate(list_total=Window(Count("pk")))[start:start + spec.per_page])
        if cut:
            count = cut[0].list_total
            return ListPage(spec=spec, rows=load(cut) if load else cut, total=count, number=number,
                            pages=max(1, math.ceil(count / spec.per_page)), sort=sort, descending=descending,
                            params=chosen, filters=shown, messages=problems, filtered=rows,
                            keep={k: v for k, v in (keep or {}).items() if v not in (None, "")})
    known = total(chosen) if total else None
    total = known if known is not None else (rows.count() if isinstance(rows, QuerySet) else len(rows))
    pages = max(1, math.ceil(total / spec.per_page))
    number = min(_page_number(data.get(PAGE, 1)), pages)
    start = (number - 1) * spec.per_page
    cut = rows[start:start + spec.per_page]
    shown_rows = load(cut) if load else list(cut)
    return ListPage(spec=spec, rows=shown_rows, total=total, number=number, pages=pages, sort=sort,
                    descending=descending, params=chosen, filters=shown, messages=problems, filtered=rows,
                    keep={k: v for k, v in (keep or {}).items() if v not in (None, "")})
