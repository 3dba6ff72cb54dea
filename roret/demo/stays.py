"""Plans the demo municipality's stays (who occupies which place, when) without touching the
database: own offers are filled place by place, so occupancy never exceeds places; stays are
chained into citizens' paths through the offers. Deterministic for a given seed and day."""

import bisect
import datetime
import heapq
import math
import random
from dataclasses import dataclass, field

from roret.demo.catalogue import EXTERNAL_OFFERS, OWN_OFFERS, PROFILES, OfferSpec

DAY = datetime.timedelta(days=1)
WARM_UP_YEARS = 40
CHAIN_WINDOW = 180          # days: a citizen who left an offer this recently may move on to the next
HOUSING = "housing"         # residential and support in one's own home: one at a time
DAYTIME = "day"             # day offers and treatment: one at a time, beside housing
RESPITE = "respite"
DAY_BASES = {"SEL102", "SEL103", "SEL104"}
CHAIN_PROBABILITY = {HOUSING: 0.8, DAYTIME: 0.6}
OLDEST_BIRTH = datetime.date(1937, 1, 1)  # the demo CPR numbers' century rule holds from here


def track_of(spec: OfferSpec) -> str:
    if spec.legal_basis == "SEL84":
        return RESPITE
    return DAYTIME if spec.legal_basis in DAY_BASES else HOUSING


@dataclass
class PlannedCitizen:
    index: int
    birth: datetime.date
    female: bool
    profile: str
    foreign_code: str = ""      # paying municipality when another municipality's citizen
    free: dict = field(default_factory=dict)   # track -> day the citizen is free again
    stays: list = field(default_factory=list)


@dataclass
class PlannedStay:
    spec: OfferSpec
    start: datetime.date
    end: datetime.date | None
    own: bool
    citizen: PlannedCitizen | None = None
    hours: int | None = None
    agreed_factor: float = 1.0
    end_reason: str = ""
    external_reason: str = ""   # why an external placement (roret.placements.models.ExternalReason)


@dataclass
class Plan:
    today: datetime.date
    history_start: datetime.date
    scale: float
    places: dict          # offer key -> list of (date, change, reason)
    stays: list
    citizens: list
    waiting: list = field(default_factory=list)  # (citizen, spec, start)


def _date(day: float) -> datetime.date:
    return datetime.date.fromordinal(int(day))


def _scaled(n: int, scale: float) -> int:
    return max(1, round(n * scale))


def _stay_days(rng: random.Random, spec: OfferSpec) -> float:
    return max(2.0, rng.lognormvariate(math.log(spec.median_stay_days), spec.sigma))


def _mean_stay(spec: OfferSpec) -> float:
    return spec.median_stay_days * math.exp(spec.sigma ** 2 / 2)


def plan_places(spec: OfferSpec, scale: float, today: datetime.date) -> list:
    """Dated place changes: the base places long before the window, then new builds."""
    base = _scaled(spec.places, scale)
    rows = [(datetime.date(today.year - WARM_UP_YEARS, 1, 1), base, "Pladser ved tilbuddets start")]
    for years_ago, change, reason in spec.place_changes:
        rows.append((datetime.date(today.year - years_ago, 1, 1), _scaled(change, scale) if change > 0 else change,
                     reason))
    return rows


def _fill_slot(rng, spec, slot_open: datetime.date, today, history_start, occupancy, out):
    """A renewal process on one place: stays separated by vacant gaps; keeps stays in the window."""
    mean_gap = _mean_stay(spec) * (1 - occupancy) / occupancy
    t = slot_open.toordinal() + rng.expovariate(1 / max(mean_gap, 1.0)) if mean_gap > 0 else slot_open.toordinal()
    end_of_time = today.toordinal()
    while t < end_of_time:
        length = _stay_days(rng, spec)
        start, end = int(t), int(t + length)
        if end <= start:
            end = start + 1
        if end > history_start.toordinal():
            out.append((start, end if end <= end_of_time else None))
        t = end + rng.expovariate(1 / max(mean_gap, 1.0))


