"""From the case record to the capacity engine: a group's status today and its plan inputs.

Everything here reads the database and hands the engine plain numbers; the engine
(roret.capacity.engine) imports nothing from Django. Money is Decimal kroner here and
becomes float only at the engine boundary (``PlanInputs.plan``); the engine's expected
kroner come back as Decimal in roret.capacity.runs.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from roret.capacity import engine
from roret.capacity.groups import CapacityGroup
from roret.core import permissions
from roret.core.periods import month_start
from roret.economy import engine as costs
from roret.offers.models import Offer, PlaceChange, ProviderKind, Tariff
from roret.offers.queries import catalogue, with_vacancy
from roret.placements.models import DISPLACEABLE, ExternalReason, Grant, Placement, PlacementTariff

MONTH_DAYS = float(costs.PLACE_MONTH_DAYS)  # a month of stay: a twelfth of the mean calendar year
HISTORY_YEARS = 5
URGENT_SHARE = 0.2  # share of arrivals treated as urgent (may use strategic vacancy); see docs/capacity.md
RULE_OF_THUMB = 0.85  # the occupancy target the sizing is compared with


def own_code() -> str:
    return settings.RORET["MUNICIPALITY_CODE"]


def month_labels(day: datetime.date, horizon: int) -> list[str]:
    return [f"{month_start(day, m):%m.%Y}" for m in range(horizon)]


def kroner(value) -> Decimal:
    """Expected kroner from the engine (float) as whole Decimal kroner for display and storage."""
    return Decimal(str(float(value))).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def own_offers(group: CapacityGroup):
    """The own offers whose places make up the group's pool (see roret.capacity.groups)."""
    return Offer.objects.filter(
        legal_basis__in=group.legal_bases, provider__kind=ProviderKind.OWN, requires_visitation=True
    )


def _own_citizens_external(legal_bases) -> Q:
    """Own citizens (we pay) placed in external offers of ``legal_bases``, whatever the reason."""
    return Q(offer__legal_basis__in=legal_bases, paying_municipality=own_code()) & ~Q(
        offer__provider__kind=ProviderKind.OWN)


def external_placements(group: CapacityGroup):
    """Own citizens placed in external offers of the group's legal bases, whatever the reason."""
    return Placement.objects.filter(_own_citizens_external(group.legal_bases))


def require_group_scope(user, group: CapacityGroup) -> None:
    """A capacity group is within a user's aggregate scope: the whole department for the economist
    and the committee, and for a centre leader only a group the centre runs own places in (else
    NotInScope, a 404). The pages and the services ask here."""
    scope = permissions.aggregate_scope(user)
    if scope.centre_id is not None and not own_offers(group).filter(provider__centre_id=scope.centre_id).exists():
        raise permissions.NotInScope("not a group of your centre")


def demand_placements(group: CapacityGroup):
    """Placements that are demand on the pool: all in own offers, plus own citizens placed
    externally for a reason an own place would have served (``DISPLACEABLE``: no own vacancy
    at the time, or not recorded). A citizen bought a specialised offer we do not run, or placed
    by free choice or near their network, would be placed the same way however many own places
    we ran; counting them would size the pool for demand it cannot take."""
    return (Placement.objects.filter(Q(offer__in=own_offers(group)) | _own_citizens_external(group.legal_bases))
            .counting_as_own_demand())


@dataclass
class ExternalReasonRow:
    """Own citizens in bought places of a group for one reason: now, and started in the history
    the arrival trend reads; ``counted`` says whether the plan counts them as demand."""

    reason: str
    label: str
    counted: bool
    now: int
    started: int


def external_reasons(group: CapacityGroup, day: datetime.date) -> list[ExternalReasonRow]:
    """Own citizens placed externally in the group, by reason: in bought places on ``day`` and
    placements started in the last HISTORY_YEARS years."""
    return external_reasons_by_group([group], day)[group.key]


