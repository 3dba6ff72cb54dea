"""Realised effects of a plan's initiatives, read from the case record (docs/plans.md, "Realised
effects").

Nothing here is stored: every figure is computed when it is asked for, from the renegotiations
and placements the case flow recorded, with the cost engine's own functions, so a realised
saving always reconciles with the engine to the øre:

.. math::

    \\text{effect}(e) = \\operatorname{cost}_{\\text{engine}}(\\text{what happened})
                      - \\operatorname{cost}_{\\text{engine}}(\\text{counterfactual})

over the event's days in the year, [event day, min(1 January next year, end of the placement
the citizen moved to)). Savings are negative, as the plan's expected effects are.

The events (``EffectKind``):

- **renegotiation**: a ``TariffRenegotiation``. Counterfactual: the placement's tariff schedule
  with the renegotiated row replaced by the old tariff from the same day.
- **elderly_care**: a placement ended with the reason "moved to elderly care". Counterfactual:
  the placement not ended. What happened costs nothing on the area's budget after the end.
- **alternative**, **step_down**, **brought_home**: a *replacement*: a placement A of a citizen
  ends on day E and another placement B of the same citizen, in another offer, starts within
  :data:`REPLACEMENT_WINDOW_DAYS` days of E (before or after). Counterfactual: A not ended, B
  never made. What happened: A and B as they are. The period starts at min(E, B's start). It is
  *brought home* when A was external and B is in an own offer, a *step down* when B's offer is on
  a lower staircase step than A's, else an *alternative* when B's full-year cost is below A's
  (a replacement that costs more and is neither is not an effect).

The full-year effect of an event is 365 days at the difference of the tariffs in force from the
event (a month tariff: 12 months), rounded to the øre as :func:`roret.economy.engine.yearly_cost`
rounds a renegotiation's yearly saving.

Which initiative an event counts for: the one a caseworker linked it to (an ``EffectLink`` naming
the renegotiation, the new placement or the ended placement), only that one, even if rules of
other initiatives match; else the first initiative of the plan (in the plan's order) with an
``EffectRule`` that matches. An event counts once in a plan.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DateField, Exists, ExpressionWrapper, OuterRef, Q, Sum

from roret.economy import engine
from roret.offers.models import Tariff
from roret.outcomes.models import TariffRenegotiation
from roret.placements.models import EndReason, Placement, PlacementTariff
from roret.plans.models import (
    EffectKind,
    EffectLink,
    EffectRule,
    Estimate,
    EstimateKind,
    Initiative,
    InvestmentSpent,
    LinkedAction,
    ManualEffect,
    Plan,
)

ZERO = Decimal(0)
#: A placement that starts this many days before or after another of the same citizen ends
#: replaces it (an alternative solution, a step down, a placement brought home).
REPLACEMENT_WINDOW_DAYS = 14
REPLACEMENTS = (EffectKind.ALTERNATIVE, EffectKind.STEP_DOWN, EffectKind.BROUGHT_HOME)


@dataclass
class RealisedEvent:
    """One case event and what it realised in the year, in kroner (Decimal, øre exact)."""

    kind: str
    date: datetime.date                  # the first day the event changes the cost
    citizen_id: int
    placement_ids: tuple[int, ...]       # the placement saved on, then the one moved to (if any)
    renegotiation_id: int | None
    period_start: datetime.date          # the days costed: [period_start, period_end)
    period_end: datetime.date
    counterfactual_cost: Decimal         # the engine's cost of what would have been, over the period
    actual_cost: Decimal                 # the engine's cost of what happened, over the period
    full_year: Decimal                   # 365 days at the difference of the tariffs (savings negative)
    centre_ids: frozenset[int] = frozenset()  # the centres of the offers involved (own offers)
    paragraph: str = ""
    offer_type_id: int | None = None
    own_days: int = 0                    # brought home: the year's place-days now own instead of bought
    linked: bool = False                 # counted through a caseworker's link rather than a rule

    @property
    def this_year(self) -> Decimal:
        """The realised effect in the year: actual minus counterfactual (savings negative)."""
        return self.actual_cost - self.counterfactual_cost

    @property
    def keys(self) -> set[tuple[str, int]]:
        """The case actions a caseworker may have linked to make this event count."""
        if self.kind == EffectKind.RENEGOTIATION:
            return {(LinkedAction.RENEGOTIATION, self.renegotiation_id)}
        if self.kind == EffectKind.ELDERLY_CARE:
            return {(LinkedAction.ENDED_PLACEMENT, self.placement_ids[0])}
        return {(LinkedAction.ENDED_PLACEMENT, self.placement_ids[0]),
                (LinkedAction.NEW_PLACEMENT, self.placement_ids[1])}


@dataclass
class InitiativeRealised:
    """An initiative's figures for one year, in kroner (savings negative)."""

    initiative_id: int
    year: int
    expected: Decimal | None = None      # the year's current expected effect (highest revision), None: none
    expected_investment: Decimal | None = None
    investments_spent: Decimal = ZERO
    manual: Decimal = ZERO
    events: list[RealisedEvent] = field(default_factory=list)

    @property
    def events_this_year(self) -> Decimal:
        return sum((e.this_year for e in self.events), ZERO)

    @property
    def realised_this_year(self) -> Decimal:
        """The year's realised effect: the events' effects in the year plus manual effects."""
        return self.events_this_year + self.manual

    @property
    def committed_full_year(self) -> Decimal:
        """The full-year effects of the events already made (what they realise in a whole year)."""
        return sum((e.full_year for e in self.events), ZERO)

    @property
    def citizens(self) -> int:
        return len({e.citizen_id for e in self.events})

    @property
    def citizens_brought_home(self) -> int:
        return len({e.citizen_id for e in self.events if e.kind == EffectKind.BROUGHT_HOME})

    @property
    def own_days(self) -> int:
        return sum(e.own_days for e in self.events)


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)


