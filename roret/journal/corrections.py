"""Correcting recorded case data: an inquiry's, a decision's, a placement's dates, an agreed tariff,
a goal, a relative. Each correction writes the new value on the record and keeps the old one in
:class:`~roret.journal.models.Correction` (who, when, why), which the record's pages show as its
history. A dated value (an agreed tariff) is corrected by a new row that points to the wrong one:
nothing dated is overwritten.

Who may: what the gate's role table says for the object. Inquiries, decisions, placements and
relatives are the case (``change``: the caseworker of the team); goals are the working record
(``record``: the caseworker and the staff and leader of the centre the citizen lives in).
A reason is always required. Placement dates and tariffs re-cost the placement after the commit,
as every other placement change does.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import override

from roret.core import audit, permissions, text_limits
from roret.core.permissions import CHANGE, RECORD
from roret.core.validation import validate
from roret.economy.services import recost_after_commit
from roret.journal.models import Correction
from roret.offers.models import TariffUnit

REASON_MAX = text_limits.REASON


class CorrectionError(ValidationError):
    """A correction that cannot be made as given; the messages say which field and why."""


@dataclass(frozen=True)
class Kind:
    """What may be corrected on one kind of record, and who may."""

    label: str                  # the model, "app.Model"
    action: str                 # the gate's action on the record's citizen
    fields: tuple[str, ...]

    @property
    def model(self):
        return apps.get_model(self.label)


KINDS = {
    "inquiry": Kind("visitation.Inquiry", CHANGE, ("source", "source_detail", "received_on", "about", "paragraph")),
    "decision": Kind("visitation.Decision", CHANGE, ("decided_on", "justification", "intrusive_reason")),
    "placement": Kind("placements.Placement", CHANGE, ("start", "end")),
    "goal": Kind("outcomes.Goal", RECORD, ("own_words", "target_date")),
    "relative": Kind("citizens.Relative", CHANGE, ("name", "relation", "phone", "email", "is_network_person")),
}


def shown(obj, name: str, value=None) -> str:
    """A field's value as a person reads it in the history (Danish dates, choices by their label)."""
    field = obj._meta.get_field(name)
    value = getattr(obj, name) if value is None else value
    if value is None or value == "":
        return "–"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, Decimal):
        return formats.number_format(value, 2, use_l10n=True, force_grouping=True)
    return str(value)


def _json(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value.pk if hasattr(value, "pk") else value)


def _reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CorrectionError({"reason": _("Say why the record is corrected.")})
    if len(reason) > REASON_MAX:
        raise CorrectionError({"reason": text_limits.message(_("reason for the correction"), len(reason), REASON_MAX)})
    return reason


def _label(obj, name: str) -> str:
    with override("da"):  # the history is written in Danish, as the audit log is
        return str(obj._meta.get_field(name).verbose_name)[:120]


def _write(obj, citizen_id: int, changes: list[tuple[str, str, str, str]], reason: str, actor, at=None):
    """The history rows: (field, label, old, new) of ``obj``, one row each."""
    Correction.objects.bulk_create([
        Correction(citizen_id=citizen_id, object_type=obj._meta.label_lower, object_id=obj.pk, field=name,
                   field_label=label, old_value=old, new_value=new, reason=reason,
                   actor=actor if actor is not None and actor.is_authenticated else None)
        for name, label, old, new in changes])


def _fetch(kind: Kind, obj, actor):
    queryset = kind.model.objects.all()
    return permissions.fetch(actor, kind.action, queryset, obj.pk, lock=True)


