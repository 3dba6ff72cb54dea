"""Writes the demo municipality into the database from a plan (roret.demo.stays), in one
transaction, with bulk inserts. Demo data is marked: the department and every citizen carry
is_demo, names are fictitious and every CPR number has the serial digits 99xx (DDMMYY-99xx)."""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction

from roret.citizens import cpr as cprlib
from roret.citizens.models import Citizen, Consent, Relative, normalise_name
from roret.core.models import AuditEntry, Centre, Department, Role, Team, Term, Unit, User
from roret.demo import names
from roret.demo.balance import build_balance
from roret.demo.capacity import build_capacity
from roret.demo.caseflow import build_caseflow
from roret.demo.catalogue import (
    CENTRES,
    EXTERNAL_OFFERS,
    EXTERNAL_PROVIDERS,
    OWN_OFFERS,
    PRICE_INDEX,
    PROFILES,
)
from roret.demo.economy import build_economy
from roret.demo.helm import build_helm
from roret.demo.journal import build_journal
from roret.demo.meetings import build_meetings
from roret.demo.network import build_network
from roret.demo.plans import build_plans
from roret.demo.stays import Plan, make_plan
from roret.offers.models import DEFAULT_STEP, Offer, PlaceChange, Provider, Tariff
from roret.placements.models import Grant, Placement, PlacementTariff

DEMO_PASSWORD = "demo"
#: The demo administrator's authenticator secret (base32, as an app takes it), printed by `make run`
#: and in the README, so a tester computes codes with `oathtool --totp -b` or adds it to an app.
#: A demo database only: a real administrator sets up their own device at first login.
DEMO_ADMIN_TOTP_SECRET = "RORETDEMOADMINSECRETKEY234567ABC"
BATCH = 2000
TEAMS = {"young": "Team Unge (18-30 år)", "psychiatry": "Team Psykiatri", "disability": "Team Handicap"}
DEMO_USERS = [
    ("caseworker", "Karin", "Sagsbehandler", Role.CASEWORKER, "psychiatry", None),
    ("centre_staff", "Carsten", "Medarbejder", Role.CENTRE_STAFF, None, "psyk"),
    ("centre_leader", "Lone", "Centerleder", Role.CENTRE_LEADER, None, "psyk"),
    ("economist", "Erik", "Økonom", Role.ECONOMIST, None, None),
    ("committee", "Kamma", "Udvalgsmedlem", Role.COMMITTEE, None, None),
    ("admin", "Anders", "Administrator", Role.ADMIN, None, None),
    ("leader", "Lise", "Afdelingsleder", Role.LEADER, None, None),
]


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _valid_cvr(rng: random.Random) -> str:
    weights = (2, 7, 6, 5, 4, 3, 2, 1)
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        if sum(d * w for d, w in zip(digits, weights, strict=True)) % 11 == 0:
            return "".join(map(str, digits))