# ---- costing one event with the engine -----------------------------------------------------------


def _rows(placement) -> tuple[list[engine.TariffRow], list[engine.TariffRow], Decimal | None]:
    """The placement's standard and agreed tariff rows and grant hours: read in bulk by
    :func:`_load_tariffs` when the placement came from :func:`events_in_year`, else from the database."""
    rows = getattr(placement, "_effect_rows", None)
    if rows is None:
        standard = [engine.TariffRow(t.valid_from, t.amount, t.unit) for t in placement.offer.tariffs.all()]
        agreed = [engine.TariffRow(t.valid_from, t.amount, t.unit, t.hours_per_week) for t in placement.tariffs.all()]
        return standard, agreed, placement.grant.hours_per_week
    return rows


def _load_tariffs(placements) -> None:
    """Give each placement its tariff rows from two queries in all (the offers' standard tariffs in
    force and the placements' agreed ones), not a prefetch per placement."""
    placements = [p for p in placements if getattr(p, "_effect_rows", None) is None]
    if not placements:
        return
    standard: dict[int, list] = defaultdict(list)
    agreed: dict[int, list] = defaultdict(list)
    offer_ids = sorted({p.offer_id for p in placements})
    placement_ids = sorted({p.pk for p in placements})
    for chunk in range(0, len(offer_ids), 500):
        for offer_id, valid_from, amount, unit in (Tariff.objects.filter(offer_id__in=offer_ids[chunk:chunk + 500])
                                                   .values_list("offer_id", "valid_from", "amount", "unit")):
            standard[offer_id].append(engine.TariffRow(valid_from, amount, unit))
    for chunk in range(0, len(placement_ids), 500):
        for placement_id, valid_from, amount, unit, hours in (
                PlacementTariff.objects.filter(placement_id__in=placement_ids[chunk:chunk + 500])
                .values_list("placement_id", "valid_from", "amount", "unit", "hours_per_week")):
            agreed[placement_id].append(engine.TariffRow(valid_from, amount, unit, hours))
    for p in placements:
        p._effect_rows = (standard[p.offer_id], agreed[p.pk], p.grant.hours_per_week)


def _cost(start, end, rows, a, b, hours) -> Decimal:
    return engine.to_kroner(engine.cost_ore(start, end, rows, a, b, hours)) if b > a else ZERO


