"""The cost segments in SQL: which segments a period touches, what each costs and how many
place-days it holds inside the period, and the dimensions the KPIs break down by.

A cost segment is one linear piece of a placement's exact cumulative cost (the engine's
:class:`~roret.economy.engine.Piece`, stored as :class:`~roret.economy.models.CostSegment`).
Per segment the cost inside [A, B) is the engine's cumulative-rounding formula in SQL::

    a = MAX(A, start_day)   b = MIN(B, end_day)
    øre = (cum0 + rate*(b - start_day) + Q/2) / Q  -  (cum0 + rate*(a - start_day) + Q/2) / Q

(integer division), which telescopes over a placement's segments to exactly
``engine.cost_ore(placement, A, B)``.

This module is the bottom of the economy's read side: :mod:`roret.economy.sql` (the period
table) builds on it, and :mod:`roret.economy.kpi`, :mod:`~roret.economy.duration` and
:mod:`~roret.economy.forecast` on that; nothing here imports them back.
"""

from __future__ import annotations

from django.db.models import BigIntegerField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Greatest, Least

from roret.core.periods import Period
from roret.economy import engine
from roret.economy.models import CostSegment

#: Breakdown dimensions: name -> CostSegment field.
DIMENSIONS = {
    "paragraph": "paragraph",
    "offer_type": "offer_type_id",
    "account_function": "account_function",
    "own_external": "own",
    "provider": "provider_id",
    "centre": "centre_id",
    "target_group": "target_group_id",
    "offer": "offer_id",
}
#: The municipality's own citizens (not other municipalities' citizens in places we sell).
OWN_CITIZENS = Q(sold=False)


def as_bigint(expr):
    """``expr`` typed as a 64-bit integer (øre and exact units overflow 32 bits)."""
    return ExpressionWrapper(expr, output_field=BigIntegerField())


def _clip(period: Period):
    a = Greatest(Value(period.start.toordinal()), F("start_day"))
    b = Least(Value(period.end.toordinal()), F("end_day"))
    return a, b


def ore_expr(period: Period):
    """The whole-øre cost of a segment inside ``period`` (the engine's formula, in SQL)."""
    a, b = _clip(period)
    q, half = Value(engine.Q), Value(engine.HALF)
    at_b = as_bigint((F("cum0") + F("rate") * (b - F("start_day")) + half) / q)
    at_a = as_bigint((F("cum0") + F("rate") * (a - F("start_day")) + half) / q)
    return as_bigint(at_b - at_a)


def days_expr(period: Period):
    """The place-days of a segment inside ``period``."""
    a, b = _clip(period)
    return as_bigint(b - a)


def segments_in(period: Period, where: Q | None = None):
    """The cost segments that share at least one day with ``period`` (optionally filtered)."""
    qs = CostSegment.objects.filter(start_day__lt=period.end.toordinal(), end_day__gt=period.start.toordinal())
    return qs.filter(where) if where is not None else qs
