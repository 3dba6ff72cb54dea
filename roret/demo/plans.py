"""The demo municipality's development plans: the 2020-2024 catalogue (from the status report's
fixture), a 2025-2029 plan of its own making, rules linking initiatives to kinds of case event,
realised events made through the case-flow services (renegotiations, alternative solutions, moves
to elderly care, placements brought home), investments spent, a manual effect and traffic lights
for past half-years. Deterministic per seed; its own random stream, so the rest of the demo is
drawn as before."""

from __future__ import annotations

import datetime
import json
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roret.core.models import Role, User
from roret.outcomes.services import renegotiate_tariff
from roret.placements import services as placement_services
from roret.placements.models import EndReason, ExternalReason, Placement
from roret.placements.services import occupancy_conflicts
from roret.plans import effect_services
from roret.plans.effects import events_in_year, realised_for_plan
from roret.plans.lights import half_last_day, propose_for, set_light
from roret.plans.loading import parse_json
from roret.plans.models import EffectKind, EstimateKind, LinkedAction, Plan
from roret.plans.services import adopt_plan, load_plan
from roret.visitation.services import move_to_elderly_care

CATALOGUE_2020 = Path(__file__).resolve().parents[1] / "plans" / "fixtures" / "plan-2020-status.json"
COMMITTEE = "Social- og Sundhedsudvalget"

# The 2025-2029 plan (1000 kr., savings negative): five tracks after the development plan's, with
# investments and expected effects of the demo's own making, and one plan-level row.
PLAN_2025 = {
    "title": "Udviklingsplan for Handicap og Psykiatri 2025-2029 (demo)",
    "unit": "1000 kr",
    "years": [2025, 2026, 2027, 2028, 2029],
    "description": "Fem strategiske spor: prioritering og styring, forebyggende indsatser og fleksibilitet, "
                   "kerneopgave og tiltrækning af medarbejdere, virksomme metoder med økonomisk effekt, "
                   "recovery og livskvalitet. Fiktive beløb.",
    "rows": [
        {"track": "1", "track_name": "Prioritering og styring", "initiative": "Kapacitetsplan og hjemtagning",
         "effect": [-300, -600, -900, -1100, -1200]},
        {"track": "1", "track_name": "Prioritering og styring", "initiative": "Behov – indsats – takst",
         "effect": [-400, -700, -800, -800, -800]},
        {"track": "2", "track_name": "Forebyggende indsatser og fleksibilitet", "initiative": "En Indgang",
         "investment": [500, 500, 500, 500, 500], "effect": [-200, -400, -500, -500, -500]},
        {"track": "2", "track_name": "Forebyggende indsatser og fleksibilitet", "initiative": "Peers",
         "investment": [1000, 1000, 1000, 1000, 1000], "effect": [-100, -300, -400, -400, -400]},
        {"track": "3", "track_name": "Kerneopgave og tiltrækning af kvalificerede medarbejdere",
         "initiative": "Studiemiljøer og kompetenceudvikling", "investment": [300, 300, 300, 300, 300]},
        {"track": "4", "track_name": "Virksomme metoder med økonomisk effekt", "initiative": "Puls",
         "investment": [500, 500, 500, 500, 500], "effect": [-300, -500, -600, -700, -700]},
        {"track": "5", "track_name": "Recovery, udvikling og livskvalitet for borgerne",
         "initiative": "Livsfaser: overgang til ældreområdet", "effect": [-1000, -1500, -1500, -1500, -1500]},
        {"track": None, "initiative": "Fortsat effekt af udviklingsplan 2020-2024",
         "effect": [-500, -500, -500, -500, -500]},
    ],
}

