"""The balance model's figures (people, practice, economy) for the department or one centre, per
half-year: the numbers behind the balance page and the status report's balance section.

One public entry, :func:`balance`. Every figure is counted in the database per half-year (one
GROUP BY over the half-years for the figures of a period, a COUNT per half-year for the figures
of a day), never per citizen in Python; the economy's figures come from the economy's KPI layer
(roret.economy.kpi, roret.economy.places), so the balance page and the economy pages agree.

**Who is counted.** The department: every citizen. A centre: in a half-year, the citizens placed
in one of the centre's offers at some time in it (for figures of a period), or on its last day
(for figures of a day). Each figure carries the number of citizens it is built from, so the
committee's figures hide those of 1-4 citizens (roret.reports.toolkit.suppression.small).

**The figures** (H a half-year [A, B), D = B - 1 day its last day; formulas in docs/balance.md):

People
  - ``who5_mean``: mean WHO-5 score of the measurements taken in H.
  - ``who5_low``: share of those measurements in the low band (score 50 or less: risk of stress,
    depression or high risk of depression; the instrument's bands).
  - ``who5_mean_self`` / ``who5_mean_staff`` and ``who5_low_self`` / ``who5_low_staff``: the same
    two, counted apart over the self-reported measurements (the citizen answered themself) and
    the staff-reported ones; shown as the parts under ``who5_mean`` and ``who5_low``, whose own
    values still count every measurement.
  - ``who5_measured``: share of the citizens placed on D with a WHO-5 measurement in the 12 months
    up to D; ``who5_measured_self`` / ``who5_measured_staff`` its parts: the share with a
    self-reported and with a staff-reported one (of the same citizens placed on D; a citizen
    measured both ways is in both, so the parts may add up to more than the whole).
  - ``who5_change``: mean change in points since the citizen's previous WHO-5, over the
    measurements in H that have an earlier one.
  - ``goals``: share of the goal ratings given at follow-ups held in H that read achieved or
    progressing.

Practice
  - ``follow_ups``: share of the follow-ups due in H (before today) held on or before their due day.
  - ``assessments``: share of the citizens placed on D whose newest assessment is at most
    ``ASSESSMENT_MONTHS`` months old on D.
  - ``deadlines``: share of the inquiries whose case-processing deadline fell in H (before today)
    closed on or before it.
  - ``sickness``: sickness-absence days / working days over H's months (staff figures, %).
  - ``staffing``: FTEs employed / FTEs budgeted (the staffing norm) over H's months (%).
  - ``vacancies``: vacant positions in H's last month with figures.
  - ``turnover``: leavers in H per mean FTE employed, at a yearly rate (%).

Economy
  - ``budget``: the cost of H against the budget's share for H (the year's budgets × H's days /
    the year's days), %; the department only (budgets are kept per account function).
  - ``occupancy``: place-days used / place-days available in own offers with places (%).
  - ``vacancy_days``: place-days available and not used in own offers with places.
  - ``vacancy_cost``: the cost of empty own places: Σ over own offers of max(0, available - used
    place-days) × the offer's tariff for a day on D (a month tariff: 12 × amount / 365).
  - ``self_sufficiency``: own place-days / all place-days of own citizens (%), against the year's
    target (economy.SelfSufficiencyTarget); the department only (a centre's own offers are own
    by definition).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models import Value as SqlValue
from django.utils.translation import gettext_lazy as _

from roret.balance.models import BalanceTarget, StaffMonth, TargetKind
from roret.core import periods
from roret.core.models import Centre
from roret.core.periods import Period

#: Half-years on the page.
HALVES = 8
#: An assessment is current when it is at most this many months old.
ASSESSMENT_MONTHS = 24
WHO5 = "WHO-5"
WHO5_LOW_BANDS = ("high_risk", "at_risk")
#: The WHO-5 figures counted apart over self-reported and staff-reported measurements.
WHO5_PARTS = ("who5_mean_self", "who5_mean_staff", "who5_low_self", "who5_low_staff")
#: The share measured with WHO-5, counted apart the same way.
MEASURED_PARTS = ("who5_measured_self", "who5_measured_staff")

PEOPLE, PRACTICE, ECONOMY = "people", "practice", "economy"
PERSPECTIVES = {PEOPLE: _("People"), PRACTICE: _("Practice"), ECONOMY: _("Economy")}

TWO = Decimal("0.01")


def last_halves(today: datetime.date, n: int = HALVES) -> list[Period]:
    """The ``n`` completed half-years before ``today``, oldest first (the committee sees completed
    half-years only, and a running half-year would change from day to day)."""
    return periods.period_of("half", today).previous(n)


@dataclass(frozen=True)
class Value:
    """One figure in one half-year."""

    value: Decimal | int | None
    citizens: int | None = None  # citizens the figure is built from (None: not about citizens)
    hidden: bool = False         # hidden from the committee (1-4 citizens)
    detail: str = ""             # the counts behind a share ("123 of 456")
    counted: int | None = None   # a share's citizens counted (its numerator): 1-4 of them are hidden too

    @property
    def shown(self):
        return None if self.hidden else self.value


@dataclass(frozen=True)
class Part:
    """A figure counted over a part of what the whole figure counts (self- or staff-reported)."""

    key: str
    label: str
    values: list[Value]


@dataclass
class Figure:
    """One figure of the balance model with its value in each half-year and its target."""

    key: str
    perspective: str
    label: str
    unit: str                        # pct, score, points, int, money, days
    values: list[Value]
    higher_is_better: bool | None = True
    targets: list[Decimal | None] = field(default_factory=list)
    note: str = ""
    parts: list[Part] = field(default_factory=list)

    @property
    def current(self) -> Value:
        return self.values[-1]

    @property
    def target(self) -> Decimal | None:
        return self.targets[-1] if self.targets else None

    @property
    def met(self) -> bool | None:
        """Whether the current value meets its target (None: no target or no value)."""
        value = self.current.shown
        if value is None or self.target is None:
            return None
        return value >= self.target if self.higher_is_better else value <= self.target


@dataclass
class Balance:
    """The balance model's figures for the department (centre None) or one centre."""

    centre_id: int | None
    name: str
    halves: list[Period]
    figures: list[Figure]
    suppressed: bool = False

    def perspective(self, key: str) -> list[Figure]:
        return [f for f in self.figures if f.perspective == key]

    def figure(self, key: str) -> Figure | Part:
        """The figure ``key``, or the part ``key`` of a figure (``who5_mean_self``)."""
        for f in self.figures:
            if f.key == key:
                return f
            for part in f.parts:
                if part.key == key:
                    return part
        raise KeyError(key)

    def value(self, key: str, half: Period) -> Value:
        """The figure (or part) ``key`` in ``half`` (one of :attr:`halves`)."""
        return self.figure(key).values[self.halves.index(half)]