def _yearly(row: engine.TariffRow | None, hours) -> Decimal:
    if row is None:
        return ZERO
    return engine.yearly_cost(row, hours) or ZERO


def _facts(placement) -> dict:
    provider = placement.offer.provider
    return {"centre_ids": frozenset({provider.centre_id} if provider.centre_id else ()),
            "paragraph": placement.offer.legal_basis, "offer_type_id": placement.offer.offer_type_id}


def renegotiation_event(reneg: TariffRenegotiation, year: int) -> RealisedEvent:
    """A renegotiation's effect in ``year``: old against new tariff from the day it applies."""
    placement = reneg.placement
    y0, y1 = year_bounds(year)
    standard, agreed, hours = _rows(placement)
    old = engine.TariffRow(reneg.valid_from, reneg.old_amount, reneg.unit, reneg.hours_per_week)
    counter_agreed = [old if r.valid_from == reneg.valid_from else r for r in agreed]
    actual_rows = engine.schedule(standard, agreed)
    counter_rows = engine.schedule(standard, counter_agreed)
    a = max(reneg.valid_from, y0)
    b = min(y1, placement.end) if placement.end else y1
    diff = engine.TariffRow(reneg.valid_from, reneg.old_amount - reneg.new_amount, reneg.unit, reneg.hours_per_week)
    return RealisedEvent(
        kind=EffectKind.RENEGOTIATION, date=reneg.valid_from, citizen_id=placement.citizen_id,
        placement_ids=(placement.pk,), renegotiation_id=reneg.pk, period_start=a, period_end=max(a, b),
        counterfactual_cost=_cost(placement.start, placement.end, counter_rows, a, b, hours),
        actual_cost=_cost(placement.start, placement.end, actual_rows, a, b, hours),
        full_year=-_yearly(diff, hours), **_facts(placement))


def elderly_event(placement, year: int) -> RealisedEvent:
    """A move to elderly care: the placement's cost, had it not ended, from its end to the year's end."""
    y0, y1 = year_bounds(year)
    standard, agreed, hours = _rows(placement)
    rows = engine.schedule(standard, agreed)
    a, b = max(placement.end, y0), y1
    return RealisedEvent(
        kind=EffectKind.ELDERLY_CARE, date=placement.end, citizen_id=placement.citizen_id,
        placement_ids=(placement.pk,), renegotiation_id=None, period_start=a, period_end=max(a, b),
        counterfactual_cost=_cost(placement.start, None, rows, a, b, hours),
        actual_cost=_cost(placement.start, placement.end, rows, a, b, hours),
        full_year=-_yearly(engine.tariff_on(placement.end, standard, agreed), hours), **_facts(placement))


def replacement_event(old, new, year: int) -> RealisedEvent | None:
    """Placement ``old`` replaced by ``new`` (same citizen, within the window), classified; None
    when it is no effect (costs more, same or higher step, not brought home)."""
    y0, y1 = year_bounds(year)
    o_std, o_agr, o_hours = _rows(old)
    n_std, n_agr, n_hours = _rows(new)
    o_rows, n_rows = engine.schedule(o_std, o_agr), engine.schedule(n_std, n_agr)
    full_year = (_yearly(engine.tariff_on(new.start, n_std, n_agr), n_hours)
                 - _yearly(engine.tariff_on(old.end, o_std, o_agr), o_hours))
    if old.is_external and not new.is_external:
        kind = EffectKind.BROUGHT_HOME
    elif new.offer.staircase_step < old.offer.staircase_step:
        kind = EffectKind.STEP_DOWN
    elif full_year < 0:
        kind = EffectKind.ALTERNATIVE
    else:
        return None
    a = max(min(old.end, new.start), y0)
    b = min(y1, new.end) if new.end else y1
    actual = (_cost(old.start, old.end, o_rows, a, b, o_hours)
              + _cost(new.start, new.end, n_rows, a, b, n_hours))
    facts = _facts(old)
    facts["centre_ids"] = facts["centre_ids"] | _facts(new)["centre_ids"]
    own_days = max(0, (b - max(new.start, y0)).days) if kind == EffectKind.BROUGHT_HOME else 0
    return RealisedEvent(
        kind=kind, date=old.end, citizen_id=old.citizen_id, placement_ids=(old.pk, new.pk), renegotiation_id=None,
        period_start=a, period_end=max(a, b),
        counterfactual_cost=_cost(old.start, None, o_rows, a, b, o_hours), actual_cost=actual,
        full_year=full_year, own_days=own_days, **facts)