RULES_2020 = {  # track -> the kinds of event that realise its initiative
    "1": [EffectKind.BROUGHT_HOME], "2": [EffectKind.ALTERNATIVE, EffectKind.STEP_DOWN],
    "3": [EffectKind.RENEGOTIATION], "4b": [EffectKind.ELDERLY_CARE],
}
RULES_2025 = {
    "Kapacitetsplan og hjemtagning": [EffectKind.BROUGHT_HOME], "Behov – indsats – takst": [EffectKind.RENEGOTIATION],
    "En Indgang": [EffectKind.STEP_DOWN], "Puls": [EffectKind.ALTERNATIVE],
    "Livsfaser: overgang til ældreområdet": [EffectKind.ELDERLY_CARE],
}


def _parsed(document: dict):
    parsed = parse_json(json.dumps(document, ensure_ascii=False).encode())
    if not parsed.ok:
        raise ValueError(f"demo plan does not parse: {parsed.problems}")
    return parsed


def build_plans(builder) -> dict:
    """Plans, rules, events, entries and lights for the demo built by ``builder`` (a DemoBuilder)."""
    rng = random.Random(builder.seed + 10)
    today = builder.today
    catalogue = load_plan(parse_json(CATALOGUE_2020.read_bytes()), actor=None, source="plan-2020-status.json",
                          channel="demo")
    adopt_plan(catalogue, adopted_by=COMMITTEE, adopted_on=datetime.date(2020, 2, 17), actor=None, channel="demo")
    for init in catalogue.initiatives.select_related("track"):
        for kind in RULES_2020.get(init.track.number, ()):
            effect_services.add_rule(init, kind, actor=None, channel="demo")
    out = {"plans": 1, "events": 0, "lights": 0}
    if today < datetime.date(2025, 2, 1):
        out["lights"] += _lights(catalogue, today, rng, last_years=2)
        return out
    plan = load_plan(_parsed(PLAN_2025), actor=None, source="demo", channel="demo")
    adopt_plan(plan, adopted_by=COMMITTEE, adopted_on=datetime.date(2024, 12, 10), actor=None, channel="demo")
    out["plans"] = 2
    leader = User.objects.filter(role=Role.CENTRE_LEADER, centre__isnull=False).order_by("pk").first()
    economist = User.objects.filter(role=Role.ECONOMIST).order_by("pk").first()
    initiatives = {i.title: i for i in plan.initiatives.all()}
    for title, kinds in RULES_2025.items():
        for kind in kinds:
            effect_services.add_rule(initiatives[title], kind, actor=None, channel="demo")
    for title, init in initiatives.items():
        # The economist answers for most; the centre leader for the initiatives run in their centre.
        if leader is not None and title in ("Kapacitetsplan og hjemtagning", "Peers"):
            init.responsible, init.responsible_centre = leader, leader.centre
        else:
            init.responsible = economist
        init.save(update_fields=["responsible", "responsible_centre"])
    caseworkers = {u.team_id: u for u in User.objects.filter(role=Role.CASEWORKER, team__isnull=False).order_by("pk")}
    events = _Events(rng, caseworkers, today)
    for year in range(2025, today.year + 1):
        events.year(year, initiatives)
    out["events"] = events.made
    _entries(plan, initiatives, today, rng)
    # The catalogue's last two years only: the demo's build stays quick, and its status reports are history.
    out["lights"] = _lights(catalogue, today, rng, last_years=2) + _lights(plan, today, rng)
    return out


