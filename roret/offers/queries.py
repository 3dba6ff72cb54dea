"""Read models for the offer catalogue: places, occupancy, vacancy and waiting list on a day,
computed in the database (one query for the whole list)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Func, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from roret.offers.models import Offer, PlaceChange, ProviderKind, Tariff, TariffUnit
from roret.reports.toolkit.suppression import Grid, Line
from roret.reports.toolkit.suppression import suppress as protect


def catalogue(day: datetime.date):
    """All offers annotated with places, occupied, vacancy, waiting and the standard tariff on ``day``."""
    from roret.placements.models import Grant, Placement

    places = (PlaceChange.objects.filter(offer=OuterRef("pk"), valid_from__lte=day)
              .values("offer").annotate(total=Sum("change")).values("total"))
    occupied = _count(Placement.objects.filter(offer=OuterRef("pk")).active_on(day))
    # Another municipality's citizen: "before or after ours" is the same rows as "not ours" (the
    # column is never NULL), and SQLite counted it in half the time, with the same plan (every
    # offer at 100,000 citizens: 60-80 against 115-150 ms on a loaded machine).
    own = _own_code()
    sold = _count(Placement.objects.filter(offer=OuterRef("pk")).active_on(day)
                  .filter(Q(paying_municipality__lt=own) | Q(paying_municipality__gt=own)))
    waiting = _count(Grant.objects.waiting_on(day).filter(preferred_offer=OuterRef("pk")))
    # The standard tariff in force on ``day``: roret.economy.engine.tariff_on without agreed rows,
    # in SQL (the latest row from on or before the day; Tariff.objects leaves corrected rows out,
    # so there is one row per date). tests/economy/test_tariff_rule.py holds the two together.
    tariff = Tariff.objects.filter(offer=OuterRef("pk"), valid_from__lte=day).order_by("-valid_from")
    zero = Value(0, output_field=IntegerField())
    return (Offer.objects.select_related("provider", "provider__centre", "offer_type")
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
            .annotate(
                places=Coalesce(Subquery(places, output_field=IntegerField()), zero),
                occupied=Coalesce(Subquery(occupied, output_field=IntegerField()), zero),
                sold=Coalesce(Subquery(sold, output_field=IntegerField()), zero),
                waiting=Coalesce(Subquery(waiting, output_field=IntegerField()), zero),
                tariff_amount=Subquery(tariff.values("amount")[:1]),
                tariff_unit=Subquery(tariff.values("unit")[:1]),
            ))


def _count(queryset):
    """``SELECT COUNT(*)`` of a correlated ``queryset``, without the GROUP BY that
    ``.values().annotate(Count())`` writes: grouped, SQLite walks the offer's index from its
    first entry and cannot read the two ranges of "in force" (end IS NULL, end > day) apart."""
    return queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")


def _own_code() -> str:
    from django.conf import settings

    return settings.RORET["MUNICIPALITY_CODE"]


def with_vacancy(offers):
    """Adds vacancy and occupancy rate to each row.

    A purchased place is bought per citizen: an external offer without contracted places has
    no vacancy of ours, so its places, vacancy and rate are None (shown as "–"), not negative.
    """
    rows = []
    units = dict(TariffUnit.choices)
    for offer in offers:
        offer.tariff_unit_label = units.get(offer.tariff_unit, "")
        limited = offer.provider.kind == ProviderKind.OWN or offer.places
        offer.is_own_row = offer.provider.kind == ProviderKind.OWN
        offer.vacancy = offer.places - offer.occupied if limited else None
        offer.free_for_placement = max(0, offer.vacancy - offer.strategic_vacancy) if limited else None
        offer.occupancy_rate = (offer.occupied / offer.places) if limited and offer.places else None
        if not limited:
            offer.places = None
        rows.append(offer)
    return rows


def totals(rows) -> dict:
    """Sums for a list of rows from with_vacancy (places and vacancy only where there are places)."""
    return {
        "places": sum(o.places or 0 for o in rows), "occupied": sum(o.occupied for o in rows),
        "vacancy": sum(o.vacancy or 0 for o in rows), "waiting": sum(o.waiting for o in rows),
        "sold": sum(o.sold for o in rows), "strategic_vacancy": sum(o.strategic_vacancy for o in rows),
    }


# ------------------------------------------------------------------------ the committee's view

#: Figures of an offer that count citizens, and what is hidden with each: vacancy, the places
#: free for placement and the occupancy rate are the places less the occupied ones, so they
#: would give the occupied count away.
CITIZEN_FIELDS = ("occupied", "sold", "waiting")
HIDDEN_WITH = {"occupied": ("occupied", "vacancy", "free_for_placement", "occupancy_rate"),
               "sold": ("sold",), "waiting": ("waiting",)}


@dataclass
class Suppressed:
    """The catalogue as the committee sees it: each row carries ``hidden`` (field names), and
    ``totals`` says which line totals are hidden, as (line, field): lines "own", "external",
    "all" and "group:<capacity group key>"."""

    rows: list
    totals: set = field(default_factory=set)

    @property
    def any(self) -> bool:
        return bool(self.totals) or any(row.hidden for row in self.rows)

    def total_hidden(self, line: str, name: str) -> bool:
        return any((line, f) in self.totals for f, shown in HIDDEN_WITH.items() if name in shown)


def committee_catalogue(day: datetime.date, *, suppress: bool = True) -> Suppressed:
    """Every open offer on ``day`` with its vacancy, and (``suppress``, the committee) the cells
    of 1-4 citizens hidden with as few others as needed (roret.reports.toolkit.suppression).

    The pattern is worked out once for the whole catalogue, with every total shown anywhere: the
    own and external offers (offer list), all offers' waiting list (home page) and each capacity
    group's occupied and sold places (capacity pages). Each page shows a part of the same
    pattern, so no page's figures can be set against another's to recover a hidden cell.
    """
    rows = with_vacancy(catalogue(day).order_by("name", "pk"))
    for row in rows:
        row.hidden = set()
    if not suppress:
        return Suppressed(rows)
    from roret.capacity.groups import GROUPS  # the capacity pages publish these subtotals

    own = [i for i, o in enumerate(rows) if o.is_own_row]
    grouped = {g.key: [i for i in own if rows[i].requires_visitation and rows[i].legal_basis in g.legal_bases]
               for g in GROUPS}
    in_group = {i for members in grouped.values() for i in members}
    external = [i for i, o in enumerate(rows) if not o.is_own_row]

    def total(members, *names):
        return {n: sum(getattr(rows[i], n) for i in members) for n in names}

    lines = [
        Line("all", lines=["own", "external"], totals=total(range(len(rows)), "waiting")),
        Line("own", rows=[i for i in own if i not in in_group], lines=[f"group:{k}" for k in grouped],
             totals=total(own, "occupied", "sold", "waiting")),
        Line("external", rows=external, totals=total(external, "occupied")),
        *(Line(f"group:{k}", rows=members, totals=total(members, "occupied", "sold")) for k, members in grouped.items()),
    ]
    grid = Grid(values=[{n: getattr(o, n) for n in CITIZEN_FIELDS} for o in rows], counts=CITIZEN_FIELDS,
                labels=[f"{o.name}#{o.pk}" for o in rows], lines=lines, within={"sold": "occupied"})
    pattern = protect(grid)
    for i, row in enumerate(rows):
        for name in CITIZEN_FIELDS:
            if pattern.hidden(i, name):
                row.hidden.update(HIDDEN_WITH[name])
    return Suppressed(rows, set(pattern.totals))


def department_figures(day: datetime.date, *, suppress: bool) -> dict:
    """The home page's figures for the whole department: own places, occupied, vacant, and grants
    waiting for a named offer; ``hidden`` names those the committee may not see.

    Only the committee's figures need the whole catalogue (its suppression pattern spans every
    offer); the others are three sums over the same rows (:func:`_department_sums`)."""
    if not suppress:
        return {**_department_sums(day), "hidden_figures": set()}
    view = committee_catalogue(day, suppress=suppress)
    own = [o for o in view.rows if o.is_own_row]
    hidden = {name for name in ("occupied", "vacancy") if view.total_hidden("own", name)}
    hidden |= {"waiting"} if view.total_hidden("all", "waiting") else set()
    return {"own_places": sum(o.places for o in own), "own_occupied": sum(o.occupied for o in own),
            "own_vacancy": sum(o.vacancy for o in own), "waiting_total": sum(o.waiting for o in view.rows),
            "hidden_figures": hidden}


def _department_sums(day: datetime.date) -> dict:
    """:func:`department_figures` without the catalogue: the own open offers' places and the
    placements in force in them, and the waiting grants that name an open offer, summed in the
    database (the catalogue counts each offer's sold places and reads its tariffs too: half the
    caseworker's overview's time in it at 100,000 citizens). An own offer's vacancy is its places
    less its occupied ones (``with_vacancy``), so the sum of vacancies is the difference of sums."""
    from roret.placements.models import Grant, Placement

    open_offers = Offer.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
    own = open_offers.filter(provider__kind=ProviderKind.OWN).values("pk")
    places = PlaceChange.objects.filter(offer__in=own, valid_from__lte=day).aggregate(n=Sum("change"))["n"] or 0
    occupied = Placement.objects.filter(offer__in=own).active_on(day).count()
    # Each offer's waiting grants from the wished-offer index, as in the catalogue: asked for all
    # the open offers at once, SQLite reads every grant in force instead (0.2 s against 3 ms).
    named = _count(Grant.objects.waiting_on(day).filter(preferred_offer=OuterRef("pk")))
    waiting = sum(n or 0 for n in open_offers.annotate(n=Subquery(named, output_field=IntegerField()))
                  .values_list("n", flat=True))
    return {"own_places": places, "own_occupied": occupied, "own_vacancy": places - occupied,
            "waiting_total": waiting}