def external_reasons_by_group(groups, day: datetime.date) -> dict[str, list[ExternalReasonRow]]:
    """:func:`external_reasons` of each of ``groups`` by key, in two queries for them all (the
    capacity overview shows every group: two queries per group took most of its time)."""
    since = _years_before(day, HISTORY_YEARS)
    placements = Placement.objects.filter(_own_citizens_external(sorted({b for g in groups for b in g.legal_bases})))

    def by_basis_and_reason(queryset) -> dict:
        return {(basis, reason): n for basis, reason, n in
                queryset.values_list("offer__legal_basis", "external_reason").annotate(n=Count("pk"))
                .values_list("offer__legal_basis", "external_reason", "n")}

    now = by_basis_and_reason(placements.active_on(day))
    started = by_basis_and_reason(placements.filter(start__gte=since, start__lt=day))
    return {g.key: [ExternalReasonRow(reason=r.value, label=str(r.label), counted=r in DISPLACEABLE,
                                      now=sum(now.get((b, r.value), 0) for b in g.legal_bases),
                                      started=sum(started.get((b, r.value), 0) for b in g.legal_bases))
                    for r in ExternalReason]
            for g in groups}


def waiting_grants(group: CapacityGroup, day: datetime.date):
    return Grant.objects.waiting_on(day).filter(paragraph__in=group.legal_bases)


# ---------------------------------------------------------------------------------------- status


@dataclass
class GroupStatus:
    """Where a group stands on ``day``: its own offers with places, occupancy and vacancy."""

    group: CapacityGroup
    day: datetime.date
    offers: list
    places: int
    occupied: int
    sold: int
    vacancy: int
    strategic_vacancy: int
    free_for_placement: int
    waiting: int
    external_now: int
    centre_ids: set

    @property
    def occupancy_rate(self) -> float | None:
        return self.occupied / self.places if self.places else None


def group_statuses(groups, day: datetime.date, *, offers=None) -> list[GroupStatus]:
    """Status of several groups with a fixed number of queries (one catalogue, two counts).

    ``offers``: the whole catalogue on ``day``, already read (``with_vacancy`` rows), when the
    page reads it anyway (the committee's pages, for the suppression pattern): its groups' offers
    are taken from it instead of a second catalogue query (0.2-0.3 s at 100,000 citizens)."""
    bases = [b for g in groups for b in g.legal_bases]
    if offers is None:
        rows = with_vacancy(
            catalogue(day).filter(legal_basis__in=bases, provider__kind=ProviderKind.OWN, requires_visitation=True)
            .order_by("provider__name", "name")
        )
    else:
        rows = sorted((o for o in offers if o.legal_basis in bases and o.is_own_row and o.requires_visitation),
                      key=lambda o: (o.provider.name, o.name))
    waiting = dict(
        Grant.objects.waiting_on(day).filter(paragraph__in=bases)
        .values_list("paragraph").annotate(n=Count("pk")).values_list("paragraph", "n")
    )
    external = dict(
        Placement.objects.active_on(day).filter(_own_citizens_external(bases))
        .values_list("offer__legal_basis").annotate(n=Count("pk")).values_list("offer__legal_basis", "n")
    )
    out = []
    for g in groups:
        offers = [o for o in rows if o.legal_basis in g.legal_bases]
        out.append(GroupStatus(
            group=g, day=day, offers=offers,
            places=sum(o.places for o in offers),
            occupied=sum(o.occupied for o in offers),
            sold=sum(o.sold for o in offers),
            vacancy=sum(o.vacancy for o in offers),
            strategic_vacancy=sum(o.strategic_vacancy for o in offers),
            free_for_placement=sum(o.free_for_placement for o in offers),
            waiting=sum(waiting.get(b, 0) for b in g.legal_bases),
            external_now=sum(external.get(b, 0) for b in g.legal_bases),
            centre_ids={o.provider.centre_id for o in offers},
        ))
    return out


