"""Writing what realised effects are read from beside the case record: the rules linking
initiatives to kinds of case event, a caseworker's link of one event, investments spent and
manual effects. Each runs in one transaction, asks the gate and writes its own audit row."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from roret.core import audit, permissions, text_limits
from roret.core.models import AuditAction, Centre, Term
from roret.core.permissions import CHANGE, PLAN_EDITORS, require_role
from roret.offers.models import LegalBasis
from roret.outcomes.models import TariffRenegotiation
from roret.placements.models import Placement
from roret.plans.loading import ORE
from roret.plans.models import (
    EffectKind,
    EffectLink,
    EffectRule,
    Initiative,
    InvestmentSpent,
    LinkedAction,
    ManualEffect,
)

LIMIT = Decimal(10) ** 14


def _may_edit(actor) -> None:
    if actor is not None:
        require_role(actor, PLAN_EDITORS, "may not change development plans")


def _amount(amount, field: str) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValidationError({field: _("Give an amount in kroner.")})
    if abs(amount) >= LIMIT:
        raise ValidationError({field: _("The amount is too large.")})
    if amount != amount.quantize(ORE):
        raise ValidationError({field: _("An amount in kroner has at most two decimals.")})
    return amount


def add_rule(initiative: Initiative, kind: str, *, actor, paragraph: str = "", offer_type: Term | None = None,
             centre: Centre | None = None, channel: str = "web") -> EffectRule:
    """Let events of ``kind`` (narrowed to a paragraph, an offer type, a centre) realise ``initiative``."""
    _may_edit(actor)
    if kind not in EffectKind.values:
        raise ValidationError({"kind": _("Choose a kind of event.")})
    if paragraph and paragraph not in LegalBasis.values:
        raise ValidationError({"paragraph": _("Unknown legal basis.")})
    if offer_type is not None and offer_type.group != "offer_type":
        raise ValidationError({"offer_type": _("Choose an offer type.")})
    with transaction.atomic():
        Initiative.objects.select_for_update().filter(pk=initiative.pk).first()  # one rule added at a time
        found = EffectRule.objects.filter(initiative=initiative, kind=kind, paragraph=paragraph,
                                          offer_type=offer_type, centre=centre).first()
        if found is not None:
            return found  # the same rule again (a resent form)
        rule = EffectRule.objects.create(initiative=initiative, kind=kind, paragraph=paragraph,
                                         offer_type=offer_type, centre=centre, created_by=actor)
        audit.record(actor, AuditAction.CREATE, obj=rule, channel=channel,
                     after={"kind": kind, "paragraph": paragraph, "offer_type": getattr(offer_type, "pk", None),
                            "centre": getattr(centre, "pk", None)},
                     summary=_("Effect rule added to %(initiative)s: %(kind)s")
                     % {"initiative": initiative.title[:150], "kind": rule.get_kind_display()})
    return rule


def remove_rule(rule: EffectRule, *, actor, channel: str = "web") -> None:
    _may_edit(actor)
    with transaction.atomic():
        before = {"initiative": rule.initiative_id, "kind": rule.kind, "paragraph": rule.paragraph,
                  "offer_type": rule.offer_type_id, "centre": rule.centre_id}
        audit.record(actor, AuditAction.DELETE, obj=rule, channel=channel, before=before,
                     summary=_("Effect rule removed from %(initiative)s: %(kind)s")
                     % {"initiative": rule.initiative.title[:150], "kind": rule.get_kind_display()})
        EffectRule.objects.filter(pk=rule.pk).delete()


def link_event(initiative: Initiative, *, actor, placement: Placement | None = None, action: str = "",
               renegotiation: TariffRenegotiation | None = None, channel: str = "web") -> EffectLink:
    """A caseworker's link of one case action (a renegotiation, a new or an ended placement) to an
    initiative, so the event it belongs to counts for that initiative only. The actor must be
    allowed to change the citizen's case; a second link of the same action moves it (audited)."""
    if renegotiation is not None:
        action, placement_id = LinkedAction.RENEGOTIATION, renegotiation.placement_id
    elif placement is not None and action in (LinkedAction.NEW_PLACEMENT, LinkedAction.ENDED_PLACEMENT):
        placement_id = placement.pk
    else:
        raise ValidationError(_("Name the renegotiation or the placement, and whether it starts or ends."))
    if actor is not None:
        permissions.fetch(actor, CHANGE, Placement, placement_id)
    with transaction.atomic():
        key = {"renegotiation": renegotiation} if renegotiation is not None else {"action": action,
                                                                                "placement": placement}
        link = EffectLink.objects.select_for_update().filter(**key).first()
        before = None
        if link is not None:
            if link.initiative_id == initiative.pk:
                return link
            before = {"initiative": link.initiative_id}
            link.initiative, link.linked_by = initiative, actor
            link.save(update_fields=["initiative", "linked_by"])
        else:
            link = EffectLink.objects.create(initiative=initiative, action=action, linked_by=actor,
                                             placement=placement if renegotiation is None else None,
                                             renegotiation=renegotiation)
        citizen_id = Placement.objects.filter(pk=placement_id).values_list("citizen_id", flat=True).first()
        audit.record(actor, AuditAction.CHANGE if before else AuditAction.CREATE, obj=link, channel=channel,
                     citizen=citizen_id, before=before, after={"initiative": initiative.pk, "action": action},
                     summary=_("Linked to the initiative %(initiative)s: %(action)s")
                     % {"initiative": initiative.title[:150], "action": link.get_action_display()})
    return link