def plan_stays(rng: random.Random, scale: float, today: datetime.date, history_start: datetime.date):
    stays, places = [], {}
    for spec in OWN_OFFERS:
        rows = plan_places(spec, scale, today)
        places[spec.key] = rows
        raw = []
        for day, change, _reason in rows:
            for _ in range(max(change, 0)):
                _fill_slot(rng, spec, day, today, history_start, spec.occupancy, raw)
        for start, end in raw:
            stays.append(PlannedStay(spec, _date(start), _date(end) if end else None, own=True))
    for spec in EXTERNAL_OFFERS:
        now = _scaled(spec.places, scale)
        then = max(1, round(now / (1 + spec.growth) ** 10))
        raw = []
        warm = datetime.date(today.year - WARM_UP_YEARS, 1, 1)
        for _ in range(then):
            _fill_slot(rng, spec, warm, today, history_start, 0.97, raw)
        span = (today - history_start).days
        for i in range(now - then):
            opened = history_start + datetime.timedelta(days=int(span * (i + 0.5) / (now - then)))
            _fill_slot(rng, spec, opened, today, history_start, 0.97, raw)
        for start, end in raw:
            stays.append(PlannedStay(spec, _date(start), _date(end) if end else None, own=False))
    stays.sort(key=lambda s: (s.start, s.spec.key))
    return stays, places


class CitizenPool:
    """Hands out citizens for stays: someone who just left a fitting offer, or someone new."""

    def __init__(self, rng: random.Random, today: datetime.date):
        self.rng, self.today = rng, today
        self.citizens: list[PlannedCitizen] = []
        self.pending: dict = {}       # (track, profile) -> heap of (free day, index)
        self.in_housing: list = []    # citizens in a residential stay who may also join a day offer
        self.profiles = list(PROFILES)
        self.weights = [PROFILES[p][0] for p in self.profiles]

    def new(self, spec: OfferSpec, start: datetime.date, foreign_code: str = "") -> PlannedCitizen:
        lo, hi = spec.age
        hi = hi or 80
        # Most adults in the area are 25-60; youth offers take 18-30.
        age = min(hi, max(lo, int(self.rng.triangular(lo, min(hi, 70), lo + 8 if hi <= 30 else 35))))
        birth = start - datetime.timedelta(days=age * 365.25 + self.rng.randrange(365))
        if birth < OLDEST_BIRTH:
            birth = OLDEST_BIRTH + datetime.timedelta(days=self.rng.randrange(3000))
        allowed = [p for p in spec.profiles]
        weights = [PROFILES[p][0] for p in allowed]
        citizen = PlannedCitizen(len(self.citizens), birth, self.rng.random() < 0.45,
                                 self.rng.choices(allowed, weights)[0], foreign_code=foreign_code)
        self.citizens.append(citizen)
        return citizen

    def release(self, citizen: PlannedCitizen, track: str, day: datetime.date | None) -> None:
        citizen.free[track] = day
        if day is not None and not citizen.foreign_code:
            heapq.heappush(self.pending.setdefault((track, citizen.profile), []), (day.toordinal(), citizen.index))

    def chained(self, spec: OfferSpec, track: str, start: datetime.date) -> PlannedCitizen | None:
        s = start.toordinal()
        for profile in self.rng.sample(list(spec.profiles), len(spec.profiles)):
            heap = self.pending.get((track, profile))
            if not heap:
                continue
            skipped = []
            found = None
            budget = 24  # look at a handful of fitting leavers, not the whole queue
            while heap and heap[0][0] <= s and budget:
                budget -= 1
                free_day, index = heapq.heappop(heap)
                if free_day < s - CHAIN_WINDOW:
                    continue  # left too long ago: they no longer move on
                citizen = self.citizens[index]
                if citizen.free.get(track) != _date(free_day):
                    continue  # stale entry
                if self._age_fits(citizen, spec, start) and self._free(citizen, track, start):
                    found = citizen
                    break
                skipped.append((free_day, index))
            for item in skipped:
                heapq.heappush(heap, item)
            if found:
                return found
        return None

    def with_housing(self, spec: OfferSpec, start: datetime.date) -> PlannedCitizen | None:
        for _ in range(6):
            if not self.in_housing:
                return None
            citizen = self.in_housing[self.rng.randrange(len(self.in_housing))]
            if (citizen.profile in spec.profiles and self._age_fits(citizen, spec, start)
                    and self._free(citizen, DAYTIME, start) and self._housed_through(citizen, start)):
                return citizen
        return None

    @staticmethod
    def _age_fits(citizen, spec, day) -> bool:
        age = (day - citizen.birth).days / 365.25
        lo, hi = spec.age
        return age >= lo and (hi is None or age <= hi)

    @staticmethod
    def _free(citizen, track, day) -> bool:
        free = citizen.free.get(track, datetime.date.min)
        return free is not None and free <= day

    @staticmethod
    def _housed_through(citizen, day) -> bool:
        free = citizen.free.get(HOUSING, datetime.date.min)
        return free is None or free > day + datetime.timedelta(days=60)


