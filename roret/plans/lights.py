"""Traffic lights: per initiative and half-year, roret proposes green, yellow or red from the
figures; the responsible person sets the light, and may override the proposal only with a written
remark. Every setting is a new row (docs/plans.md, "Traffic lights").

The rule, with savings negative (as the plan writes them), realised R (the year's realised effect:
events and manual effects), committed C (the full-year effects of the events already made) and
expected E (the year's current expected effect):

- green when R <= E (the expected saving is achieved);
- yellow when R + C <= E (expected to be achieved within the year);
- red otherwise.

An initiative without an expected effect for the year (no estimate) is held to E = 0: green unless
its realised figures are a net cost.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from roret.core import audit, text_limits
from roret.core.models import AuditAction, Role
from roret.core.permissions import PLAN_EDITORS, NotInScope, is_active
from roret.plans.effects import InitiativeRealised, realised_for_plan
from roret.plans.models import HALF_PATTERN, Initiative, Light, LightColour, Plan

ZERO = Decimal(0)


def propose(realised: Decimal, expected: Decimal | None, committed: Decimal = ZERO) -> str:
    """roret's proposal for a light (a ``LightColour`` value) from the year's figures in kroner."""
    target = expected if expected is not None else ZERO
    if realised <= target:
        return LightColour.GREEN
    if realised + committed <= target:
        return LightColour.YELLOW
    return LightColour.RED


def propose_for(figures: InitiativeRealised) -> str:
    return propose(figures.realised_this_year, figures.expected, figures.committed_full_year)


# ---- half-years ------------------------------------------------------------------------------------


def parse_half(text: str) -> tuple[int, int]:
    """"2026H1" -> (2026, 1); ValidationError for anything else."""
    text = (text or "").strip().upper()
    if not re.match(HALF_PATTERN, text):
        raise ValidationError(_("A half-year is written like 2026H1 or 2026H2."))
    return int(text[:4]), int(text[5])


def half_of(day: datetime.date) -> str:
    return f"{day.year}H{1 if day.month <= 6 else 2}"


def half_last_day(half: str) -> datetime.date:
    year, n = parse_half(half)
    return datetime.date(year, 6, 30) if n == 1 else datetime.date(year, 12, 31)


def as_of(half: str, today: datetime.date) -> datetime.date:
    """The day a half-year's figures are read on: its last day, or today while it runs."""
    return min(today, half_last_day(half))


# ---- who may set a light ---------------------------------------------------------------------------


def may_set(user, initiative: Initiative) -> bool:
    """The initiative's responsible person, the economist, or the leader of its responsible centre."""
    if not is_active(user):
        return False
    if user.role in PLAN_EDITORS or initiative.responsible_id == user.pk:
        return True
    return (user.role == Role.CENTRE_LEADER and initiative.responsible_centre_id is not None
            and initiative.responsible_centre_id == user.centre_id)


@dataclass
class LightState:
    """An initiative's light for a half-year: roret's proposal now, the current setting and its history."""

    initiative_id: int
    half: str
    proposed: str
    figures: InitiativeRealised
    history: list[Light] = field(default_factory=list)  # oldest first

    @property
    def current(self) -> Light | None:
        return self.history[-1] if self.history else None

    @property
    def colour(self) -> str:
        """The light shown: the current setting, else roret's proposal."""
        return self.current.colour if self.current else self.proposed

    @property
    def is_set(self) -> bool:
        return self.current is not None

    @property
    def is_override(self) -> bool:
        return self.current is not None and self.current.is_override


def lights_for(plan: Plan, half: str, *, today: datetime.date | None = None,
               realised: dict[int, InitiativeRealised] | None = None) -> dict[int, LightState]:
    """initiative id -> its light for ``half`` (proposal from the figures as of the half's last day
    or today, whichever is first; the settings oldest first). Two queries beside the figures."""
    year, _n = parse_half(half)
    day = as_of(half, today or timezone.localdate())
    realised = realised if realised is not None else realised_for_plan(plan, year, today=day)
    history: dict[int, list[Light]] = {pk: [] for pk in realised}
    for light in (Light.objects.filter(initiative__plan=plan, half=half).select_related("set_by")
                  .order_by("set_at", "pk")):
        history.setdefault(light.initiative_id, []).append(light)
    return {pk: LightState(initiative_id=pk, half=half, proposed=propose_for(figures), figures=figures,
                           history=history.get(pk, []))
            for pk, figures in realised.items()}


def _figures(figures: InitiativeRealised) -> dict:
    return {"expected": None if figures.expected is None else str(figures.expected),
            "realised": str(figures.realised_this_year), "committed": str(figures.committed_full_year),
            "events": len(figures.events)}


def set_light(initiative: Initiative, half: str, colour: str, *, actor, remark: str = "",
              today: datetime.date | None = None, set_at: datetime.datetime | None = None,
              figures: InitiativeRealised | None = None, channel: str = "web") -> Light:
    """Set an initiative's light for a half-year. A colour other than roret's proposal needs a
    remark. The same setting sent twice (a resent form) writes once. ``actor`` None is the
    system (the demo); ``set_at`` backdates a setting made by the system; ``figures`` are the
    initiative's figures as of the half-year, when the system has them (the demo, for many)."""
    if actor is not None and not may_set(actor, initiative):
        raise NotInScope("may not set this initiative's light")
    half = half.strip().upper()
    year, _n = parse_half(half)
    if colour not in LightColour.values:
        raise ValidationError({"colour": _("Choose green, yellow or red.")})
    remark = (remark or "").strip()
    if found := text_limits.errors(Light, remark=remark):
        raise ValidationError(found)
    # A person's setting is always checked against figures computed here.
    if actor is not None or figures is None or figures.initiative_id != initiative.pk or figures.year != year:
        figures = realised_for_plan(initiative.plan, year,
                                    today=as_of(half, today or timezone.localdate()))[initiative.pk]
    proposed = propose_for(figures)
    if colour != proposed and not remark:
        raise ValidationError({"remark": _("roret proposes %(proposed)s: write why the light is %(colour)s.")
                               % {"proposed": LightColour(proposed).label.split(":")[0].lower(),
                                  "colour": LightColour(colour).label.split(":")[0].lower()}})
    with transaction.atomic():
        Initiative.objects.select_for_update().filter(pk=initiative.pk).first()
        last = Light.objects.filter(initiative=initiative, half=half).order_by("-set_at", "-pk").first()
        if (last is not None and last.colour == colour and last.remark == remark and last.proposed == proposed
                and last.set_by_id == getattr(actor, "pk", None)):
            return last
        light = Light.objects.create(initiative=initiative, half=half, colour=colour, proposed=proposed,
                                     remark=remark, figures=_figures(figures), set_by=actor,
                                     set_at=set_at or timezone.now())
        audit.record(actor, AuditAction.CREATE, obj=light, channel=channel, reason=remark[:300],
                     before={"colour": last.colour} if last else None,
                     after={"colour": colour, "proposed": proposed, **_figures(figures)},
                     summary=_("Traffic light %(half)s for %(initiative)s: %(colour)s (proposed %(proposed)s)")
                     % {"half": half, "initiative": initiative.title[:150], "colour": colour, "proposed": proposed})
    return light
