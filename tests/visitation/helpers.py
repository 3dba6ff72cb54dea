"""Walking the case flow with the real services, for the visitation and outcomes tests."""

import datetime
import itertools

from roret.core.models import Term
from roret.visitation import services, themes
from tests.factories import make_cpr

TODAY = datetime.date.today()


_young_serial = itertools.count(1)


def cpr_for(birth: datetime.date) -> str:
    """A CPR number whose century digit places ``birth`` right (4xxx: born 2000-2036)."""
    if birth.year < 2000:
        return make_cpr(birth)
    return f"{birth:%d%m%y}4{next(_young_serial) % 1000:03d}"


def term(display: str, group: str | None = None) -> Term:
    qs = Term.objects.filter(display=display)
    return (qs.filter(group=group) if group else qs).get()


def theme_id(display: str) -> int:
    return term(display, "theme").pk


def inquiry(world, *, birth=datetime.date(1990, 3, 4), source="hospital", paragraph="SEL108",
            received_on=None, **extra):
    return services.register_inquiry(
        actor=world.users["caseworker"], source=source, received_on=received_on or TODAY - datetime.timedelta(days=20),
        about="Udskrives fra psykiatrisk afdeling, kan ikke bo alene", paragraph=paragraph,
        cpr=cpr_for(birth), first_name="Sofie", last_name="Flow", **extra)


def assessment(world, citizen, *, inquiry=None, need="Højt støttebehov", levels=None, **extra):
    levels = levels if levels is not None else {
        theme_id("Praktiske opgaver"): 3, theme_id("Egenomsorg"): 2, theme_id("Relationer"): 3,
        theme_id("Samfundsliv"): None}
    return services.assess(citizen, actor=world.users["caseworker"], inquiry=inquiry, support_need=term(need),
                           hopes="Jeg vil gerne have mit eget sted og se min søster", levels=levels,
                           notes={theme_id("Mentale funktioner"): "Hører stemmer om aftenen"}, **extra)


def screened_in(world, **extra):
    inq = inquiry(world, **extra)
    services.screen(inq, actor=world.users["caseworker"], outcome="in", reason="Psykisk funktionsnedsættelse")
    return inq


def granted(world, citizen=None, offer=None, start=None, **extra):
    """A citizen through inquiry, screening, assessment and a grant of ``offer``."""
    inq = screened_in(world)
    citizen = inq.citizen
    ass = assessment(world, citizen, inquiry=inq)
    offer = offer or world.residential
    return services.decide(citizen, actor=world.users["caseworker"], kind="grant", paragraph=offer.legal_basis,
                           justification="Borgeren har brug for støtte hele døgnet.", assessment=ass, offer=offer,
                           start=start or TODAY - datetime.timedelta(days=10),
                           intrusive_reason=extra.pop("intrusive_reason", "Mindre indgribende er prøvet"), **extra)


__all__ = ["themes"]