class _Events:
    """Realised events in the demo history, each made through the case-flow service a caseworker uses."""

    def __init__(self, rng: random.Random, caseworkers: dict, today: datetime.date):
        self.rng, self.caseworkers, self.today, self.made = rng, caseworkers, today, 0

    def _day(self, year: int, first_month: int, last_month: int) -> datetime.date | None:
        last = min(datetime.date(year, last_month, 28), self.today - datetime.timedelta(days=1))
        first = datetime.date(year, first_month, 1)
        if last <= first:
            return None
        return first + datetime.timedelta(days=self.rng.randrange((last - first).days))

    def _running(self, day: datetime.date, *, external: bool, since_days: int = 60, without_tariff_on=None):
        """Placements running on ``day`` (begun at least ``since_days`` before, no end), of a citizen with a caseworker."""
        placements = Placement.objects.filter(is_external=external, start__lt=day - datetime.timedelta(days=since_days),
                                              end__isnull=True, citizen__team_id__in=list(self.caseworkers))
        if without_tariff_on is not None:
            placements = placements.exclude(tariffs__valid_from=without_tariff_on)
        return list(placements.select_related("offer__provider", "citizen", "grant").order_by("pk"))

    def _actor(self, placement):
        return self.caseworkers[placement.citizen.team_id]

    def year(self, year: int, initiatives: dict) -> None:
        self._renegotiations(year, initiatives)
        self._alternative(year, initiatives)
        self._brought_home(year)
        self._elderly(year)

    def _renegotiations(self, year, initiatives):
        for _ in range(2):
            day = self._day(year, 2, 11)
            candidates = self._running(day, external=True, without_tariff_on=day) if day else []
            if not candidates:
                return
            placement = self.rng.choice(candidates)
            amount, _unit, _hours = _tariff(placement, day)
            if amount is None or amount <= 0:
                continue
            new = (amount * Decimal(self.rng.choice(["0.88", "0.9", "0.93"]))).quantize(Decimal(1), ROUND_HALF_UP)
            reneg = renegotiate_tariff(placement, actor=self._actor(placement), new_amount=new, valid_from=day,
                                       note="Behov – indsats – takst: nedsat støttebehov", channel="demo")
            effect_services.link_event(initiatives["Behov – indsats – takst"], actor=self._actor(placement),
                                       renegotiation=reneg, channel="demo")
            self.made += 1

    def _alternative(self, year, initiatives):
        """An external placement replaced by a cheaper external offer under the same paragraph, days later."""
        day = self._day(year, 3, 10)
        if day is None:
            return
        running = self._running(day, external=True)
        for placement in self.rng.sample(running, k=min(40, len(running))):
            amount, unit, _h = _tariff(placement, day)
            if amount is None:
                continue
            cheaper = [o for o in _external_offers(placement.offer.legal_basis, placement.offer.staircase_step)
                       if o.pk != placement.offer_id and (t := o.tariff_on(day)) is not None and t.unit == unit
                       and t.amount < amount * Decimal("0.9")]
            if not cheaper:
                continue
            offer, start = self.rng.choice(cheaper), day + datetime.timedelta(days=self.rng.randrange(0, 8))
            actor = self._actor(placement)
            new = self._replace(placement, offer, day, start, actor, external_reason=ExternalReason.SPECIALISED)
            if new is None:
                continue
            effect_services.link_event(initiatives["Puls"], actor=actor, placement=new,
                                       action=LinkedAction.NEW_PLACEMENT, channel="demo")
            self.made += 1
            return

    def _replace(self, placement, offer, end, start, actor, **extra):
        """End ``placement`` on ``end`` and place the citizen in ``offer`` from ``start`` on the same
        grant, both or neither (a savepoint: a refused placement leaves the old one running)."""
        try:
            with transaction.atomic():
                placement_services.end_placement(placement, end, EndReason.MOVED_OFFER, actor=actor, channel="demo")
                return placement_services.start_placement(placement.grant, offer, start, actor=actor, channel="demo",
                                                          **extra)
        except ValidationError:
            return None

    def _brought_home(self, year):
        """An external residential placement brought home to an own offer under the same paragraph with room."""
        day = self._day(year, 2, 9)
        if day is None:
            return
        running = [p for p in self._running(day, external=True) if p.is_residential]
        with_room: dict[str, list] = {}  # legal basis -> own offers with a free place from ``day`` on
        for placement in self.rng.sample(running, k=min(60, len(running))):
            basis = placement.offer.legal_basis
            if basis not in with_room:
                with_room[basis] = [o for o in _own_offers(basis) if not occupancy_conflicts(o, day, None)]
            own = with_room[basis]
            if own and self._replace(placement, self.rng.choice(own), day, day, self._actor(placement)) is not None:
                self.made += 1
                return

    def _elderly(self, year):
        day = self._day(year, 1, 11)
        if day is None:
            return
        born_before = datetime.date(day.year - 66, day.month, 1)
        citizens = sorted({p.citizen for p in self._running(day, external=False)
                           + self._running(day, external=True) if p.citizen.birth_date < born_before},
                          key=lambda c: c.pk)
        if citizens:
            citizen = self.rng.choice(citizens)
            move_to_elderly_care(citizen, actor=self.caseworkers[citizen.team_id], on=day,
                                 note="Plejebolig", channel="demo")
            self.made += 1