# ---- helpers ---------------------------------------------------------------------------------


def pct(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TWO, ROUND_HALF_UP)


def _round(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(TWO, ROUND_HALF_UP)


def _half_index(halves: list[Period], field_name: str) -> Case:
    """SQL: the index of the half-year that holds the day in ``field_name`` (None outside them)."""
    return Case(*[When(Q(**{f"{field_name}__gte": h.start, f"{field_name}__lt": h.end}), then=SqlValue(i))
                  for i, h in enumerate(halves)], default=SqlValue(-1), output_field=IntegerField())


class _Scope:
    """Which citizens count in each half-year: everyone (the department) or the centre's placed."""

    def __init__(self, centre_id: int | None, halves: list[Period]):
        self.centre_id = centre_id
        self.halves = halves

    def apply(self, queryset, day_field: str, citizen_field: str):
        """The rows whose day lies in one of the half-years and, for a centre, whose citizen was
        placed in one of the centre's offers in that half-year: the centre's citizens of the whole
        span first (an IN subquery on the citizen index), then for each of their rows an EXISTS
        probe of the citizen's placements for the row's own half-year."""
        from roret.placements.models import Placement

        first, last = self.halves[0].start, self.halves[-1].end
        queryset = queryset.filter(**{f"{day_field}__gte": first, f"{day_field}__lt": last})
        if self.centre_id is None:
            return queryset
        placed = Placement.objects.filter(offer__provider__centre_id=self.centre_id).filter(
            periods.overlapping(first, last))
        bound = {
            "half_from": Case(*[When(Q(**{f"{day_field}__gte": h.start, f"{day_field}__lt": h.end}),
                                     then=SqlValue(h.start)) for h in self.halves], output_field=DateField()),
            "half_to": Case(*[When(Q(**{f"{day_field}__gte": h.start, f"{day_field}__lt": h.end}),
                                   then=SqlValue(h.end)) for h in self.halves], output_field=DateField()),
        }
        there = placed.filter(citizen_id=OuterRef(citizen_field), start__lt=OuterRef("half_to")).filter(
            Q(end__isnull=True) | Q(end__gt=OuterRef("half_from")))
        return (queryset.filter(**{f"{citizen_field}__in": placed.values("citizen_id")})
                .alias(**bound).filter(Exists(there)))


def _grouped(queryset, halves, day_field, **aggregates) -> dict[int, dict]:
    rows = (queryset.annotate(half=_half_index(halves, day_field)).values("half").order_by("half")
            .annotate(**aggregates))
    return {r["half"]: r for r in rows}


# ---- people ----------------------------------------------------------------------------------


def _who5(scope: _Scope, halves: list[Period]) -> dict[str, list[Value]]:
    from roret.outcomes.models import Measurement

    previous = (Measurement.objects.filter(citizen_id=OuterRef("citizen_id"), instrument=WHO5,
                                           measured_on__lt=OuterRef("measured_on"))
                .order_by("-measured_on", "-pk").values("score")[:1])
    # The same counts over the self-reported and the staff-reported measurements apart, in the same GROUP BY.
    apart = {}
    for who, mine in (("self", Q(self_reported=True)), ("staff", Q(self_reported=False))):
        apart |= {f"n_{who}": Count("pk", filter=mine),
                  f"low_{who}": Count("pk", filter=mine & Q(band__in=WHO5_LOW_BANDS)),
                  f"mean_{who}": Avg("score", filter=mine),
                  f"citizens_{who}": Count("citizen_id", distinct=True, filter=mine)}
    rows = _grouped(
        scope.apply(Measurement.objects.filter(instrument=WHO5), "measured_on", "citizen_id")
        .annotate(previous=Subquery(previous)),
        halves, "measured_on",
        n=Count("pk"), low=Count("pk", filter=Q(band__in=WHO5_LOW_BANDS)), mean=Avg("score"),
        citizens=Count("citizen_id", distinct=True), change=Avg(F("score") - F("previous")),
        changed=Count("previous"), changed_citizens=Count("citizen_id", distinct=True, filter=Q(previous__isnull=False)),
        **apart)
    out = {k: [] for k in ("who5_mean", "who5_low", "who5_change", *WHO5_PARTS)}
    for i in range(len(halves)):
        r = rows.get(i, {"n": 0, "low": 0, "mean": None, "citizens": 0, "change": None, "changed": 0,
                         "changed_citizens": 0})
        out["who5_mean"].append(Value(_round(r["mean"]), r["citizens"], detail=f"{r['n']}"))
        out["who5_low"].append(Value(pct(r["low"], r["n"]), r["citizens"], detail=f"{r['low']}/{r['n']}"))
        out["who5_change"].append(Value(_round(r["change"]), r["changed_citizens"], detail=f"{r['changed']}"))
        for who in ("self", "staff"):
            n, low, citizens = r.get(f"n_{who}", 0), r.get(f"low_{who}", 0), r.get(f"citizens_{who}", 0)
            out[f"who5_mean_{who}"].append(Value(_round(r.get(f"mean_{who}")), citizens, detail=f"{n}"))
            out[f"who5_low_{who}"].append(Value(pct(low, n), citizens, detail=f"{low}/{n}"))
    return out


def _day_figures(centre_id: int | None, halves: list[Period]) -> tuple[list[int], ...]:
    """For each half-year's last day D: the citizens placed on D, those of them with a WHO-5 in the
    12 months up to D, those with an assessment in the ``ASSESSMENT_MONTHS`` months up to D, and
    those with a self-reported and those with a staff-reported WHO-5 in the 12 months up to D (a
    citizen measured both ways counts in both).

    One query: each citizen's placements, WHO-5 measurements and assessments are folded into one
    row per citizen with a 0/1 column per half-year (GROUP BY citizen), and the rows are summed.
    Counting each day apart took a scan of the placements per day and figure."""
    from django.db import connection

    from roret.outcomes.models import Measurement
    from roret.placements.models import Placement
    from roret.visitation.models import Assessment

    qn = connection.ops.quote_name
    days = [h.end - datetime.timedelta(days=1) for h in halves]
    n = len(days)
    placement, offer, provider = Placement._meta.db_table, "offers_offer", "offers_provider"
    params: list = []

    def flags(cond: str, per_day, name: str = "d") -> str:
        parts = []
        for i, day in enumerate(days):
            parts.append(f"MAX(CASE WHEN {cond} THEN 1 ELSE 0 END) AS {name}{i}")
            params.extend(per_day(day))
        return ", ".join(parts)

    start, end = qn("start"), qn("end")
    pop = flags(f"p.{start} <= %s AND (p.{end} IS NULL OR p.{end} > %s)", lambda d: [d, d])
    join = (f" JOIN {qn(offer)} o ON o.id = p.offer_id JOIN {qn(provider)} pr ON pr.id = o.provider_id"
            f" AND pr.centre_id = %s" if centre_id is not None else "")
    if centre_id is not None:
        params.append(centre_id)
    params.extend([days[-1], days[0]])
    pop_sql = (f"SELECT p.citizen_id AS citizen_id, {pop} FROM {qn(placement)} p{join} "
               f"WHERE p.{start} <= %s AND (p.{end} IS NULL OR p.{end} > %s) GROUP BY p.citizen_id")

    def window(table, day_field, months, extra="", apart=()):
        cond = f"{qn(day_field)} > %s AND {qn(day_field)} <= %s"
        bounds = lambda d: [periods.add_months_clamped(d, -months), d]  # noqa: E731
        sql = ", ".join([flags(cond, bounds), *(flags(f"{cond} AND {also}", bounds, name) for name, also in apart)])
        params.extend([periods.add_months_clamped(days[0], -months), days[-1]])
        return (f"SELECT citizen_id, {sql} FROM {qn(table)} WHERE {extra}{cond} "
                f"GROUP BY citizen_id")

    # s<i>/t<i>: a self-reported / a staff-reported WHO-5 in the window (``who5_measured`` split).
    reported = qn("self_reported")
    who5_sql = window(Measurement._meta.db_table, "measured_on", 12, "instrument = %s AND ",
                      apart=(("s", reported), ("t", f"NOT {reported}")))
    # The instrument's parameter stands before the window's bounds in the WHERE clause.
    params.insert(len(params) - 2, WHO5)
    assessed_sql = window(Assessment._meta.db_table, "assessed_on", ASSESSMENT_MONTHS)
    sums = ", ".join(f"SUM(pop.d{i}), SUM(CASE WHEN pop.d{i} = 1 AND m.d{i} = 1 THEN 1 ELSE 0 END), "
                     f"SUM(CASE WHEN pop.d{i} = 1 AND a.d{i} = 1 THEN 1 ELSE 0 END), "
                     f"SUM(CASE WHEN pop.d{i} = 1 AND m.s{i} = 1 THEN 1 ELSE 0 END), "
                     f"SUM(CASE WHEN pop.d{i} = 1 AND m.t{i} = 1 THEN 1 ELSE 0 END)" for i in range(n))
    sql = (f"WITH pop AS ({pop_sql}), m AS ({who5_sql}), a AS ({assessed_sql}) "
           f"SELECT {sums} FROM pop LEFT JOIN m ON m.citizen_id = pop.citizen_id "
           f"LEFT JOIN a ON a.citizen_id = pop.citizen_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    row = [int(v or 0) for v in row]
    return row[0::5], row[1::5], row[2::5], row[3::5], row[4::5]


def _of_placed(placed: list[int], counted: list[int]) -> list[Value]:
    return [Value(pct(c, p), p, detail=f"{c}/{p}", counted=c) for p, c in zip(placed, counted, strict=True)]


def _goals(scope: _Scope, halves: list[Period]) -> list[Value]:
    from roret.outcomes.models import GoalProgress, GoalProgressLevel

    rows = _grouped(scope.apply(GoalProgress.objects, "follow_up__held_on", "goal__citizen_id"),
                    halves, "follow_up__held_on", n=Count("pk"),
                    good=Count("pk", filter=Q(progress__in=[GoalProgressLevel.ACHIEVED, GoalProgressLevel.PROGRESSING])),
                    citizens=Count("goal__citizen_id", distinct=True))
    return [_share(rows.get(i), "good") for i in range(len(halves))]


def _share(row, part: str) -> Value:
    if row is None:
        return Value(None, 0, detail="0/0")
    return Value(pct(row[part], row["n"]), row["citizens"], detail=f"{row[part]}/{row['n']}")


# ---- practice --------------------------------------------------------------------------------


def _follow_ups(scope: _Scope, halves: list[Period], today: datetime.date) -> list[Value]:
    from roret.outcomes.models import FollowUp

    rows = _grouped(scope.apply(FollowUp.objects.filter(due_on__lt=today), "due_on", "citizen_id"),
                    halves, "due_on", n=Count("pk"),
                    good=Count("pk", filter=Q(held_on__isnull=False, held_on__lte=F("due_on"))),
                    citizens=Count("citizen_id", distinct=True))
    return [_share(rows.get(i), "good") for i in range(len(halves))]


def _deadlines(scope: _Scope, halves: list[Period], today: datetime.date) -> list[Value]:
    from roret.visitation.models import Inquiry

    rows = _grouped(scope.apply(Inquiry.objects.filter(deadline__lt=today), "deadline", "citizen_id"),
                    halves, "deadline", n=Count("pk"),
                    good=Count("pk", filter=Q(closed_on__isnull=False, closed_on__lte=F("deadline"))),
                    citizens=Count("citizen_id", distinct=True))
    return [_share(rows.get(i), "good") for i in range(len(halves))]


def _staff(centre_id: int | None, halves: list[Period]) -> dict[str, list[Value]]:
    months = StaffMonth.objects.filter(month__gte=halves[0].start, month__lt=halves[-1].end)
    if centre_id is not None:
        months = months.filter(centre_id=centre_id)
    rows = _grouped(months, halves, "month", sick=Sum("sickness_days"), work=Sum("working_days"),
                    employed=Sum("fte_employed"), budgeted=Sum("fte_budgeted"), leavers=Sum("leavers"),
                    months=Count("month", distinct=True))
    # Vacancies stand on a day: the last month of each half-year that has figures.
    last_month = {}
    for month, vacancies in (months.values("month").order_by("month").annotate(v=Sum("vacancies"))
                             .values_list("month", "v")):
        for i, h in enumerate(halves):
            if h.start <= month < h.end:
                last_month[i] = vacancies
    out = {"sickness": [], "staffing": [], "vacancies": [], "turnover": []}
    for i in range(len(halves)):
        r = rows.get(i)
        if r is None:
            for key in out:
                out[key].append(Value(None))
            continue
        out["sickness"].append(Value(pct(r["sick"], r["work"])))
        out["staffing"].append(Value(pct(r["employed"], r["budgeted"])))
        out["vacancies"].append(Value(last_month.get(i)))
        # Mean FTEs employed over the months with figures; leavers scaled to a year.
        mean_fte = Decimal(r["employed"]) / r["months"] if r["months"] else None
        turnover = (Decimal(r["leavers"]) * 12 / r["months"] * 100 / mean_fte).quantize(TWO, ROUND_HALF_UP) \
            if mean_fte else None
        out["turnover"].append(Value(turnover))
    return out


# ---- economy ---------------------------------------------------------------------------------


def _economy(centre_id: int | None, halves: list[Period], citizens_by_half: list[int | None]) -> dict[str, list[Value]]:
    from roret.economy import engine, kpi
    from roret.economy.models import Budget, SelfSufficiencyTarget
    from roret.economy.places import place_days
    from roret.offers.models import Offer, PlaceChange, Tariff

    where = None if centre_id is None else Q(centre_id=centre_id)
    offers = Offer.objects.filter(provider__kind="own")
    if centre_id is not None:
        offers = offers.filter(provider__centre_id=centre_id)
    closed = dict(offers.values_list("pk", "closed_on"))
    changes = list(PlaceChange.objects.filter(offer__in=list(closed), valid_from__lt=halves[-1].end)
                   .values_list("offer_id", "valid_from", "change"))
    tariffs: dict[int, list] = {}
    for t in Tariff.objects.filter(offer__in=list(closed), valid_from__lt=halves[-1].end).order_by("valid_from", "pk"):
        tariffs.setdefault(t.offer_id, []).append(t)
    years = {h.start.year for h in halves}
    budgets = dict(Budget.objects.filter(year__in=years).values("year").order_by("year")
                   .annotate(total=Sum("amount")).values_list("year", "total"))
    targets = dict(SelfSufficiencyTarget.objects.filter(year__in=years).values_list("year", "target"))
    out = {k: [] for k in ("budget", "occupancy", "vacancy_days", "vacancy_cost", "self_sufficiency",
                           "self_sufficiency_target")}
    with kpi.Figures(where) as figures:
        for i, h in enumerate(halves):
            total = figures.totals(h)
            citizens = total.citizens
            citizens_by_half[i] = citizens
            budget = budgets.get(h.start.year)
            if centre_id is None and budget:
                year_days = (datetime.date(h.start.year + 1, 1, 1) - datetime.date(h.start.year, 1, 1)).days
                share = Decimal(budget) * h.days / year_days
                out["budget"].append(Value(pct(kpi.kroner(total.cost_total), share), citizens,
                                           detail=f"{kpi.kroner(total.cost_total):.0f}/{share:.0f}"))
            else:
                out["budget"].append(Value(None, citizens))
            available = place_days(h, changes, closed)
            used = {r.key: r.days_own + r.days_external + r.days_sold for r in figures.breakdown(h, "offer")
                    if r.key in available}
            all_available, all_used = sum(available.values()), sum(used.values())
            out["occupancy"].append(Value(pct(all_used, all_available), citizens,
                                          detail=f"{all_used}/{all_available}"))
            out["vacancy_days"].append(Value(max(0, all_available - all_used) if all_available else None, citizens))
            last = h.end - datetime.timedelta(days=1)
            cost = Decimal(0)
            for offer_id, days in available.items():
                empty = days - used.get(offer_id, 0)
                row = engine.in_force(tariffs.get(offer_id, []), last)
                if empty > 0 and row is not None:
                    cost += engine.tariff_cost(row, empty) or 0
            out["vacancy_cost"].append(Value(cost.quantize(Decimal("1"), ROUND_HALF_UP) if available else None,
                                             citizens))
            if centre_id is None:
                out["self_sufficiency"].append(Value(total.self_sufficiency_days, citizens,
                                                     detail=f"{total.days_own}/{total.place_days}"))
            else:
                out["self_sufficiency"].append(Value(None, citizens))
            out["self_sufficiency_target"].append(targets.get(h.start.year) if centre_id is None else None)
    return out


# ---- targets ---------------------------------------------------------------------------------


def _targets(centre_id: int | None, halves: list[Period]) -> dict[str, list[Decimal | None]]:
    """{kind: [target in force on each half-year's last day]}: the centre's own target where it
    has one, else the department's."""
    rows = list(BalanceTarget.objects.filter(valid_from__lt=halves[-1].end)
                .filter(Q(centre__isnull=True) | Q(centre_id=centre_id) if centre_id else Q(centre__isnull=True))
                .order_by("valid_from", "set_at", "pk").values_list("kind", "centre_id", "valid_from", "value"))
    out = {}
    for kind in TargetKind.values:
        values = []
        for h in halves:
            last = h.end - datetime.timedelta(days=1)
            mine = [v for k, c, d, v in rows if k == kind and d <= last and c == centre_id and centre_id]
            dept = [v for k, c, d, v in rows if k == kind and d <= last and c is None]
            values.append(mine[-1] if mine else dept[-1] if dept else None)
        out[kind] = values
    return out


# ---- the record's figures, kept per completed half-year ----------------------------------------

#: Stored record figures younger than this are used as they are. Older ones are used while no source
#: table has a new row (a back-dated measurement or follow-up can change a completed half-year), and
#: never when older than MAX_AGE, which catches changed rows. So a busy day's new rows cost one count
#: per scope every MIN_AGE at most, and a correction shows within MIN_AGE (a changed row within
#: MAX_AGE); ``roret balance_refresh`` counts them again at any time (nightly, with the economy's).
MIN_AGE = datetime.timedelta(minutes=15)
MAX_AGE = datetime.timedelta(hours=24)
RECORD_KEYS = ("who5_mean", "who5_low", "who5_change", "who5_measured", "goals", "follow_ups", "assessments",
               "deadlines", *WHO5_PARTS, *MEASURED_PARTS)


def signature() -> str:
    """The newest row of each table the record figures count (new rows make stored figures old)."""
    from django.db.models import Max

    from roret.outcomes.models import FollowUp, GoalProgress, Measurement
    from roret.placements.models import Placement
    from roret.visitation.models import Assessment, Inquiry

    return ":".join(str(m.objects.aggregate(n=Max("pk"))["n"] or 0)
                    for m in (Measurement, GoalProgress, FollowUp, Inquiry, Assessment, Placement))


def _count_record(centre_id: int | None, halves: list[Period], today: datetime.date) -> dict[str, list[Value]]:
    scope = _Scope(centre_id, halves)
    placed, measured, assessed, measured_self, measured_staff = _day_figures(centre_id, halves)
    out = dict(_who5(scope, halves))
    out["who5_measured"] = _of_placed(placed, measured)
    out["who5_measured_self"] = _of_placed(placed, measured_self)
    out["who5_measured_staff"] = _of_placed(placed, measured_staff)
    out["assessments"] = _of_placed(placed, assessed)
    out["goals"] = _goals(scope, halves)
    out["follow_ups"] = _follow_ups(scope, halves, today)
    out["deadlines"] = _deadlines(scope, halves, today)
    return out


def _dump(value: Value) -> list:
    return [None if value.value is None else str(value.value), value.citizens, value.detail, value.counted]


def _load(row: list) -> Value:
    number = None if row[0] is None else (int(row[0]) if row[0].lstrip("-").isdigit() else Decimal(row[0]))
    return Value(number, row[1], detail=row[2], counted=row[3] if len(row) > 3 else None)


def _current_shape(values: dict) -> bool:
    """A stored row has every key, and its shares carry their counted citizens (rows stored before
    ``Value.counted`` are counted again, so the committee's rule sees the numerator too)."""
    return set(RECORD_KEYS) <= values.keys() and all(len(values[k]) > 3 for k in ("who5_measured", *MEASURED_PARTS))


def record_figures(centre_id: int | None, halves: list[Period], today: datetime.date, *,
                   use_stored: bool = True) -> dict[str, list[Value]]:
    """{key: [Value per half-year]} of the figures counted from the case record. A completed
    half-year's are taken from :class:`StoredFigures` while current, else counted (all the
    missing half-years in one go) and stored; a half-year still running is always counted."""
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from roret.balance.models import StoredFigures

    key = centre_id or 0
    sign = signature()
    found: dict[datetime.date, dict] = {}
    if use_stored:
        now = timezone.now()
        for row in StoredFigures.objects.filter(scope=key, half_start__in=[h.start for h in halves],
                                                computed_at__gte=now - MAX_AGE):
            # A row stored before a key was added (the WHO-5 parts) is counted again.
            if (row.computed_at >= now - MIN_AGE or row.signature == sign) and _current_shape(row.values):
                found[row.half_start] = row.values
    missing = [h for h in halves if h.start not in found]
    if missing:
        counted = _count_record(centre_id, missing, today)
        for i, h in enumerate(missing):
            values = {k: _dump(counted[k][i]) for k in RECORD_KEYS}
            found[h.start] = values
            if h.end <= today:
                try:
                    with transaction.atomic():
                        StoredFigures.objects.update_or_create(scope=key, half_start=h.start, defaults={
                            "signature": sign, "computed_at": timezone.now(), "values": values})
                except IntegrityError:  # another request stored it at the same moment
                    pass
    return {k: [_load(found[h.start][k]) for h in halves] for k in RECORD_KEYS}


def refresh(today: datetime.date | None = None) -> int:
    """Count the record figures of the last eight half-years again for the department and every
    centre and store them; returns how many scopes."""
    today = today or datetime.date.today()
    halves = last_halves(today)
    scopes = [None, *Centre.objects.order_by("pk").values_list("pk", flat=True)]
    for centre_id in scopes:
        record_figures(centre_id, halves, today, use_stored=False)
    return len(scopes)


# ---- the entry -------------------------------------------------------------------------------


def balance(centre: Centre | int | None = None, *, halves: list[Period] | None = None,
            today: datetime.date | None = None, suppress: bool = False,
            perspectives=(PEOPLE, PRACTICE, ECONOMY), use_stored: bool = True) -> Balance:
    """The balance model's figures for the department (``centre`` None) or one centre, in each of
    ``halves`` (default: the eight completed half-years before ``today``), oldest first. With
    ``suppress`` (the committee) a figure built from 1-4 citizens is hidden; ``perspectives``
    picks which of people, practice and economy are computed (default all three). The figures
    counted from the case record of a completed half-year are kept (:func:`record_figures`);
    ``use_stored=False`` counts them afresh."""

    today = today or datetime.date.today()
    halves = list(halves) if halves else last_halves(today)
    centre_id = getattr(centre, "pk", centre)
    name = (Centre.objects.filter(pk=centre_id).values_list("name", flat=True).first() or "") if centre_id else ""
    record = record_figures(centre_id, halves, today, use_stored=use_stored)
    staff = _staff(centre_id, halves)
    economy_citizens: list[int | None] = [None] * len(halves)
    economy = _economy(centre_id, halves, economy_citizens) if ECONOMY in perspectives else {}
    targets = _targets(centre_id, halves)
    who5 = record
    who5_measured, assessed = record["who5_measured"], record["assessments"]

    department_only = _("Kept for the department as a whole.")

    def apart(key: str) -> list[Part]:
        return [Part(f"{key}_self", _("self-reported"), who5[f"{key}_self"]),
                Part(f"{key}_staff", _("staff-reported"), who5[f"{key}_staff"])]

    figures = [
        Figure("who5_mean", PEOPLE, _("WHO-5, mean score"), "score", who5["who5_mean"], parts=apart("who5_mean")),
        Figure("who5_low", PEOPLE, _("WHO-5 in the low band (50 or less)"), "pct", who5["who5_low"], False,
               targets[TargetKind.WHO5_LOW], parts=apart("who5_low")),
        Figure("who5_measured", PEOPLE, _("Measured with WHO-5 in the last 12 months"), "pct", who5_measured, True,
               targets[TargetKind.WHO5_MEASURED], parts=apart("who5_measured")),
        Figure("who5_change", PEOPLE, _("WHO-5, change since the previous measurement"), "points",
               who5["who5_change"]),
        Figure("goals", PEOPLE, _("Goals achieved or progressing"), "pct", record["goals"]),
        Figure("follow_ups", PRACTICE, _("Follow-ups held on time"), "pct", record["follow_ups"], True,
               targets[TargetKind.FOLLOW_UPS]),
        Figure("assessments", PRACTICE, _("Assessments current (at most %(n)d months old)") % {"n": ASSESSMENT_MONTHS},
               "pct", assessed),
        Figure("deadlines", PRACTICE, _("Case-processing deadlines met"), "pct", record["deadlines"]),
        Figure("sickness", PRACTICE, _("Staff sickness absence"), "pct", staff["sickness"], False,
               targets[TargetKind.SICKNESS]),
        Figure("staffing", PRACTICE, _("Staffing against norm (FTEs employed / budgeted)"), "pct", staff["staffing"],
               None),
        Figure("vacancies", PRACTICE, _("Vacant positions (last month)"), "int", staff["vacancies"], False),
        Figure("turnover", PRACTICE, _("Staff turnover (yearly rate)"), "pct", staff["turnover"], False),
    ]
    if ECONOMY in perspectives:
        figures += [
            Figure("budget", ECONOMY, _("Cost against budget"), "pct", economy["budget"], None,
                   note=department_only if centre_id else ""),
            Figure("occupancy", ECONOMY, _("Occupancy of own places"), "pct", economy["occupancy"], True,
                   targets[TargetKind.OCCUPANCY]),
            Figure("vacancy_days", ECONOMY, _("Empty own place-days"), "days", economy["vacancy_days"], None),
            Figure("vacancy_cost", ECONOMY, _("Cost of empty own places (kr.)"), "money", economy["vacancy_cost"], None),
            Figure("self_sufficiency", ECONOMY, _("Self-sufficiency against target"), "pct", economy["self_sufficiency"],
                   True, economy["self_sufficiency_target"],
                   note=_("A centre's own places are own by definition: see occupancy.") if centre_id else ""),
        ]
    figures = [f for f in figures if f.perspective in perspectives]
    if suppress:
        for f in figures:
            f.values = [replace(v, hidden=True) if _small(v) else v for v in f.values]
            f.parts = [replace(p, values=[replace(v, hidden=True) if _small(v) else v for v in p.values])
                       for p in f.parts]
    return Balance(centre_id, name, halves, figures, suppressed=suppress)


def _small(value: Value) -> bool:
    """Hidden from the committee: built from 1-4 citizens, or a share of 1-4 citizens counted (2 of
    100 placed measured by themselves is two citizens, whatever the base)."""
    from roret.reports.toolkit.suppression import small

    return small(value.citizens) or (value.counted is not None and small(value.counted))


def centres_with_figures() -> list[tuple[int, str]]:
    """The centres a balance page can be shown for: (id, name), by name."""
    return list(Centre.objects.order_by("name").values_list("pk", "name"))
