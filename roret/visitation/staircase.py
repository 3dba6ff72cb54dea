"""The staircase proposal: the least intrusive adequate offers for an assessed citizen.

An offer fits when it is open, its age range holds the citizen, and its target groups meet the
citizen's (an offer without target groups is open to all). It is adequate when its staircase
step is at or above the lowest step that meets the overall support need (ADEQUATE_STEP). The
proposal lists adequate, fitting offers from the lowest step up, the citizen's wished kinds of
offer first within a step, own offers before external ones, and shows vacancy today and tariff.
"""

import datetime
from dataclasses import dataclass

from roret.core.terms import SUPPORT_NEEDS
from roret.offers.models import DEFAULT_STEP, StaircaseStep, TariffUnit
from roret.offers.queries import catalogue, with_vacancy

# Overall support need (0 none .. 4 complete) -> the lowest staircase step that can meet it.
ADEQUATE_STEP = {
    0: StaircaseStep.ADVICE,
    1: StaircaseStep.EARLY_INDIVIDUAL,
    2: StaircaseStep.HOME_SUPPORT,
    3: StaircaseStep.HOUSING_WITH_SUPPORT,
    4: StaircaseStep.TEMPORARY_RESIDENTIAL,
}


def support_level(term) -> int | None:
    """0..4 for an FFB support-need term; None for "Ikke vurderet"."""
    try:
        return SUPPORT_NEEDS.index(term.display)
    except (ValueError, AttributeError):
        return None


def lowest_step_for(support_need_term) -> int:
    level = support_level(support_need_term)
    return int(ADEQUATE_STEP.get(level, StaircaseStep.ADVICE))


@dataclass
class Proposal:
    offer: object
    step: int
    own: bool
    vacancy: int | None            # None: bought per citizen, no places of ours
    free_for_placement: int | None
    tariff_amount: object
    tariff_unit: str
    wished: bool
    lowest: bool = False

    @property
    def step_label(self) -> str:
        """The step as the staircase names it ("6. Temporary residential offer")."""
        return str(StaircaseStep(self.step).label) if self.step in StaircaseStep.values else str(self.step)

    @property
    def tariff_unit_label(self) -> str:
        return TariffUnit(self.tariff_unit).label if self.tariff_unit in TariffUnit.values else ""


def propose(citizen, assessment, day: datetime.date | None = None, limit: int = 12) -> tuple[int, list[Proposal]]:
    """(lowest adequate step, proposals) for ``citizen`` as assessed in ``assessment``.

    The lowest adequate step is the first step at or above the support need's step that has a
    fitting offer (if none fits, the support need's own step)."""
    day = day or datetime.date.today()
    floor = lowest_step_for(assessment.support_need)
    age = citizen.age(day)
    groups = {t.pk for t in assessment.target_groups.all()} or {t.pk for t in citizen.target_groups.all()}
    wished = {t.pk for t in assessment.wished_offer_types.all()}
    offers = with_vacancy(catalogue(day).filter(staircase_step__gte=floor, requires_visitation=True)
                          .prefetch_related("target_groups"))
    rows = []
    for offer in offers:
        if offer.age_min > age or (offer.age_max is not None and offer.age_max < age):
            continue
        offer_groups = {t.pk for t in offer.target_groups.all()}
        if offer_groups and groups and not offer_groups & groups:
            continue
        rows.append(Proposal(offer=offer, step=offer.staircase_step, own=offer.provider.kind == "own",
                             vacancy=offer.vacancy, free_for_placement=offer.free_for_placement,
                             tariff_amount=offer.tariff_amount, tariff_unit=offer.tariff_unit or "",
                             wished=offer.offer_type_id in wished))
    rows.sort(key=lambda p: (p.step, not p.wished, not p.own, p.free_for_placement is not None and p.free_for_placement <= 0,
                             p.tariff_amount if p.tariff_amount is not None else 0, p.offer.name))
    lowest = rows[0].step if rows else floor
    for row in rows:
        row.lowest = row.step == lowest
    return lowest, rows[:limit]


def step_of(offer, paragraph: str) -> int:
    """The staircase step of a chosen offer, or of the paragraph when no offer is named."""
    if offer is not None:
        return int(offer.staircase_step)
    return int(DEFAULT_STEP.get(paragraph, StaircaseStep.ADVICE))