# ---- reading the year's events (a bounded number of queries) ---------------------------------------

_PLACEMENT_RELATED = ("offer__provider", "grant")
#: The fields costing and classifying an event reads (fewer columns, quicker rows).
_PLACEMENT_FIELDS = ("citizen_id", "offer_id", "grant_id", "start", "end", "end_reason", "is_external",
                     "offer__legal_basis", "offer__offer_type_id", "offer__staircase_step", "offer__provider_id",
                     "offer__provider__centre_id", "offer__provider__kind", "grant__hours_per_week")


def events_in_year(year: int, *, today: datetime.date, citizen_ids=None) -> list[RealisedEvent]:
    """Every effect event of ``year`` made by ``today`` (its day on or before ``today``), from the
    case record: renegotiations, moves to elderly care and replacements. ``citizen_ids`` narrows to
    some citizens (a test, a drill-down).

    The year's events of the whole record are kept with the economy's stored figures
    (:class:`roret.economy.rollup.FigureStore`) while no month of the year (and the next month, where
    a replacement may start) has been re-costed: every change that can make, undo or alter an event
    (a placement started, ended or corrected, a renegotiated tariff) re-costs its months and so gives
    them a new version. At 100,000 citizens a year has some 2,400 events, and costing them with the
    engine takes about 2 s (docs/benchmarks.md, issue 10); the plan pages read them stored."""
    if citizen_ids is not None:
        return _events_in_year(year, today=today, citizen_ids=citizen_ids)
    from roret.core.periods import Period
    from roret.economy.rollup import FigureStore

    y0, y1 = year_bounds(year)
    last = min(y1, today + datetime.timedelta(days=1))
    # The version is read before the events are: a change committed meanwhile gives a newer one.
    store = FigureStore(Period(y0, datetime.date(y1.year, 2, 1)), None)
    question = ("plans.events_in_year", year, last.isoformat())
    found, events = store.get(question)
    if not found:
        events = _events_in_year(year, today=today)
        store.put(question, events)
    return list(events)