def assign_citizens(rng: random.Random, stays: list, today: datetime.date) -> list:
    from roret.demo.catalogue import BUYING_MUNICIPALITIES

    pool = CitizenPool(rng, today)
    respite_pools: dict = {}
    for stay in stays:
        spec, track = stay.spec, track_of(stay.spec)
        citizen = None
        if stay.own and spec.sold_share and rng.random() < spec.sold_share:
            citizen = pool.new(spec, stay.start, foreign_code=rng.choice(BUYING_MUNICIPALITIES))
        elif track == RESPITE:
            # Respite is used again and again by the same families: draw from the offer's users.
            members = respite_pools.setdefault(spec.key, [])
            full = len(members) >= 4 * _scaled(spec.places, 1)
            for _ in range(8 if members and (full or rng.random() < 0.8) else 0):
                candidate = members[rng.randrange(len(members))]
                if (CitizenPool._free(candidate, RESPITE, stay.start)
                        and CitizenPool._age_fits(candidate, spec, stay.start)):
                    citizen = candidate
                    break
            if citizen is None:
                citizen = pool.new(spec, stay.start)
                members.append(citizen)
        else:
            if rng.random() < CHAIN_PROBABILITY[track]:
                citizen = pool.chained(spec, track, stay.start)
            if citizen is None and track == DAYTIME and rng.random() < 0.7:
                citizen = pool.with_housing(spec, stay.start)
            if citizen is None:
                citizen = pool.new(spec, stay.start)
        end = stay.end
        # Nobody in the demo lives past 95: a stay that would runs until the citizen dies.
        last_day = citizen.birth + datetime.timedelta(days=int(95 * 365.25))
        if (end or today) > last_day:
            end = max(stay.start + DAY, min(last_day, today - DAY))
            stay.end_reason = "died"
        stay.end = end
        stay.citizen = citizen
        if spec.unit == "hour":
            stay.hours = rng.randint(*spec.hours)
        if not stay.own and spec.agreed_spread != (1.0, 1.0) and rng.random() < 0.45:
            stay.agreed_factor = round(rng.uniform(*spec.agreed_spread), 2)
        citizen.stays.append(stay)
        pool.release(citizen, track, end)
        if track == HOUSING and spec.legal_basis in {"SEL107", "SEL108", "ABL105"} and not citizen.foreign_code:
            pool.in_housing.append(citizen)
    return pool.citizens


END_REASONS = [("goal_achieved", 0.4), ("citizen_wish", 0.15), ("moved_municipality", 0.15),
               ("hospital", 0.05), ("other", 0.1)]