@transaction.atomic
def _correct(key: str, obj, *, actor, reason: str, changes: dict, channel: str, check=None):
    kind = KINDS[key]
    obj = _fetch(kind, obj, actor)
    unknown = set(changes) - set(kind.fields)
    if unknown:
        raise CorrectionError(_("These fields cannot be corrected here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    reason = _reason(reason)
    changed = {name: value for name, value in changes.items() if getattr(obj, name) != value}
    if not changed:
        raise CorrectionError(_("Nothing was changed: the correction is the same as what is recorded."))
    before = {name: getattr(obj, name) for name in kind.fields}
    for name, value in changed.items():
        setattr(obj, name, value)
    derived = check(obj, before, changed) if check else {}
    try:
        validate(obj)
    except ValidationError as exc:
        raise CorrectionError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc
    names = [*changed, *derived]
    obj.save(update_fields=names)
    before_all = {**before, **{n: old for n, (old, _new) in derived.items()}}
    with override("da"):  # the history is written in Danish, whoever corrects and from where
        rows = [(n, _label(obj, n), shown(obj, n, before_all[n]) if before_all[n] not in (None, "") else "–",
                 shown(obj, n)) for n in names]
        what = str(obj._meta.verbose_name).capitalize()
    _write(obj, obj.citizen_id, rows, reason, actor)
    audit.record(actor, "change", citizen=obj.citizen_id, obj=obj, channel=channel, reason=reason,
                 summary=f"{what} rettet: " + ", ".join(label for _n, label, _o, _w in rows),
                 before={n: _json(before_all[n]) for n in names}, after=audit.snapshot(obj, names))
    return obj


def _inquiry_check(inquiry, before, changed):
    from roret.visitation import deadlines

    if "received_on" in changed or "paragraph" in changed:
        if not isinstance(inquiry.received_on, datetime.date):
            raise CorrectionError({"received_on": _("Give the date the inquiry was received.")})
        old = inquiry.deadline
        inquiry.deadline = deadlines.deadline_for(inquiry.received_on, inquiry.paragraph)
        if inquiry.deadline != old:
            return {"deadline": (old, inquiry.deadline)}
    return {}


def correct_inquiry(inquiry, *, actor, reason: str, channel: str = "web", **changes):
    """Correct an inquiry's ``source``, ``source_detail``, ``received_on``, ``about`` or ``paragraph``;
    a new date or service type moves the case-processing deadline with it (and the history says so)."""
    return _correct("inquiry", inquiry, actor=actor, reason=reason, changes=changes, channel=channel,
                    check=_inquiry_check)


def _decision_check(decision, before, changed):
    if "decided_on" in changed and decision.decided_on and decision.decided_on > datetime.date.today():
        raise CorrectionError({"decided_on": _("A decision cannot be dated in the future.")})
    return {}


def correct_decision(decision, *, actor, reason: str, channel: str = "web", **changes):
    """Correct a decision's ``decided_on``, ``justification`` or ``intrusive_reason``. What it
    granted (kind, paragraph, offer) is not corrected here: a new decision does that."""
    return _correct("decision", decision, actor=actor, reason=reason, changes=changes, channel=channel,
                    check=_decision_check)


def _placement_check(placement, before, changed):
    from roret.placements.models import Placement

    start, end = placement.start, placement.end
    if not isinstance(start, datetime.date):
        raise CorrectionError({"start": _("Give the date the placement started.")})
    if "end" in changed and (before["end"] is None or end is None):
        raise CorrectionError({"end": _("Only the end date of an ended placement is corrected here; end a "
                                        "running placement from the placement itself.")})
    if end is not None and end <= start:
        raise CorrectionError({"end": _("A placement must end after it starts.")})
    grant = placement.grant
    if grant.start > start or (grant.end is not None and (end is None or end > grant.end)):
        raise CorrectionError({"start": _("The placement must lie within the grant's period.")})
    if placement.is_residential:
        clash = (Placement.objects.filter(citizen_id=placement.citizen_id, is_residential=True)
                 .exclude(pk=placement.pk).overlapping(start, end).select_related("offer").first())
        if clash is not None:
            raise CorrectionError({"start": _("The citizen lives in %(offer)s from %(start)s; two residential "
                                              "places cannot overlap.")
                                   % {"offer": clash.offer, "start": f"{clash.start:%d.%m.%Y}"}})
    return {}


@transaction.atomic
def correct_placement(placement, *, actor, reason: str, start: datetime.date | None = None,
                      end: datetime.date | None = None, channel: str = "web"):
    """Correct a placement's start date, or the end date of an ended placement; the placement is
    re-costed after the commit.

    An agreed tariff that applied from the old start moves with it (a new row for the new date that
    corrects the old one), so the days the placement now has are priced as agreed, not at the
    offer's standard tariff; unless another agreed row would then be overtaken by it."""
    from roret.placements.models import PlacementTariff

    old_start = type(placement).objects.filter(pk=placement.pk).values_list("start", flat=True).first()
    changes = {k: v for k, v in (("start", start), ("end", end)) if v is not None}
    placement = _correct("placement", placement, actor=actor, reason=reason, changes=changes, channel=channel,
                         check=_placement_check)
    if old_start is not None and placement.start != old_start:
        rows = list(PlacementTariff.objects.filter(placement=placement).order_by("valid_from", "pk"))
        first = rows[0] if rows and rows[0].valid_from == old_start else None
        if first is not None and all(r.valid_from > placement.start for r in rows[1:]):
            moved = PlacementTariff.objects.create(
                placement=placement, valid_from=placement.start, amount=first.amount, unit=first.unit,
                hours_per_week=first.hours_per_week, note=first.note, corrects=first)
            with override("da"):
                label = _("Agreed tariff from %(day)s") % {"day": f"{old_start:%d.%m.%Y}"}
                unit = str(first.get_unit_display())
            _write(placement, placement.citizen_id,
                   [("tariff", label, f"{shown(first, 'amount')} kr. {unit} fra {old_start:%d.%m.%Y}",
                     f"{shown(moved, 'amount')} kr. {unit} fra {placement.start:%d.%m.%Y}")], reason, actor)
    recost_after_commit([placement.pk])
    from roret.outcomes import compliance  # a move-in's days on the compliance list follow its dates

    compliance.mark([placement.citizen_id])
    return placement


def correct_goal(goal, *, actor, reason: str, channel: str = "web", **changes):
    """Correct a goal's ``own_words`` or ``target_date``."""
    if "own_words" in changes:
        changes["own_words"] = (changes["own_words"] or "").strip()
        if not changes["own_words"]:
            raise CorrectionError({"own_words": _("Write the goal in the citizen's own words.")})
    return _correct("goal", goal, actor=actor, reason=reason, changes=changes, channel=channel)


def correct_relative(relative, *, actor, reason: str, channel: str = "web", **changes):
    """Correct a relative's or network person's name, relation, phone, e-mail or role."""
    return _correct("relative", relative, actor=actor, reason=reason, changes=changes, channel=channel)


@transaction.atomic
def correct_placement_tariff(row, *, actor, reason: str, amount, unit: str | None = None, channel: str = "web"):
    """Correct an agreed tariff that was wrong: a new row for the same placement and date that points
    to it (the wrong row stays), the old and new amount in the placement's history, and the
    placement re-costed after the commit."""
    from roret.placements.models import PlacementTariff

    rows = PlacementTariff.history.select_related("placement")
    row = permissions.fetch(actor, CHANGE, rows, row.pk, via="placement__citizen", lock=True)
    if PlacementTariff.history.filter(corrects=row).exists():
        raise CorrectionError(_("This tariff has already been corrected; correct the row that corrects it."))
    reason = _reason(reason)
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise CorrectionError({"amount": _("Give the amount in kroner, 0 or more.")})
    unit = unit or row.unit
    if unit not in TariffUnit.values:
        raise CorrectionError({"unit": _("Choose a tariff unit.")})
    if (amount, unit) == (row.amount, row.unit):
        raise CorrectionError({"amount": _("The correction is the same as the tariff it corrects.")})
    correction = PlacementTariff.objects.create(placement=row.placement, valid_from=row.valid_from, amount=amount,
                                                unit=unit, hours_per_week=row.hours_per_week, note=row.note,
                                                corrects=row)
    placement = row.placement
    units = dict(TariffUnit.choices)
    with override("da"):
        label = _("Agreed tariff from %(day)s") % {"day": f"{row.valid_from:%d.%m.%Y}"}
        old = f"{shown(row, 'amount')} kr. {units[row.unit]}"
        new = f"{shown(correction, 'amount')} kr. {units[unit]}"
    _write(placement, placement.citizen_id, [("tariff", label, old, new)], reason, actor)
    recost_after_commit([placement.pk])
    audit.record(actor, "change", citizen=placement.citizen_id, obj=correction, channel=channel, reason=reason,
                 summary=f"Aftalt takst rettet for placering #{placement.pk} fra {row.valid_from:%d.%m.%Y}: "
                         f"{row.amount} -> {amount} kr.",
                 before=audit.snapshot(row, ["valid_from", "amount", "unit"]),
                 after=audit.snapshot(correction, ["valid_from", "amount", "unit"]))
    return correction


def history(obj) -> list[Correction]:
    """The corrections of ``obj``, newest first (the caller has fetched ``obj`` through the gate)."""
    return list(Correction.objects.filter(object_type=obj._meta.label_lower, object_id=obj.pk)
                .select_related("actor"))


def citizen_history(citizen, limit: int | None = None) -> list[Correction]:
    """The corrections of ``citizen``'s recorded data, newest first, the ``limit`` newest if given
    (the caller has fetched the citizen)."""
    rows = Correction.objects.filter(citizen=citizen).select_related("actor")
    return list(rows[:limit] if limit else rows)
