"""Pagination for every list of the API: ``limit`` and ``offset`` in the query, and the answer in
one envelope, ``{"total": ..., "limit": ..., "offset": ..., "items": [...]}`` (docs/api.md).

An endpoint takes ``paging: Query[Paging]`` and answers ``page(source, paging, row)``; its
``response=`` is ``Page[ItemOut]``. A bad ``limit`` or ``offset`` (not a whole number, below its
least value, above its greatest) is refused by the schema with 422 naming the field, in the one
error body (roret/api/errors.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from django.db.models import QuerySet
from ninja import Field, Schema

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
#: Beyond any list roret holds, and within every database's integer (an offset is never a 500).
MAX_OFFSET = 1_000_000_000


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items per page, 1-{MAX_LIMIT}.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip before the first on this page.")


class Page(Schema, Generic[T]):
    """One page of a list: ``total`` items in the whole list (with the filters), ``items`` the
    ``limit`` of them from ``offset`` on."""

    total: int = Field(description="Items in the whole list, with the filters applied.")
    limit: int
    offset: int
    items: list[T]


def window(source: QuerySet | Iterable, paging: Paging) -> tuple[int, list]:
    """(total, the page's objects) of a queryset (counted and sliced in the database) or of any
    other iterable (a list the app's query has already built)."""
    start, stop = paging.offset, paging.offset + paging.limit
    if isinstance(source, QuerySet):
        return source.count(), list(source[start:stop])
    items = source if isinstance(source, list) else list(source)
    return len(items), items[start:stop]


def page(source: QuerySet | Iterable, paging: Paging, row: Callable = lambda x: x) -> dict:
    """The envelope of ``source``'s page, each object through ``row`` (to its Out schema's fields)."""
    total, chunk = window(source, paging)
    return {"total": total, "limit": paging.limit, "offset": paging.offset, "items": [row(x) for x in chunk]}