def choose_end_reasons(rng: random.Random, citizens: list) -> None:
    for citizen in citizens:
        by_track: dict = {}
        for stay in citizen.stays:
            by_track.setdefault(track_of(stay.spec), []).append(stay)
        for track_stays in by_track.values():
            track_stays.sort(key=lambda s: s.start)
            starts = [s.start for s in track_stays]
            for stay in track_stays:
                if stay.end is None or stay.end_reason:
                    continue
                i = bisect.bisect_left(starts, stay.end)
                if i < len(starts) and (starts[i] - stay.end).days <= CHAIN_WINDOW:
                    stay.end_reason = "moved_offer"
                    continue
                age = (stay.end - citizen.birth).days / 365.25
                options = list(END_REASONS)
                if age >= 65:
                    options += [("elderly_care", 0.25), ("died", 0.1)]
                elif age >= 50:
                    options += [("died", 0.03)]
                reasons, weights = zip(*options, strict=True)
                stay.end_reason = rng.choices(reasons, weights)[0]


# Why own citizens are in external offers. Lack of a free own place is the most common reason,
# then a specialised need the department does not run an offer for, then the citizen's free
# choice (SEL §108 stk. 2) and closeness to their network. Placements that began long ago were
# often recorded without a reason, so "not recorded" is more common in old history.
EXTERNAL_REASONS = ("no_vacancy", "specialised", "free_choice", "network", "unknown")
EXTERNAL_WEIGHTS_RECENT = (0.48, 0.31, 0.13, 0.06, 0.02)
EXTERNAL_WEIGHTS_OLD = (0.38, 0.27, 0.11, 0.04, 0.20)
OLD_HISTORY_YEARS = 8


def choose_external_reasons(seed: int, stays: list, today: datetime.date) -> None:
    """Give every external stay a reason, from a generator of its own (so adding reasons drew
    nothing from the plan's generator and left every other figure of the demo as it was)."""
    rng = random.Random(f"external-reasons-{seed}")
    old = datetime.date(today.year - OLD_HISTORY_YEARS, today.month, 1)
    for stay in stays:
        if not stay.own:
            weights = EXTERNAL_WEIGHTS_OLD if stay.start < old else EXTERNAL_WEIGHTS_RECENT
            stay.external_reason = rng.choices(EXTERNAL_REASONS, weights)[0]


def make_plan(seed: int, n_citizens: int, today: datetime.date) -> Plan:
    rng = random.Random(seed)
    scale = n_citizens / 1200
    history_start = datetime.date(today.year - 10, 1, 1)
    stays, places = plan_stays(rng, scale, today, history_start)
    citizens = assign_citizens(rng, stays, today)
    choose_end_reasons(rng, citizens)
    plan = Plan(today, history_start, scale, places, stays, citizens)
    _plan_waiting_list(rng, plan)
    choose_external_reasons(seed, stays, today)
    return plan


def _plan_waiting_list(rng: random.Random, plan: Plan) -> None:
    """Grants waiting for an own offer: citizens placed externally who wish to come home, and new ones."""
    wanted = [s for s in OWN_OFFERS if s.legal_basis in {"SEL107", "SEL108", "ABL105", "SEL104", "SEL103"}]
    n_wait = max(3, round(30 * plan.scale))
    external_now = [s for s in plan.stays if not s.own and s.end is None and track_of(s.spec) == HOUSING]
    for i in range(n_wait):
        spec = rng.choice(wanted)
        start = plan.today - datetime.timedelta(days=rng.randint(5, 240))
        if external_now and i % 2 == 0:
            stay = rng.choice(external_now)
            if CitizenPool._age_fits(stay.citizen, spec, plan.today):
                plan.waiting.append((stay.citizen, spec, start))
                continue
        pool = CitizenPool(rng, plan.today)
        pool.citizens = plan.citizens
        citizen = pool.new(spec, start)
        plan.waiting.append((citizen, spec, start))