def _events_in_year(year: int, *, today: datetime.date, citizen_ids=None) -> list[RealisedEvent]:
    y0, y1 = year_bounds(year)
    last = min(y1, today + datetime.timedelta(days=1))  # events on days before this
    if last <= y0:
        return []
    narrow = Q() if citizen_ids is None else Q(citizen_id__in=citizen_ids)
    events: list[RealisedEvent] = []
    renegotiations = (TariffRenegotiation.objects
                      .filter(valid_from__gte=y0, valid_from__lt=last)
                      .filter(Q() if citizen_ids is None else Q(placement__citizen_id__in=citizen_ids))
                      .select_related(*(f"placement__{r}" for r in _PLACEMENT_RELATED))
                      .only("placement_id", "old_amount", "new_amount", "unit", "hours_per_week", "valid_from",
                            *(f"placement__{f}" for f in _PLACEMENT_FIELDS))
                      .order_by("valid_from", "pk"))
    renegotiations = list(renegotiations)
    _load_tariffs([r.placement for r in renegotiations])
    events += [renegotiation_event(r, year) for r in renegotiations]

    window = datetime.timedelta(days=REPLACEMENT_WINDOW_DAYS)
    # Only the ended placements that can be an event are read (and costed): a move to elderly care,
    # or one followed within the window by another placement of the citizen. The test is one EXISTS
    # on the (citizen, start) index, so the year's many other ends are never loaded.
    replaced = Placement.objects.filter(
        citizen_id=OuterRef("citizen_id"), start__gt=OuterRef("start"),
        start__gte=ExpressionWrapper(OuterRef("end") - window, output_field=DateField()),
        start__lte=ExpressionWrapper(OuterRef("end") + window, output_field=DateField()),
    ).exclude(pk=OuterRef("pk")).exclude(offer_id=OuterRef("offer_id"))
    ended = list(Placement.objects.filter(narrow, end__gte=y0, end__lt=last)
                 .filter(Q(end_reason=EndReason.ELDERLY_CARE) | Exists(replaced))
                 .select_related(*_PLACEMENT_RELATED).only(*_PLACEMENT_FIELDS).order_by("end", "pk"))
    starting: dict[int, list] = defaultdict(list)
    citizens = sorted({p.citizen_id for p in ended if p.end_reason != EndReason.ELDERLY_CARE})
    for chunk in range(0, len(citizens), 500):
        for placement in (Placement.objects.filter(citizen_id__in=citizens[chunk:chunk + 500],
                                                   start__gte=y0 - window, start__lt=last + window)
                          .select_related(*_PLACEMENT_RELATED).only(*_PLACEMENT_FIELDS)
                          .order_by("start", "pk")):
            starting[placement.citizen_id].append(placement)
    _load_tariffs(ended + [p for ps in starting.values() for p in ps])
    used: set[int] = set()
    for old in ended:
        if old.end_reason == EndReason.ELDERLY_CARE:
            events.append(elderly_event(old, year))
            continue
        candidates = [p for p in starting.get(old.citizen_id, ())
                      if p.pk != old.pk and p.pk not in used and p.start > old.start and p.offer_id != old.offer_id
                      and abs((p.start - old.end).days) <= REPLACEMENT_WINDOW_DAYS]
        if not candidates:
            continue
        new = min(candidates, key=lambda p: (abs((p.start - old.end).days), p.pk))
        event = replacement_event(old, new, year)
        if event is not None:
            used.add(new.pk)
            events.append(event)
    events.sort(key=lambda e: (e.date, e.kind, e.placement_ids))
    return events


# ---- assigning events to a plan's initiatives ----------------------------------------------------


def rule_matches(rule: EffectRule, event: RealisedEvent) -> bool:
    return (rule.kind == event.kind
            and (not rule.paragraph or rule.paragraph == event.paragraph)
            and (rule.offer_type_id is None or rule.offer_type_id == event.offer_type_id)
            and (rule.centre_id is None or rule.centre_id in event.centre_ids))


def _links() -> dict[tuple[str, int], int]:
    """(action, placement or renegotiation id) -> initiative id, for every link."""
    out = {}
    for action, placement_id, reneg_id, initiative_id in EffectLink.objects.values_list(
            "action", "placement_id", "renegotiation_id", "initiative_id"):
        out[(action, reneg_id if action == LinkedAction.RENEGOTIATION else placement_id)] = initiative_id
    return out


def assign(events: list[RealisedEvent], initiatives: list[Initiative], rules: list[EffectRule],
           links: dict[tuple[str, int], int]) -> dict[int, list[RealisedEvent]]:
    """initiative id -> its events: the linked initiative only, else the first matching rule's."""
    ids = [i.pk for i in initiatives]
    known = set(ids)
    by_initiative: dict[int, list[EffectRule]] = defaultdict(list)
    for rule in rules:
        by_initiative[rule.initiative_id].append(rule)
    out: dict[int, list[RealisedEvent]] = {pk: [] for pk in ids}
    for event in events:
        linked = next((links[k] for k in sorted(event.keys) if k in links), None)
        if linked is not None:
            # Linked: counts for that initiative only (in another plan: not in this one).
            if linked in known:
                event.linked = True
                out[linked].append(event)
            continue
        for pk in ids:
            if any(rule_matches(rule, event) for rule in by_initiative.get(pk, ())):
                out[pk].append(event)
                break
    return out


def _expected(plan: Plan, year: int) -> dict[tuple[int, str], Decimal]:
    """(initiative id, kind) -> the year's current estimate (highest revision)."""
    out: dict[tuple[int, str], Decimal] = {}
    for initiative_id, kind, amount in (Estimate.objects
                                        .filter(row__plan=plan, row__initiative__isnull=False, year=year)
                                        .order_by("row_id", "kind", "revision")
                                        .values_list("row__initiative_id", "kind", "amount")):
        out[(initiative_id, kind)] = amount
    return out