# ------------------------------------------------------------------------------------ plan inputs


@dataclass
class PlanInputs:
    """The engine's PlanInput for a group, with where each number came from (shown on the page)."""

    group: CapacityGroup
    day: datetime.date
    horizon: int
    places: np.ndarray  # own places per month, from the dated places rows (planned changes included)
    arrival_rate: np.ndarray  # citizens per month, the trend of the last HISTORY_YEARS years
    starts_per_year: list  # [(label, count)] oldest first, the history behind the trend
    trend_per_year: tuple  # (level now, change per year), citizens per year
    stay: engine.StayDistribution
    stays_completed: int
    stays_ongoing: int
    resident_elapsed: np.ndarray  # months, oldest citizen first (elderly-care moves take the oldest)
    external_elapsed: np.ndarray
    own_cost: Decimal | None  # kroner per place-month
    external_cost: Decimal | None
    pipeline_months: list
    pipeline_probability: list
    waiting_now: int
    young_known: int
    notes: list = field(default_factory=list)
    external_reasons: list = field(default_factory=list)  # ExternalReasonRow per reason, counted or not

    def external_totals(self, counted: bool) -> dict:
        """Own citizens in bought places now and started in the history, counted as demand or not."""
        rows = [r for r in self.external_reasons if r.counted == counted]
        return {"now": sum(r.now for r in rows), "started": sum(r.started for r in rows)}

    @property
    def external_counted(self) -> dict:
        return self.external_totals(True)

    @property
    def external_excluded(self) -> dict:
        return self.external_totals(False)

    @property
    def mean_stay_months(self) -> float:
        return float(self.stay.mean)

    @property
    def load(self) -> float:
        """Offered load now, in places: arrivals per month in the plan's first year times mean stay."""
        return float(self.arrival_rate[:12].mean()) * self.mean_stay_months

    def plan(self, *, urgent_share: float = URGENT_SHARE, policy: str = "external") -> engine.PlanInput:
        """The engine's input (floats; money as kroner per place-month)."""
        return engine.PlanInput(
            places=self.places,
            arrival_rate=self.arrival_rate,
            stay=self.stay,
            resident_elapsed=self.resident_elapsed,
            external_elapsed=self.external_elapsed,
            own_cost=float(self.own_cost or 0),
            external_cost=float(self.external_cost or 0),
            pipeline_months=np.asarray(self.pipeline_months, dtype=float),
            pipeline_probability=np.asarray(self.pipeline_probability, dtype=float),
            urgent_share=urgent_share,
            policy=policy,
            horizon_months=self.horizon,
        )

    def summary(self) -> dict:
        """JSON-safe account of the inputs, stored with each plan run."""
        return {
            "day": self.day.isoformat(),
            "horizon_months": self.horizon,
            "places_now": int(self.places[0]),
            "places_end": int(self.places[-1]),
            "arrival_rate_first_year": round(float(self.arrival_rate[:12].mean()), 4),
            "arrival_rate_last_year": round(float(self.arrival_rate[-12:].mean()), 4),
            "starts_per_year": self.starts_per_year,
            "trend_per_year": [round(x, 3) for x in self.trend_per_year],
            "mean_stay_months": round(self.mean_stay_months, 2),
            "stays_completed": self.stays_completed,
            "stays_ongoing": self.stays_ongoing,
            "residents": int(self.resident_elapsed.size),
            "external": int(self.external_elapsed.size),
            "own_cost": str(self.own_cost) if self.own_cost is not None else None,
            "external_cost": str(self.external_cost) if self.external_cost is not None else None,
            "waiting_now": self.waiting_now,
            "young_known": self.young_known,
            "external_reasons": [{"reason": r.reason, "counted": r.counted, "now": r.now, "started": r.started}
                                 for r in self.external_reasons],
            "load": round(self.load, 3),
            "notes": self.notes,
        }