class DemoBuilder:
    def __init__(self, seed: int, n_citizens: int, today: datetime.date, progress=None):
        self.seed, self.n_citizens, self.today = seed, n_citizens, today
        self.rng = random.Random(seed + 1)
        self.progress = progress or (lambda label, done, total: None)
        self.terms = {t.display: t for t in Term.objects.filter(group__in=["offer_type", "target_group"])}

    def build(self) -> dict:
        plan = make_plan(self.seed, self.n_citizens, self.today)
        with transaction.atomic():
            self._organisation()
            self._offers(plan)
            self._users()
            self._citizens(plan)
            self._placements(plan)
            build_caseflow(self, plan)
            build_network(self.today, self.seed)
            build_journal(self)
            build_meetings(self)
            build_helm(self)
            # Before the economy: the realised events it makes are costed with the rest.
            plans = build_plans(self)
            build_economy(self)
            build_capacity(self)
            build_balance(self.seed, self.today)
        return {
            "citizens": len(plan.citizens), "placements": len(plan.stays), "waiting": len(plan.waiting),
            "active": sum(1 for s in plan.stays if s.end is None),
            "development_plans": plans["plans"], "realised_events": plans["events"], "lights": plans["lights"],
        }

    def _organisation(self):
        self.department = Department.objects.create(
            name=f"Handicap og Psykiatri, {settings.RORET['MUNICIPALITY_NAME']}",
            municipality_code=settings.RORET["MUNICIPALITY_CODE"],
            municipality_name=settings.RORET["MUNICIPALITY_NAME"], is_demo=True)
        self.centres, self.units = {}, {}
        for key, (name, unit_names) in CENTRES.items():
            centre = Centre.objects.create(department=self.department, name=name)
            self.centres[key] = centre
            for unit_name in unit_names:
                self.units[(key, unit_name)] = Unit.objects.create(centre=centre, name=unit_name)
        self.teams = {key: Team.objects.create(department=self.department, name=name) for key, name in TEAMS.items()}

    def _offers(self, plan: Plan):
        self.offers = {}
        providers = {}
        for key, centre in self.centres.items():
            providers[key] = Provider.objects.create(kind="own", name=centre.name, centre=centre)
        for name, kind, code, cvr in EXTERNAL_PROVIDERS:
            providers[name] = Provider.objects.create(
                kind=kind, name=name, municipality_code=code, cvr=_valid_cvr(self.rng) if cvr == "private" else cvr)
        for spec in OWN_OFFERS + EXTERNAL_OFFERS:
            own = spec in OWN_OFFERS
            offer = Offer.objects.create(
                provider=providers[spec.centre if own else spec.provider],
                unit=self.units.get((spec.centre, spec.unit_name)) if own else None,
                name=spec.name, legal_basis=spec.legal_basis, offer_type=self.terms[spec.offer_type],
                age_min=spec.age[0], age_max=spec.age[1], staircase_step=DEFAULT_STEP[spec.legal_basis],
                requires_visitation=spec.requires_visitation, account_function=spec.account_function,
                strategic_vacancy=spec.strategic_vacancy,
                description="Demo-tilbud (fiktivt).")
            offer.target_groups.set([self.terms[n] for p in spec.profiles for n in PROFILES[p][1]])
            self.offers[spec.key] = offer
            if own:
                PlaceChange.objects.bulk_create([
                    PlaceChange(offer=offer, valid_from=day, change=change, reason=reason)
                    for day, change, reason in plan.places[spec.key]])
            Tariff.objects.bulk_create(self._tariff_rows(offer, spec.tariff, spec.unit, plan))

    def _tariff_rows(self, offer, today_amount: float, unit: str, plan: Plan):
        """Yearly indexed tariffs for the window, and one row for everything before it."""
        first_year = plan.history_start.year
        rows = [Tariff(offer=offer, valid_from=datetime.date(first_year - 40, 1, 1), unit=unit,
                       amount=_money(today_amount / (1 + PRICE_INDEX) ** (self.today.year - first_year + 1)),
                       note="Takst før demo-perioden")]
        for year in range(first_year, self.today.year + 1):
            rows.append(Tariff(offer=offer, valid_from=datetime.date(year, 1, 1), unit=unit,
                               amount=_money(today_amount / (1 + PRICE_INDEX) ** (self.today.year - year)),
                               note=f"Takst {year}"))
        return rows

    def _users(self):
        for username, first, last, role, team, centre in DEMO_USERS:
            user = User(username=username, first_name=first, last_name=last, role=role,
                        team=self.teams[team] if team else None, centre=self.centres[centre] if centre else None,
                        is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN,
                        email=f"{username}@demo.invalid")
            user.set_password(DEMO_PASSWORD)
            user.save()
            if role == Role.ADMIN:
                _demo_authenticator(user)

    def _team_for(self, citizen) -> Team:
        age = (self.today - citizen.birth).days / 365.25
        if age < 30:
            return self.teams["young"]
        return self.teams["psychiatry"] if citizen.profile in ("psychiatry", "social") else self.teams["disability"]

    def _cpr(self, birth: datetime.date, female: bool, used: set) -> str:
        for _ in range(200):
            last = self.rng.randrange(0, 10, 2) if female else self.rng.randrange(1, 10, 2)
            number = f"{birth:%d%m%y}99{self.rng.randint(0, 9)}{last}"
            if number not in used:
                used.add(number)
                return number
        raise RuntimeError(f"no free demo CPR number for {birth}")

    def _citizens(self, plan: Plan):
        rng, used = self.rng, set()
        rows, target_rows = [], []
        all_citizens = plan.citizens
        total = len(all_citizens)
        for i, planned in enumerate(all_citizens):
            number = self._cpr(planned.birth, planned.female, used)
            first = rng.choice(names.FIRST_NAMES_F if planned.female else names.FIRST_NAMES_M)
            last = rng.choice(names.LAST_NAMES)
            citizen = Citizen(
                cpr_encrypted=cprlib.encrypt(number), cpr_hash=cprlib.lookup_hash(number),
                birth_date=cprlib.birth_date(number), first_name=first, last_name=last,
                name_search=normalise_name(f"{first} {last}"), last_name_search=normalise_name(last),
                address=f"{rng.choice(names.STREETS)} {rng.randint(1, 120)}", postcode=names.POSTCODE,
                city=names.CITY, district=rng.choice(names.DISTRICTS),
                team=None if planned.foreign_code else self._team_for(planned), is_demo=True)
            rows.append(citizen)
            if (i + 1) % 5000 == 0:
                self.progress("Borgere", i + 1, total)
        created = Citizen.objects.bulk_create(rows, batch_size=BATCH)
        self.progress("Borgere", total, total)
        self.citizen_rows = created
        TargetGroups = Citizen.target_groups.through
        relatives, consents, audits = [], [], []
        now_label = "Demo-kommunen genereret"
        for planned, citizen in zip(all_citizens, created, strict=True):
            for display in rng.sample(PROFILES[planned.profile][1], k=min(2, len(PROFILES[planned.profile][1]))):
                target_rows.append(TargetGroups(citizen_id=citizen.pk, term_id=self.terms[display].pk))
            if planned.foreign_code:
                continue
            first_start = min((s.start for s in planned.stays), default=self.today)
            for _ in range(rng.choice((0, 1, 1, 2, 3))):
                relatives.append(Relative(
                    citizen_id=citizen.pk, name=f"{rng.choice(names.RELATIVE_NAMES)} {citizen.last_name}",
                    relation=rng.choice(["parent", "sibling", "child", "partner", "friend", "guardian"]),
                    phone=f"99 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    is_network_person=rng.random() < 0.5))
            consents.append(Consent(citizen_id=citizen.pk, subject="share_providers", given_on=first_start,
                                    given_by="Borgeren", description="Samtykke til at dele oplysninger med tilbuddet"))
            if rng.random() < 0.4:
                given = self.today - datetime.timedelta(days=rng.randint(30, 900))
                consents.append(Consent(citizen_id=citizen.pk, subject="share_health", given_on=given,
                                        given_by="Borgeren", expires_on=given + datetime.timedelta(days=730)))
            audits.append(AuditEntry(actor_name="system", action="create", citizen_id=citizen.pk,
                                     object_type="citizens.citizen", object_id=str(citizen.pk),
                                     summary=f"{now_label}: borger {citizen.cpr_masked}", channel="cli"))
        TargetGroups.objects.bulk_create(target_rows, batch_size=BATCH)
        Relative.objects.bulk_create(relatives, batch_size=BATCH)
        Consent.objects.bulk_create(consents, batch_size=BATCH)
        AuditEntry.objects.bulk_create(audits, batch_size=BATCH)

    def _placements(self, plan: Plan):
        own_code = settings.RORET["MUNICIPALITY_CODE"]
        by_index = {p.index: c for p, c in zip(plan.citizens, self.citizen_rows, strict=True)}
        grants, placements = [], []
        for stay in plan.stays:
            citizen = by_index[stay.citizen.index]
            offer = self.offers[stay.spec.key]
            review = None
            if stay.end is None:
                review = datetime.date(self.today.year, stay.start.month, min(stay.start.day, 28))
                if review <= self.today:
                    review = review.replace(year=self.today.year + 1)
            grants.append(Grant(
                citizen_id=citizen.pk, paragraph=offer.legal_basis, offer_type_id=offer.offer_type_id,
                scope=f"{stay.hours} timer om ugen" if stay.hours else "", hours_per_week=stay.hours,
                start=stay.start, end=stay.end, review_on=review, team_id=citizen.team_id))
        grants = Grant.objects.bulk_create(grants, batch_size=BATCH)
        self.progress("Bevillinger", len(grants), len(grants))
        for stay, grant in zip(plan.stays, grants, strict=True):
            citizen = by_index[stay.citizen.index]
            paying = stay.citizen.foreign_code or own_code
            placements.append(Placement(
                grant_id=grant.pk, citizen_id=citizen.pk, offer_id=self.offers[stay.spec.key].pk,
                start=stay.start, end=stay.end, is_residential=self.offers[stay.spec.key].is_residential,
                acting_municipality=paying, paying_municipality=paying,
                end_reason=stay.end_reason if stay.end else "",
                is_external=not stay.own, external_reason=stay.external_reason))
        placements = Placement.objects.bulk_create(placements, batch_size=BATCH)
        self.progress("Placeringer", len(placements), len(placements))
        agreed = []
        for stay, placement in zip(plan.stays, placements, strict=True):
            if stay.agreed_factor != 1.0 or stay.hours:
                agreed.extend(self._agreed_rows(stay, placement, plan))
        PlacementTariff.objects.bulk_create(agreed, batch_size=BATCH)
        # The waiting list: grants without a placement, wishing an own offer.
        waiting = []
        for planned, spec, start in plan.waiting:
            citizen = by_index[planned.index]
            offer = self.offers[spec.key]
            waiting.append(Grant(citizen_id=citizen.pk, paragraph=offer.legal_basis, offer_type_id=offer.offer_type_id,
                                 scope="Venter på plads", start=start, review_on=start + datetime.timedelta(days=180),
                                 preferred_offer=offer, team_id=citizen.team_id))
        Grant.objects.bulk_create(waiting, batch_size=BATCH)

    def _agreed_rows(self, stay, placement, plan: Plan):
        """Individually agreed tariffs: the standard tariff times the agreed factor, indexed yearly."""
        spec = stay.spec
        rows = []
        first = max(stay.start, plan.history_start)
        for year in range(first.year, (stay.end or self.today).year + 1):
            valid_from = stay.start if year == first.year else datetime.date(year, 1, 1)
            amount = spec.tariff * stay.agreed_factor / (1 + PRICE_INDEX) ** (self.today.year - year)
            rows.append(PlacementTariff(placement_id=placement.pk, valid_from=valid_from, amount=_money(amount),
                                        unit=spec.unit, hours_per_week=stay.hours,
                                        note="Individuelt aftalt takst" if stay.agreed_factor != 1.0 else ""))
        return rows


def build_demo(seed: int, n_citizens: int = 1200, today: datetime.date | None = None, progress=None) -> dict:
    return DemoBuilder(seed, n_citizens, today or datetime.date.today(), progress).build()


def _demo_authenticator(user: User) -> None:
    """The demo administrator's confirmed TOTP device with the documented secret."""
    import base64

    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="demo", confirmed=True,
                              key=base64.b32decode(DEMO_ADMIN_TOTP_SECRET).hex())