def record_investment(initiative: Initiative, *, spent_on: datetime.date, amount: Decimal, note: str, actor,
                      channel: str = "web") -> InvestmentSpent:
    """An amount actually spent on an initiative's investment (positive kroner)."""
    _may_edit(actor)
    amount = _amount(amount, "amount")
    if amount <= 0:
        raise ValidationError({"amount": _("An amount spent is positive.")})
    if not initiative.plan.first_year <= spent_on.year <= initiative.plan.last_year:
        raise ValidationError({"spent_on": _("The plan covers %(first)d-%(last)d.")
                               % {"first": initiative.plan.first_year, "last": initiative.plan.last_year}})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what was spent on.")})
    if found := text_limits.errors(InvestmentSpent, note=note):
        raise ValidationError(found)
    with transaction.atomic():
        row = InvestmentSpent.objects.create(initiative=initiative, spent_on=spent_on, amount=amount, note=note,
                                             entered_by=actor)
        audit.record(actor, AuditAction.CREATE, obj=row, channel=channel,
                     after={"amount": str(amount), "spent_on": str(spent_on)},
                     summary=_("Investment spent on %(initiative)s: %(amount)s kr.")
                     % {"initiative": initiative.title[:150], "amount": amount})
    return row


def record_manual_effect(initiative: Initiative, *, year: int, amount: Decimal, reason: str, actor,
                         channel: str = "web") -> ManualEffect:
    """A realised effect entered by hand (savings negative), where no case event fits; a reason is required."""
    _may_edit(actor)
    amount = _amount(amount, "amount")
    if amount == 0:
        raise ValidationError({"amount": _("A manual effect is not zero.")})
    if not initiative.plan.first_year <= year <= initiative.plan.last_year:
        raise ValidationError({"year": _("The plan covers %(first)d-%(last)d.")
                               % {"first": initiative.plan.first_year, "last": initiative.plan.last_year}})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why no case event fits.")})
    if found := text_limits.errors(ManualEffect, reason=reason):
        raise ValidationError(found)
    with transaction.atomic():
        row = ManualEffect.objects.create(initiative=initiative, year=year, amount=amount, reason=reason,
                                          entered_by=actor)
        audit.record(actor, AuditAction.CREATE, obj=row, channel=channel, reason=reason[:300],
                     after={"amount": str(amount), "year": year},
                     summary=_("Manual effect for %(initiative)s %(year)d: %(amount)s kr.")
                     % {"initiative": initiative.title[:150], "year": year, "amount": amount})
    return row


def linkable_initiatives(kinds, day: datetime.date) -> list[Initiative]:
    """The initiatives a caseworker may link an event of one of ``kinds`` to on ``day``: those of the
    plans covering the year with a rule for such events, or, if none has one, every initiative of
    those plans. Ordered as the plans show them."""
    initiatives = Initiative.objects.filter(plan__first_year__lte=day.year, plan__last_year__gte=day.year)
    ruled = initiatives.filter(effect_rules__kind__in=list(kinds)).distinct()
    chosen = ruled if ruled.exists() else initiatives
    return list(chosen.select_related("plan").order_by("plan__title", "position", "pk"))


def chosen_initiative(value, kinds, day: datetime.date) -> Initiative | None:
    """The initiative a caseworker chose in a case form (an id among :func:`linkable_initiatives`),
    None for none; ValidationError for an id that is not among them."""
    if value in (None, ""):
        return None
    found = next((i for i in linkable_initiatives(kinds, day) if str(i.pk) == str(value).strip()), None)
    if found is None:
        raise ValidationError({"initiative": _("Choose an initiative from the list.")})
    return found
