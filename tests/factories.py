"""Test data made with the real services, so tests walk the same path a user does."""

import datetime
import itertools
from decimal import Decimal

from roret.citizens import services as citizen_services
from roret.core.models import Centre, Department, Role, Team, Term, User
from roret.offers.models import DEFAULT_STEP, Offer, PlaceChange, Provider, Tariff
from roret.placements import services as placement_services
from roret.placements.models import ExternalReason

_serial = itertools.count(1)


def committed():
    """Run what a service leaves for after its commit (the cost refresh) at the end of the block,
    as a real commit would: the test's own transaction never commits."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
PASSWORD = "test-password-123"


def term(display: str) -> Term:
    return Term.objects.get(display=display)


def make_cpr(birth: datetime.date = datetime.date(1980, 5, 17), check_digit: bool = False) -> str:
    """A fresh CPR number for ``birth``; with ``check_digit`` one that satisfies modulus 11.

    The seventh digit carries the century (0-3: 1900s; 4 with a year up to 36: 2000s), so the
    number's birth date is ``birth`` itself.
    """
    base = f"{birth:%d%m%y}"
    centuries = "0123" if birth.year < 2000 else "4"
    while True:
        n = next(_serial)
        century = centuries[(n // 100) % len(centuries)]
        for last in range(10):
            number = f"{base}{century}{n % 100:02d}{last}"
            total = sum(int(d) * w for d, w in zip(number, (4, 3, 2, 7, 6, 5, 4, 3, 2, 1), strict=True))
            if (total % 11 == 0) == check_digit:
                return number


class World:
    """A small municipality: two teams, two centres, an own and an external offer, personas."""

    def __init__(self):
        self.department = Department.objects.create(name="H&P Testkommune", municipality_code="999",
                                                    municipality_name="Testkommune")
        self.team = Team.objects.create(department=self.department, name="Team Nord")
        self.other_team = Team.objects.create(department=self.department, name="Team Syd")
        self.centre = Centre.objects.create(department=self.department, name="Center A")
        self.other_centre = Centre.objects.create(department=self.department, name="Center B")
        self.own_provider = Provider.objects.create(kind="own", name="Center A", centre=self.centre)
        self.other_provider = Provider.objects.create(kind="own", name="Center B", centre=self.other_centre)
        self.external_provider = Provider.objects.create(kind="municipality", name="Nabokommune",
                                                         municipality_code="991")
        self.users = {
            "caseworker": self.user("caseworker", Role.CASEWORKER, team=self.team),
            "centre_staff": self.user("centre_staff", Role.CENTRE_STAFF, centre=self.centre),
            "centre_leader": self.user("centre_leader", Role.CENTRE_LEADER, centre=self.centre),
            "economist": self.user("economist", Role.ECONOMIST),
            "committee": self.user("committee", Role.COMMITTEE),
            "admin": self.user("admin", Role.ADMIN, is_staff=True, is_superuser=True),
            "outsider": self.user("outsider", Role.CASEWORKER, team=self.other_team),
            "leader": self.user("leader", Role.LEADER),
            # A citizen's own account (roret.helm), tied to no citizen until a test links it
            # (tests/helm: helpers.link): until then its scope is nothing.
            "citizen": self.user("citizen", Role.CITIZEN),
        }
        self.residential = self.offer("Bostedet", "SEL108", places=2, tariff="2250.00")
        self.day_offer = self.offer("Aktivitetshuset", "SEL104", places=10, tariff="600.00",
                                    offer_type="Aktivitets- og samværstilbud")
        self.external = self.offer("Eksternt bosted", "SEL107", places=0, tariff="3100.00",
                                   provider=self.external_provider, offer_type="Midlertidigt botilbud til voksne")

    def user(self, username, role, **extra) -> User:
        user = User(username=username, role=role, first_name=username.title(), **extra)
        user.set_password(PASSWORD)
        user.save()
        return user

    def offer(self, name, basis, *, places, tariff, provider=None, offer_type="Almindeligt længerevarende botilbud til voksne",
              since=datetime.date(2015, 1, 1), unit="day") -> Offer:
        offer = Offer.objects.create(provider=provider or self.own_provider, name=name, legal_basis=basis,
                                     offer_type=term(offer_type), staircase_step=DEFAULT_STEP[basis],
                                     account_function="5.38.50")
        if places:
            PlaceChange.objects.create(offer=offer, valid_from=since, change=places, reason="Start")
        Tariff.objects.create(offer=offer, valid_from=since, amount=Decimal(tariff), unit=unit)
        return offer

    def caseworker_of(self, team) -> User:
        """The persona caseworker of ``team`` (Team Nord: caseworker, Team Syd: outsider)."""
        return self.users["outsider"] if team == self.other_team else self.users["caseworker"]

    def citizen(self, *, team=None, first_name="Test", last_name="Borger", birth=datetime.date(1980, 5, 17),
                cpr=None, actor=None):
        team = team or self.team
        return citizen_services.create_citizen(
            cpr=cpr or make_cpr(birth), first_name=first_name, last_name=last_name, team=team,
            address="Rorvej 1", postcode="9990", city="Demoby", actor=actor or self.caseworker_of(team))

    def grant(self, citizen, offer=None, start=datetime.date(2024, 1, 1), **extra):
        offer = offer or self.residential
        return placement_services.create_grant(citizen, paragraph=offer.legal_basis, offer_type=offer.offer_type,
                                               start=start, actor=self.caseworker_of(citizen.team), **extra)

    def place(self, citizen, offer=None, start=datetime.date(2024, 1, 1), end=None, **extra):
        """Grant and place ``citizen``, and run what follows the commit (the cost refresh)."""
        offer = offer or self.residential
        if offer.provider.kind != "own":
            extra.setdefault("external_reason", ExternalReason.NO_VACANCY)
        with committed():
            grant = self.grant(citizen, offer, start=start)
            return placement_services.start_placement(grant, offer, start, end=end,
                                                      actor=self.caseworker_of(citizen.team), **extra)