def realised_for_plan(plan: Plan, year: int, *, today: datetime.date,
                      events: list[RealisedEvent] | None = None) -> dict[int, InitiativeRealised]:
    """initiative id -> its realised figures in ``year`` as of ``today``, for every initiative of
    ``plan`` (in the plan's order). A bounded number of queries, whatever the number of citizens."""
    initiatives = list(plan.initiatives.order_by("position", "pk"))
    rules = list(EffectRule.objects.filter(initiative__plan=plan))
    if events is None:
        events = events_in_year(year, today=today) if rules or EffectLink.objects.filter(
            initiative__plan=plan).exists() else []
    assigned = assign(events, initiatives, rules, _links() if events else {})
    expected = _expected(plan, year)
    y0, y1 = year_bounds(year)
    spent = dict(InvestmentSpent.objects.filter(initiative__plan=plan, spent_on__gte=y0, spent_on__lt=y1,
                                                spent_on__lte=today)
                 .values_list("initiative_id").annotate(total=Sum("amount")).values_list("initiative_id", "total"))
    manual = dict(ManualEffect.objects.filter(initiative__plan=plan, year=year)
                  .values_list("initiative_id").annotate(total=Sum("amount")).values_list("initiative_id", "total"))
    return {
        i.pk: InitiativeRealised(
            initiative_id=i.pk, year=year,
            expected=expected.get((i.pk, EstimateKind.EFFECT)),
            expected_investment=expected.get((i.pk, EstimateKind.INVESTMENT)),
            investments_spent=spent.get(i.pk, ZERO), manual=manual.get(i.pk, ZERO),
            events=assigned.get(i.pk, []))
        for i in initiatives
    }


def realised_for_initiative(initiative: Initiative, year: int, *, today: datetime.date) -> InitiativeRealised:
    """One initiative's figures (computed with its plan's, as an event counts once in a plan)."""
    return realised_for_plan(initiative.plan, year, today=today)[initiative.pk]


def warm_events(today: datetime.date) -> int:
    """Compute and store ahead the realised events the plan pages and the status report read first:
    last year's, this year's as of today, and those as of the last completed half-year's end (the
    committee's pages and reports). Run by ``roret economy_refresh`` after the rollup, which drops the
    stored figures; without plans there is nothing to warm. Returns the number of readings made."""
    if not Plan.objects.exists():
        return 0
    from roret.core import periods

    last_half_end = periods.period_of("half", today).previous(1)[0].end - datetime.timedelta(days=1)
    readings = {(today.year - 1, today), (today.year, today), (last_half_end.year, last_half_end)}
    for year, day in sorted(readings):
        events_in_year(year, today=day)
    return len(readings)


def self_sufficiency_effect(figures: InitiativeRealised) -> dict | None:
    """What the initiative's placements brought home did to the year's self-sufficiency rate (by
    place-days, as the KPI layer computes it: own place-days / all place-days of own citizens).

    A place-day moved from a bought place to an own one leaves the total unchanged and adds one to
    the own days, so the rate rises by the moved days over the year's place-days:

    .. math::

        \\Delta = \\frac{d_{\\text{moved}}}{d_{\\text{own}} + d_{\\text{external}}} \\cdot 100 \\text{ percentage points}

    The year's place-days come from the economy's monthly rollup (one query; the running year as
    costed so far, up to the economy's horizon). None when nothing was brought home."""
    if not figures.own_days:
        return None
    from roret.core.periods import Period
    from roret.economy.rollup import period_sums

    y0, y1 = year_bounds(figures.year)
    sums = period_sums(Period(y0, y1), None)
    days_own, days_external = sums[3], sums[4]
    total = days_own + days_external
    if not total:
        return None
    return {"days": figures.own_days, "citizens": figures.citizens_brought_home,
            "points": (Decimal(figures.own_days) * 100 / Decimal(total)).quantize(Decimal("0.01")),
            "rate": (Decimal(days_own) * 100 / Decimal(total)).quantize(Decimal("0.1"))}