def _tariff(placement, day):
    from roret.outcomes.services import current_tariff

    return current_tariff(placement, day)


def _external_offers(paragraph, step):
    from roret.offers.models import Offer

    return list(Offer.objects.filter(legal_basis=paragraph, staircase_step__lte=step, closed_on__isnull=True)
                .exclude(provider__kind="own").select_related("provider").order_by("pk"))


def _own_offers(paragraph):
    from roret.offers.models import Offer

    return list(Offer.objects.filter(legal_basis=paragraph, provider__kind="own", closed_on__isnull=True)
                .select_related("provider").order_by("pk"))


def _entries(plan: Plan, initiatives: dict, today: datetime.date, rng: random.Random) -> None:
    """Investments spent quarterly (about the expected amount) and one manual effect."""
    from roret.plans.table import current_estimates

    current = current_estimates(plan)
    for init in initiatives.values():
        row = init.row
        for year in range(plan.first_year, today.year + 1):
            estimate = current.get((row.pk, EstimateKind.INVESTMENT, year))
            if estimate is None or estimate.amount <= 0:
                continue
            for quarter in range(4):
                day = datetime.date(year, 3 * quarter + 2, 15)
                if day >= today:
                    break
                share = Decimal(rng.choice(["0.22", "0.25", "0.27"]))
                effect_services.record_investment(init, spent_on=day, amount=(estimate.amount * share).quantize(Decimal(1)),
                                                  note=f"Udgift {quarter + 1}. kvartal {year}", actor=None, channel="demo")
    if today.year >= 2025:
        effect_services.record_manual_effect(
            initiatives["Peers"], year=2025, amount=Decimal("-85000.00"), actor=None, channel="demo",
            reason="Peer-støtte erstattede bostøttetimer hos tre borgere uden ny afgørelse (opgjort af centret)")


def _lights(plan: Plan, today: datetime.date, rng: random.Random, *, last_years: int | None = None) -> int:
    """Lights for every past half-year of the plan (or of its ``last_years``): roret's proposal, and
    some overrides with a remark."""
    made = 0
    for year in plan.years[-last_years:] if last_years else plan.years:
        # The year's events read once; a half-year's are those of its days (an event's figures do
        # not depend on the day they are read, only whether it is made by then).
        events = events_in_year(year, today=min(today, datetime.date(year, 12, 31)))
        for n in (1, 2):
            half = f"{year}H{n}"
            last = half_last_day(half)
            if last >= today:
                return made
            figures = realised_for_plan(plan, year, today=last, events=[e for e in events if e.date <= last])
            set_at = timezone.make_aware(datetime.datetime.combine(last + datetime.timedelta(days=20),
                                                                   datetime.time(10, 0)))
            for init in plan.initiatives.order_by("position", "pk"):
                proposed = propose_for(figures[init.pk])
                colour, remark = proposed, ""
                if proposed == "red" and rng.random() < 0.3:
                    colour, remark = "yellow", "Flere sager er på vej; forventes indhentet i andet halvår."
                set_light(init, half, colour, actor=None, remark=remark, today=today, set_at=set_at,
                          figures=figures[init.pk], channel="demo")
                made += 1
    return made