def _months_between(start: datetime.date, end: datetime.date) -> float:
    return (end - start).days / MONTH_DAYS


def _places_per_month(group: CapacityGroup, day: datetime.date, horizon: int) -> np.ndarray:
    offers = list(own_offers(group).values_list("pk", "closed_on"))
    changes = list(PlaceChange.objects.filter(offer__in=[pk for pk, _ in offers])
                   .values_list("offer_id", "valid_from", "change"))
    closed = dict(offers)
    out = np.zeros(horizon, dtype=np.int64)
    for m in range(horizon):
        on = day if m == 0 else month_start(day, m)
        out[m] = sum(c for pk, valid_from, c in changes
                     if valid_from <= on and (closed[pk] is None or closed[pk] > on))
    return out


def _years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` years earlier (29 February becomes 1 March)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return datetime.date(day.year - years, 3, 1)


def theil_sen(x, y) -> tuple[float, float]:
    """Theil-Sen line ``a + b x``: ``b`` the median of the slopes between all pairs of points with
    different ``x``, ``a = median(y) - b median(x)`` (Sen, P. K. 1968, "Estimates of the regression
    coefficient based on Kendall's tau", JASA 63, 1379-1389). The same numbers as
    ``scipy.stats.theilslopes(y, x)`` (its default ``method="separate"``), without loading
    scipy.stats for five points. Returns ``(a, b)``."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    dx, dy = x[:, None] - x, y[:, None] - y
    b = _median(dy[dx > 0] / dx[dx > 0])
    return float(_median(y) - b * _median(x)), b


def _median(values: np.ndarray) -> float:
    """``np.median`` of a few numbers without NaN, the same float (the middle one, or the mean of
    the two middle ones): ``np.median`` checks for NaN through ``numpy.ma``, whose import is a
    tenth of the command line's start-up it is used in (tests/core/test_startup_imports.py)."""
    return float(statistics.median(values.tolist()))


def _arrival_trend(starts: list[datetime.date], first_start: datetime.date | None, day: datetime.date,
                   horizon: int, notes: list):
    """Yearly placement starts over the last HISTORY_YEARS years and their robust linear trend.

    Year k (k = 1 the most recent) covers [day - k years, day - (k-1) years); its centre sits
    at x = -(k - 0.5) years. The line ``a + b x`` is the Theil-Sen fit (median of the pairwise
    slopes; Sen 1968), so one unusual year does not tip a five-point trend. It is carried
    forward: month m of the plan (centre x = (m + 0.5)/12) expects ``(a + b x)/12`` citizens,
    never fewer than zero. Years before the first placement on record are left out.
    """
    edges = [_years_before(day, k) for k in range(HISTORY_YEARS + 1)]
    counts, xs = [], []
    for k in range(HISTORY_YEARS, 0, -1):
        lo, hi = edges[k], edges[k - 1]
        counts.append(sum(1 for s in starts if lo <= s < hi))
        xs.append(-(k - 0.5))
    labels = [f"{edges[k]:%m.%Y}–{edges[k - 1] - datetime.timedelta(days=1):%m.%Y}" for k in range(HISTORY_YEARS, 0, -1)]
    # A year before the first placement on record is missing history, not a year without demand.
    usable = [i for i, k in enumerate(range(HISTORY_YEARS, 0, -1)) if first_start and edges[k] >= first_start]
    if len(usable) >= 3:
        a_x, a_y = np.asarray(xs)[usable], np.asarray(counts, dtype=float)[usable]
        a, b = theil_sen(a_x, a_y)
    else:
        a, b = (float(np.mean([counts[i] for i in usable])) if usable else float(len(starts))), 0.0
        notes.append(_("Less than three years of placement history: the arrival rate is the mean, without trend."))
    x = (np.arange(horizon) + 0.5) / 12.0
    rate = np.maximum(a + b * x, 0.0) / 12.0
    return rate, list(zip(labels, counts, strict=True)), (float(a), float(b))


def build_inputs(group: CapacityGroup, day: datetime.date, *, horizon: int = 60) -> PlanInputs:
    """Read the case record for ``group`` as of ``day`` and assemble the plan's inputs."""
    notes: list[str] = []
    own_ids = set(own_offers(group).values_list("pk", flat=True))
    rows = list(
        demand_placements(group).filter(start__lt=day)
        .values_list("pk", "offer_id", "start", "end", "citizen__birth_date", "offer__legal_basis")
    )
    # Stays: completed ones observed, ongoing ones censored at today (Kaplan-Meier).
    durations, observed = [], []
    for _pk, _offer, start, end, _birth, _basis in rows:
        if end is not None and end <= day:
            durations.append(_months_between(start, end))
            observed.append(True)
        else:
            durations.append(_months_between(start, day))
            observed.append(False)
    if sum(observed) >= 1:
        stay = engine.kaplan_meier(np.asarray(durations), np.asarray(observed))
    else:
        stay = engine.ExponentialStay(60.0)
        notes.append(_("No completed stays on record: a mean stay of 5 years is assumed."))
    since = _years_before(day, HISTORY_YEARS)
    starts = [start for _pk, _o, start, _e, _b, _l in rows if start >= since]
    first_start = min((r[2] for r in rows), default=None)
    rate, per_year, trend = _arrival_trend(starts, first_start, day, horizon, notes)
    active = [r for r in rows if r[3] is None or r[3] > day]
    residents = sorted((r for r in active if r[1] in own_ids), key=lambda r: (r[4], r[2]))
    externals = [r for r in active if r[1] not in own_ids]
    own_cost = _own_cost(own_ids, day, notes)
    external_cost = _external_cost(group, [r[0] for r in externals], day, notes)
    if external_cost is None:
        external_cost = own_cost
        notes.append(_("No external tariff in this legal basis: bought places are costed at the own tariff."))
    pipeline_months, pipeline_p, waiting_now, young = _pipeline(group, day, horizon, notes)
    return PlanInputs(
        group=group, day=day, horizon=horizon,
        places=_places_per_month(group, day, horizon),
        arrival_rate=rate, starts_per_year=per_year, trend_per_year=trend,
        stay=stay, stays_completed=int(sum(observed)), stays_ongoing=len(observed) - int(sum(observed)),
        resident_elapsed=np.array([_months_between(r[2], day) for r in residents]),
        external_elapsed=np.array([_months_between(r[2], day) for r in externals]),
        own_cost=own_cost, external_cost=external_cost,
        pipeline_months=pipeline_months, pipeline_probability=pipeline_p,
        waiting_now=waiting_now, young_known=young, notes=notes,
        external_reasons=external_reasons(group, day),
    )


def _own_cost(own_ids: set, day: datetime.date, notes: list) -> Decimal | None:
    """Own cost per place-month: the own offers' standard tariffs in force on ``day``
    (:func:`roret.economy.engine.tariff_on`) as a place-month's cost
    (:func:`~roret.economy.engine.place_month_cost`), weighted by the offers' places."""
    tariffs: dict[int, list] = {}
    for offer_id, valid_from, amount, unit in Tariff.objects.filter(offer__in=own_ids).values_list(
            "offer_id", "valid_from", "amount", "unit"):
        tariffs.setdefault(offer_id, []).append(costs.TariffRow(valid_from, amount, unit))
    places = dict(
        PlaceChange.objects.filter(offer__in=own_ids, valid_from__lte=day)
        .values_list("offer").annotate(n=Sum("change")).values_list("offer", "n")
    )
    total, weight = Decimal(0), 0
    for oid, n in places.items():
        row = costs.tariff_on(day, tariffs.get(oid, []))
        monthly = costs.place_month_cost(row) if row else None
        if monthly is None or n <= 0:
            continue
        total += monthly * n
        weight += n
    if not weight:
        notes.append(_("No own tariffs on record: own places are costed at 0 kr."))
        return None
    return (total / weight).quantize(Decimal("0.01"))


def _external_cost(group: CapacityGroup, placement_ids: list, day: datetime.date, notes: list) -> Decimal | None:
    """External cost per place-month: the mean tariff in force on ``day`` of own citizens' current
    external placements (the agreed one, else their offer's standard one, by the cost engine's
    rule, hourly tariffs at the agreed or granted weekly hours); without such placements, the mean
    standard tariff of the external offers in the same legal bases."""
    agreed: dict[int, list] = {}
    for pid, valid_from, amount, unit, hours in PlacementTariff.objects.filter(placement__in=placement_ids).values_list(
        "placement_id", "valid_from", "amount", "unit", "hours_per_week"
    ):
        agreed.setdefault(pid, []).append(costs.TariffRow(valid_from, amount, unit, hours))
    placed = {pk: (offer_id, hours) for pk, offer_id, hours in Placement.objects.filter(pk__in=placement_ids)
              .values_list("pk", "offer_id", "grant__hours_per_week")}
    external_offers = set(
        Offer.objects.filter(legal_basis__in=group.legal_bases).exclude(provider__kind=ProviderKind.OWN)
        .values_list("pk", flat=True)
    ) | {offer_id for offer_id, _hours in placed.values()}
    standard: dict[int, list] = {}
    for oid, valid_from, amount, unit in Tariff.objects.filter(offer__in=external_offers).values_list(
            "offer_id", "valid_from", "amount", "unit"):
        standard.setdefault(oid, []).append(costs.TariffRow(valid_from, amount, unit))
    values = []
    for pid in placement_ids:
        offer_id, hours = placed[pid]
        row = costs.tariff_on(day, standard.get(offer_id, []), agreed.get(pid, []))
        monthly = costs.place_month_cost(row, hours) if row else None
        if monthly is not None:
            values.append(monthly)
    if not values:
        for oid in external_offers:
            row = costs.tariff_on(day, standard.get(oid, []))
            monthly = costs.place_month_cost(row) if row else None
            if monthly is not None:
                values.append(monthly)
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"))


MIN_CLOSED_INQUIRIES = 10  # fewer closed inquiries than this: no estimate of how many end in a grant
UNKNOWN_GRANT_SHARE = 0.5


def _months_until(day: datetime.date, when: datetime.date) -> int:
    return max(0, (when.year - day.year) * 12 + when.month - day.month)


def grant_share(group: CapacityGroup) -> tuple[float, int]:
    """Share of closed inquiries in the group's legal bases that ended in a grant, and how many
    closed inquiries it rests on (visitation's record: Inquiry and Decision)."""
    from roret.visitation.models import DecisionKind, Inquiry, InquiryStatus

    closed = Inquiry.objects.filter(paragraph__in=group.legal_bases).exclude(status=InquiryStatus.OPEN)
    n = closed.count()
    granted = closed.filter(decisions__kind=DecisionKind.GRANT).distinct().count() if n else 0
    return (granted / n if n else 0.0), n


def _pipeline(group: CapacityGroup, day: datetime.date, horizon: int, notes: list):
    """Known future demand: the waiting list now (month 0) and young people turning 18.

    - A grant in force in the group's legal bases without a placement: month 0, or the month
      of the citizen's 18th birthday if younger; probability 1.
    - A young person known from children's services (an open youth transition in visitation)
      with an open inquiry in the group's legal bases and no such grant: from the month they
      turn 18, with the probability that an inquiry in these legal bases ends in a grant (the
      share of closed inquiries that did; 0.5 with a note when fewer than 10 are closed).
    """
    from roret.visitation.models import Inquiry, InquiryStatus, Transition, TransitionKind

    months, probability = [], []
    waiting_now = young = 0
    granted = set()
    for citizen_id, birth in waiting_grants(group, day).values_list("citizen_id", "citizen__birth_date"):
        granted.add(citizen_id)
        eighteen = _years_before(birth, -18)
        m = _months_until(day, eighteen) if eighteen > day else 0
        if m < horizon:
            months.append(m)
            probability.append(1.0)
            young += eighteen > day
            waiting_now += eighteen <= day
    youth = Transition.objects.filter(kind=TransitionKind.YOUTH, closed_on__isnull=True).values("citizen")
    asked = dict(
        Inquiry.objects.filter(status=InquiryStatus.OPEN, paragraph__in=group.legal_bases, citizen__in=youth)
        .exclude(citizen__in=granted).values_list("citizen_id", "citizen__birth_date")
    )
    if asked:
        share, n = grant_share(group)
        if n < MIN_CLOSED_INQUIRIES:
            share = UNKNOWN_GRANT_SHARE
            notes.append(_("Fewer than %(n)d closed inquiries in this legal basis: each young person with an open "
                           "inquiry counts with probability %(p)s.") % {"n": MIN_CLOSED_INQUIRIES, "p": share})
        for birth in asked.values():
            m = _months_until(day, _years_before(birth, -18))
            if m < horizon:
                months.append(m)
                probability.append(share)
                young += 1
    if not young:
        notes.append(_("No young people turning 18 are known in this legal basis (an open youth transition "
                       "with an inquiry or a grant)."))
    return months, probability, waiting_now, young


# ------------------------------------------------------------------------------------------ sizing


@dataclass
class SizingAnswer:
    """How many own places the group should run, and what the 85 % rule of thumb would give."""

    load: float
    arrival_per_year: float
    mean_stay_years: float
    own_cost_year: Decimal
    external_cost_year: Decimal
    optimum: engine.Sizing
    today_places: int
    today_blocking: float
    today_occupancy: float
    today_cost: Decimal
    rule_places: int
    rule_blocking: float
    rule_occupancy: float
    rule_cost: Decimal
    optimum_cost: Decimal


def size_group(inputs: PlanInputs, today_places: int) -> SizingAnswer | None:
    """engine.size_places with the group's load and tariffs; None without a load or tariffs."""
    if inputs.own_cost is None or inputs.external_cost is None or inputs.load <= 0:
        return None
    load = inputs.load
    own_y, ext_y = inputs.own_cost * 12, inputs.external_cost * 12
    lam = float(inputs.arrival_rate[:12].mean()) * 12
    opt = engine.size_places(load, own_cost=float(own_y), external_cost=float(ext_y), arrival_rate=lam)

    def cost(c: int) -> tuple[float, float, Decimal]:
        b = float(engine.erlang_b(c, load))
        occ = float(engine.occupancy(c, load)) if c else 0.0
        return b, occ, kroner(c * float(own_y) + load * b * float(ext_y))

    # The rule of thumb: the fewest places at which expected occupancy is at most 85 %.
    c = max(1, int(load / RULE_OF_THUMB))
    while float(engine.occupancy(c, load)) > RULE_OF_THUMB:
        c += 1
    while c > 1 and float(engine.occupancy(c - 1, load)) <= RULE_OF_THUMB:
        c -= 1
    tb, to, tc = cost(today_places)
    rb, ro, rc = cost(c)
    return SizingAnswer(
        load=load, arrival_per_year=lam, mean_stay_years=inputs.mean_stay_months / 12,
        own_cost_year=own_y.quantize(Decimal("1")), external_cost_year=ext_y.quantize(Decimal("1")),
        optimum=opt, optimum_cost=kroner(opt.expected_cost),
        today_places=today_places, today_blocking=tb, today_occupancy=to, today_cost=tc,
        rule_places=c, rule_blocking=rb, rule_occupancy=ro, rule_cost=rc,
    )
