"""Writing goals, action plans, follow-ups, measurements and tariff renegotiations.

Caseworkers hold follow-ups; caseworkers and the staff of the centre where the citizen lives
record goals, action-plan steps and measurements (the permission gate's "change" scope)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from roret.citizens import services as citizen_services
from roret.citizens.models import Citizen, ConsentSubject, Relative
from roret.core import audit, permissions, text_limits
from roret.core.models import Term
from roret.core.periods import add_months_clamped
from roret.core.permissions import CHANGE, RECORD
from roret.core.validation import validate
from roret.economy import engine
from roret.economy.services import recost_after_commit
from roret.outcomes import compliance, instruments
from roret.outcomes.models import (
    ActionStep,
    FollowUp,
    FollowUpOutcome,
    FollowUpParticipant,
    Goal,
    GoalProgress,
    GoalProgressLevel,
    GoalStatus,
    GoalSupporter,
    Measurement,
    MeasurementOccasion,
    TariffRenegotiation,
)
from roret.placements.models import Grant, Placement, PlacementTariff


class OutcomeError(ValidationError):
    """Input refused by the outcomes services; the message says what and where."""


def config(name: str, default):
    """Municipality settings for follow-ups and measurements (settings.RORET overrides)."""
    return settings.RORET.get(name, default)


def follow_up_months() -> int:
    return int(config("FOLLOW_UP_MONTHS", 12))


def residential_follow_up_months() -> int:
    return int(config("FOLLOW_UP_MONTHS_NEW_RESIDENTIAL", 3))


def first_follow_up_due(grant: Grant) -> datetime.date:
    return add_months_clamped(grant.start, follow_up_months())


def residential_follow_up_due(move_in: datetime.date) -> datetime.date:
    return add_months_clamped(move_in, residential_follow_up_months())


# --- follow-up scheduling -------------------------------------------------------------------

@transaction.atomic
def schedule_follow_up(grant: Grant, due_on: datetime.date, *, actor, earlier_only: bool = False,
                       channel: str = "web") -> FollowUp:
    """Give ``grant`` its next follow-up date (one open follow-up per grant; a later call moves it,
    or with ``earlier_only`` only moves it earlier)."""
    grant = permissions.fetch(actor, CHANGE, Grant, grant.pk, lock=True)
    return follow_up_for(grant, due_on, actor=actor, earlier_only=earlier_only, channel=channel)


def follow_up_for(grant: Grant, due_on: datetime.date, *, actor, earlier_only: bool = False,
                  channel: str = "web") -> FollowUp:
    """:func:`schedule_follow_up` for a grant whose citizen the caller has fetched for "change"."""
    open_ = FollowUp.objects.filter(grant=grant, held_on__isnull=True).first()
    if open_ is not None:
        if earlier_only and open_.due_on <= due_on:
            return open_
        before = {"due_on": open_.due_on.isoformat()}
        open_.due_on = due_on
        open_.save(update_fields=["due_on"])
        compliance.mark([grant.citizen_id])
        audit.record(actor, "change", citizen=grant.citizen_id, obj=open_, channel=channel, before=before,
                     after={"due_on": due_on.isoformat()}, summary=f"Opfølgning flyttet til {due_on:%d.%m.%Y}")
        return open_
    follow_up = FollowUp.objects.create(citizen_id=grant.citizen_id, grant=grant, due_on=due_on)
    compliance.mark([grant.citizen_id])
    audit.record(actor, "create", citizen=grant.citizen_id, obj=follow_up, channel=channel,
                 summary=f"Opfølgning planlagt {due_on:%d.%m.%Y}")
    return follow_up


# --- goals and action plans -----------------------------------------------------------------

@transaction.atomic
def add_goal(citizen: Citizen, *, actor, goal_type: Term, theme: Term, own_words: str, target_date: datetime.date,
             grant: Grant | None = None, created_on: datetime.date | None = None, channel: str = "web") -> Goal:
    citizen = permissions.fetch(actor, RECORD, Citizen, citizen.pk)
    if goal_type is None or goal_type.group != "goal_type":
        raise OutcomeError({"goal_type": _("Choose the goal type: develop, maintain or limit loss of function.")})
    if theme is None or theme.group != "theme" or theme.depth < 2:
        raise OutcomeError({"theme": _("Choose the FFB theme the goal concerns.")})
    if not (own_words or "").strip():
        raise OutcomeError({"own_words": _("Write the goal in the citizen's own words.")})
    created_on = created_on or datetime.date.today()
    if target_date is None or target_date <= created_on:
        raise OutcomeError({"target_date": _("The target date must lie after today (%(day)s).")
                            % {"day": f"{created_on:%d.%m.%Y}"}})
    if grant is not None and grant.citizen_id != citizen.pk:
        raise OutcomeError({"grant": _("The grant belongs to another citizen.")})
    goal = Goal(citizen=citizen, grant=grant, goal_type=goal_type, theme=theme, own_words=own_words.strip(),
                target_date=target_date, created_on=created_on, created_by=actor)
    validate(goal)
    goal.save()
    audit.record(actor, "create", citizen=citizen, obj=goal, channel=channel,
                 summary=f"Mål sat ({goal_type.display}, {theme.display})")
    return goal


@transaction.atomic
def add_step(goal: Goal, *, actor, what: str, who: str, due_on: datetime.date, channel: str = "web") -> ActionStep:
    goal = permissions.fetch(actor, RECORD, Goal, goal.pk)
    if not (what or "").strip():
        raise OutcomeError({"what": _("Write what the step is.")})
    if not (who or "").strip():
        raise OutcomeError({"who": _("Write who does the step.")})
    if due_on is None:
        raise OutcomeError({"due_on": _("Give the date the step is done by.")})
    step = ActionStep(goal=goal, what=what.strip(), who=who.strip(), due_on=due_on, created_by=actor)
    validate(step)
    step.save()
    audit.record(actor, "create", citizen=goal.citizen_id, obj=step, channel=channel,
                 summary=f"Handleplan: {step.what[:80]} ({step.who}, {due_on:%d.%m.%Y})")
    return step


@transaction.atomic
def complete_step(step: ActionStep, *, actor, done_on: datetime.date | None = None, channel: str = "web"):
    step = permissions.fetch(actor, RECORD, ActionStep.objects.select_related("goal"), step.pk, via="goal__citizen",
                             lock=True)
    step.done_on = done_on or datetime.date.today()
    step.save(update_fields=["done_on"])
    audit.record(actor, "change", citizen=step.goal.citizen_id, obj=step, channel=channel,
                 summary=f"Handleplan: udført {step.what[:80]}")
    return step


# --- measurements ---------------------------------------------------------------------------

@transaction.atomic
def record_measurement(citizen: Citizen, instrument: str, answers, *, actor, measured_on: datetime.date | None = None,
                       occasion: str = MeasurementOccasion.OTHER, follow_up: FollowUp | None = None,
                       placement: Placement | None = None, channel: str = "web",
                       self_reported: bool = False) -> Measurement:
    """Score ``answers`` with the instrument's exact rule and store them (nothing is stored when
    the answers cannot be scored). ``self_reported``: the citizen answered themself; always so
    when the actor is the citizen."""
    by_citizen = getattr(actor, "role", None) in permissions.CITIZENS
    citizen = permissions.fetch(actor, permissions.SELF_REPORT if by_citizen else RECORD, Citizen, citizen.pk)
    self_reported = self_reported or by_citizen
    if follow_up is not None and follow_up.citizen_id != citizen.pk:
        raise OutcomeError({"follow_up": _("The follow-up belongs to another citizen.")})
    if placement is not None and placement.citizen_id != citizen.pk:
        raise OutcomeError({"placement": _("The placement belongs to another citizen.")})
    return _measure(citizen, instrument, answers, actor=actor, measured_on=measured_on, occasion=occasion,
                    follow_up=follow_up, placement=placement, channel=channel, self_reported=self_reported)


def _measure(citizen: Citizen, instrument: str, answers, *, actor, measured_on, occasion, follow_up, placement,
             channel, self_reported: bool = False) -> Measurement:
    """record_measurement for a citizen the caller has fetched for "record" (or "change")."""
    definition = instruments.get(instrument)
    try:
        scored = definition.score(list(answers))
    except instruments.InstrumentError as exc:
        raise OutcomeError({"answers": str(exc)}) from exc
    if occasion not in MeasurementOccasion.values:
        raise OutcomeError({"occasion": _("Choose why the measurement is made.")})
    measured_on = measured_on or datetime.date.today()
    if measured_on > datetime.date.today():
        raise OutcomeError({"measured_on": _("A measurement cannot be dated in the future.")})
    measurement = Measurement(citizen=citizen, instrument=definition.code, measured_on=measured_on,
                              answers=list(scored.answers), raw=scored.raw, score=scored.score, band=scored.band.key,
                              flagged_items=list(scored.flagged_items), occasion=occasion, follow_up=follow_up,
                              placement=placement, recorded_by=actor, self_reported=self_reported)
    validate(measurement)
    measurement.save()
    compliance.mark([citizen.pk])
    audit.record(actor, "create", citizen=citizen, obj=measurement, channel=channel,
                 summary=f"Måling {definition.code}: {scored.score} ({scored.band.label})"
                         + (" – besvaret af borgeren selv" if self_reported else ""),
                 after={**scored.as_dict(), **({"self_reported": True} if self_reported else {})})
    return measurement


def compare(measurements: list[Measurement]) -> list[dict]:
    """Each measurement beside the previous one of the same instrument: delta and whether the
    change is meaningful (WHO-5: 10 points or more)."""
    rows, last = [], {}
    for m in measurements:
        previous = last.get(m.instrument)
        change = m.definition.change(previous.score, m.score) if previous else None
        rows.append({"measurement": m, "previous": previous, "change": change})
        last[m.instrument] = m
    return rows


# --- relatives and network at follow-ups and goals ------------------------------------------

def meeting_day(follow_up: FollowUp, today: datetime.date) -> datetime.date:
    """The day a follow-up meeting is held: the day recorded, else its due day (today for an
    overdue one, which can be held today at the earliest). A consent must be valid on that day."""
    return follow_up.held_on or max(follow_up.due_on, today)


def invite_to_follow_up(follow_up: FollowUp, relative: Relative | None, *, actor, role: str = "",
                        channel: str = "web") -> FollowUpParticipant:
    """Invite one of the citizen's relatives or network persons to the follow-up meeting. Needs the
    citizen's consent to invite their network to meetings (ConsentSubject.NETWORK_MEETING) valid on
    the meeting day (:func:`meeting_day`); a relative of another citizen is never attached. A
    follow-up already held takes the invitation too (recorded afterwards), with the held day."""
    today = datetime.date.today()
    return citizen_services.invite_relative(FollowUpParticipant, follow_up, relative, actor=actor,
                                            day=lambda held: meeting_day(held, today), what="opfølgning",
                                            role=role, channel=channel)


@transaction.atomic
def record_follow_up_attendance(follow_up: FollowUp, attendance: dict, *, actor, channel: str = "web") -> int:
    """Record after the meeting which invited relatives took part ({participant id: Attendance
    value}); the number of rows changed. Only a follow-up that has been held."""
    follow_up = permissions.fetch(actor, CHANGE, FollowUp.objects.select_related("citizen"), follow_up.pk, lock=True)
    if follow_up.held_on is None:
        raise OutcomeError({"took_part": _("Who took part is recorded when the follow-up is held.")})
    return _attendance(follow_up, attendance, actor=actor, channel=channel)


def _attendance(follow_up: FollowUp, attendance: dict, *, actor, channel: str) -> int:
    """record_follow_up_attendance for a held follow-up the caller has fetched for "change"."""
    rows = list(follow_up.participants.select_related("relative"))
    changed = citizen_services.apply_attendance(rows, attendance)
    if changed:
        audit.record(actor, "change", citizen=follow_up.citizen_id, obj=follow_up, channel=channel,
                     summary="Deltagelse i opfølgning registreret: "
                             + ", ".join(f"{r.relative.name}: {r.get_took_part_display()}" for r in changed),
                     before={str(r.pk): b for r, (b, _a) in changed.items()},
                     after={str(r.pk): a for r, (_b, a) in changed.items()})
    return len(changed)


@transaction.atomic
def name_supporter(goal: Goal, relative: Relative | None, *, actor, how: str = "", channel: str = "web") -> GoalSupporter:
    """Name one of the citizen's relatives or network persons as supporting ``goal``. Naming them
    shares the goal, a part of the plan, with them: it needs the citizen's consent to share
    information with relatives (ConsentSubject.SHARE_RELATIVES) valid today."""
    goal = permissions.fetch(actor, RECORD, Goal.objects.select_related("citizen"), goal.pk, lock=True)
    today = datetime.date.today()
    consent = citizen_services.require_consent(goal.citizen, relative, ConsentSubject.SHARE_RELATIVES, today)
    if GoalSupporter.objects.filter(goal=goal, relative=relative).exists():
        raise OutcomeError({"relative": _("%(name)s already supports this goal.") % {"name": relative.name}})
    row = GoalSupporter(goal=goal, relative=relative, how=(how or "").strip(), named_on=today, named_by=actor)
    validate(row)
    row.save()
    audit.record(actor, "create", citizen=goal.citizen, obj=row, channel=channel,
                 summary=f"{relative.name} støtter målet (samtykke af {consent.given_on:%d.%m.%Y})",
                 after={"relative": relative.pk, "goal": goal.pk, "consent": consent.pk, "how": row.how})
    return row


# --- follow-up meeting ----------------------------------------------------------------------

def yearly_amount(amount: Decimal, unit: str, hours_per_week: Decimal | None = None) -> Decimal:
    """A tariff's cost over a year of 365 days, day by day as the economy's cost engine counts it
    (:func:`roret.economy.engine.yearly_cost`): a day or module tariff 365 times, a month tariff 12
    times, an hourly tariff h hours a week at h/7 hours a day."""
    saving = engine.yearly_cost(engine.TariffRow(datetime.date.min, amount, unit), hours_per_week)
    if saving is None:
        raise OutcomeError({"hours_per_week": _("An hourly tariff needs the weekly hours to give a yearly sum.")})
    return saving


def current_tariff(placement: Placement, day: datetime.date):
    """(amount, unit, hours a week) in force for ``placement`` on ``day`` by the cost engine's rule
    (:func:`roret.economy.engine.tariff_on`: the agreed tariff, else the offer's standard one);
    the hours are the agreed row's, else the grant's."""
    rows, grant_hours = engine.placement_rows(placement)
    row = engine.in_force(rows, day)
    if row is None:
        return None, None, None
    return row.amount, row.unit, row.hours_per_week if row.hours_per_week is not None else grant_hours


@transaction.atomic
def renegotiate_tariff(placement: Placement, *, actor, new_amount: Decimal, valid_from: datetime.date,
                       follow_up: FollowUp | None = None, note: str = "", channel: str = "web") -> TariffRenegotiation:
    """Record a renegotiated tariff for an external placement from ``valid_from`` (a new dated
    PlacementTariff row; nothing is overwritten) and its yearly saving."""
    placement = permissions.fetch(actor, CHANGE, Placement.objects.select_related("offer__provider", "grant"),
                                  placement.pk, lock=True)
    return _renegotiate(placement, actor=actor, new_amount=new_amount, valid_from=valid_from, follow_up=follow_up,
                        note=note, channel=channel)


def _renegotiate(placement: Placement, *, actor, new_amount, valid_from, follow_up, note, channel):
    """renegotiate_tariff for a placement the caller has fetched (and locked) for "change"."""
    if placement.offer.provider.kind == "own":
        raise OutcomeError({"placement": _("Tariffs are renegotiated for external placements; %(offer)s is an own "
                                           "offer.") % {"offer": placement.offer}})
    if new_amount is None or new_amount < 0:
        raise OutcomeError({"new_amount": _("Give the new tariff in kroner (0 or more).")})
    if valid_from < placement.start or (placement.end is not None and valid_from >= placement.end):
        raise OutcomeError({"valid_from": _("The new tariff must start within the placement's period.")})
    old_amount, unit, hours = current_tariff(placement, valid_from)
    if old_amount is None:
        raise OutcomeError({"placement": _("The placement has no tariff on %(day)s to renegotiate.")
                            % {"day": f"{valid_from:%d.%m.%Y}"}})
    if new_amount >= old_amount:
        raise OutcomeError({"new_amount": _("The renegotiated tariff (%(new)s kr.) must be below the current "
                                            "tariff (%(old)s kr.).") % {"new": new_amount, "old": old_amount}})
    if PlacementTariff.objects.filter(placement=placement, valid_from=valid_from).exists():
        raise OutcomeError({"valid_from": _("The placement already has a tariff from %(day)s.")
                            % {"day": f"{valid_from:%d.%m.%Y}"}})
    if found := text_limits.errors(TariffRenegotiation, note=note.strip()):
        raise OutcomeError({"renegotiation_note": found["note"]})
    saving = yearly_amount(old_amount - new_amount, unit, hours)
    PlacementTariff.objects.create(placement=placement, valid_from=valid_from, amount=new_amount, unit=unit,
                                   hours_per_week=hours, note="Genforhandlet takst")
    recost_after_commit([placement.pk])
    row = TariffRenegotiation.objects.create(
        placement=placement, follow_up=follow_up, old_amount=old_amount, new_amount=new_amount, unit=unit,
        hours_per_week=hours, valid_from=valid_from, yearly_saving=saving, note=note.strip(), recorded_by=actor)
    audit.record(actor, "create", citizen=placement.citizen_id, obj=row, channel=channel,
                 summary=f"Takst genforhandlet for {placement.offer}: {old_amount} -> {new_amount} kr. "
                         f"fra {valid_from:%d.%m.%Y} (besparelse {saving} kr./år)",
                 after={"old": str(old_amount), "new": str(new_amount), "yearly_saving": str(saving)})
    return row


@transaction.atomic
def hold_follow_up(follow_up: FollowUp, *, actor, held_on: datetime.date, outcome: str, notes: str = "",
                   goal_progress: dict | None = None, support_need: Term | None = None, need_fallen: bool = False,
                   who5_answers=None, renegotiation: dict | None = None, end_on: datetime.date | None = None,
                   end_reason: str = "", attendance: dict | None = None, channel: str = "web") -> FollowUp:
    """Record the follow-up meeting: who of the invited relatives took part (``attendance``, as
    :func:`record_follow_up_attendance`), goal progress, an optional WHO-5 measurement, the outcome in
    FFB's terms, an optional tariff renegotiation; then schedule the next follow-up, or, when the
    outcome ends the grant, end the grant and its current placements on ``end_on`` with
    ``end_reason`` (through placements.services.end_placement)."""
    follow_up = permissions.fetch(actor, CHANGE, FollowUp.objects.select_related("grant", "citizen"), follow_up.pk,
                                  lock=True)
    citizen = follow_up.citizen
    if follow_up.held_on is not None:
        raise OutcomeError(_("This follow-up was already held on %(day)s.") % {"day": f"{follow_up.held_on:%d.%m.%Y}"})
    if outcome not in FollowUpOutcome.values:
        raise OutcomeError({"outcome": _("Choose the follow-up's outcome.")})
    if held_on is None or held_on > datetime.date.today():
        raise OutcomeError({"held_on": _("Give the day the follow-up was held (not in the future).")})
    grant = follow_up.grant
    first = Placement.objects.filter(grant=grant).order_by("start").first()
    if first is not None and held_on < first.start:
        raise OutcomeError({"held_on": _("The follow-up (%(held)s) cannot lie before the placement starts "
                                         "(%(start)s).") % {"held": f"{held_on:%d.%m.%Y}",
                                                            "start": f"{first.start:%d.%m.%Y}"}})
    if first is None and held_on < grant.start:
        raise OutcomeError({"held_on": _("The follow-up cannot lie before the grant starts (%(start)s).")
                            % {"start": f"{grant.start:%d.%m.%Y}"}})
    ending = outcome in (FollowUpOutcome.END, FollowUpOutcome.END_REFER)
    if ending:
        from roret.placements.models import EndReason

        if end_on is None or end_reason not in EndReason.values:
            raise OutcomeError({"end_on": _("Ending the grant needs the last day + 1 (the end date) and an end "
                                            "reason.")})
        if end_on <= grant.start:
            raise OutcomeError({"end_on": _("The grant cannot end before it starts (%(start)s).")
                                % {"start": f"{grant.start:%d.%m.%Y}"}})
    elif end_on is not None:
        raise OutcomeError({"end_on": _("Only an outcome that ends the grant takes an end date.")})
    if support_need is not None and support_need.group != "support_need":
        raise OutcomeError({"support_need": _("Choose a support-need level.")})
    progress_rows = []
    goals = {g.pk: g for g in Goal.objects.filter(citizen=citizen)}
    for goal_id, (level, note) in (goal_progress or {}).items():
        if goal_id not in goals:
            raise OutcomeError({"goal_progress": _("Goal %(id)s is not this citizen's.") % {"id": goal_id}})
        if level not in GoalProgressLevel.values:
            raise OutcomeError({"goal_progress": _("Choose the progress of the goal '%(goal)s'.")
                                % {"goal": goals[goal_id]}})
        if found := text_limits.errors(GoalProgress, note=(note or "").strip()):  # a bulk insert: checked here
            raise OutcomeError({"goal_progress": f"{goals[goal_id]}: {found['note']}"})
        progress_rows.append(GoalProgress(follow_up=follow_up, goal=goals[goal_id], progress=level,
                                          note=(note or "").strip()))
    before = {"held_on": None, "outcome": ""}
    follow_up.held_on, follow_up.held_by, follow_up.outcome = held_on, actor, outcome
    follow_up.notes, follow_up.support_need, follow_up.need_fallen = notes.strip(), support_need, need_fallen
    validate(follow_up)
    follow_up.save()
    compliance.mark([citizen.pk])
    GoalProgress.objects.bulk_create(progress_rows)
    if attendance:
        _attendance(follow_up, attendance, actor=actor, channel=channel)
    for row in progress_rows:
        if row.progress == GoalProgressLevel.ACHIEVED and row.goal.status == GoalStatus.ACTIVE:
            row.goal.status = GoalStatus.ACHIEVED
            row.goal.save(update_fields=["status"])
    if who5_answers:
        _measure(citizen, "WHO-5", who5_answers, actor=actor, measured_on=held_on, placement=None,
                 occasion=MeasurementOccasion.FOLLOW_UP, follow_up=follow_up, channel=channel)
    if renegotiation:
        current = (Placement.objects.filter(grant=grant).filter(start__lte=renegotiation["valid_from"])
                   .order_by("-start").first())
        if current is None:
            raise OutcomeError({"renegotiation": _("The grant has no placement to renegotiate.")})
        if not need_fallen:
            raise OutcomeError({"need_fallen": _("A tariff is renegotiated at a follow-up when the assessed need "
                                                 "has fallen: tick that the need has fallen.")})
        current = Placement.objects.select_for_update(of=("self",)).select_related("offer__provider", "grant").get(
            pk=current.pk)
        _renegotiate(current, actor=actor, new_amount=renegotiation["new_amount"],
                     valid_from=renegotiation["valid_from"], follow_up=follow_up,
                     note=renegotiation.get("note", ""), channel=channel)
    audit.record(actor, "change", citizen=citizen, obj=follow_up, channel=channel, before=before,
                 summary=f"Opfølgning holdt {held_on:%d.%m.%Y}: {follow_up.get_outcome_display()}",
                 after={"held_on": held_on.isoformat(), "outcome": outcome,
                        "goal_progress": {str(r.goal_id): r.progress for r in progress_rows}})
    if ending:
        _end_grant(grant, end_on, end_reason, actor=actor, channel=channel)
    else:
        follow_up_for(grant, add_months_clamped(held_on, follow_up_months()), actor=actor, channel=channel)
    return follow_up


def _end_grant(grant: Grant, end_on: datetime.date, reason: str, *, actor, channel: str) -> None:
    """End the grant's placements that run past ``end_on`` (end_placement) and the grant itself."""
    from django.db.models import Q

    from roret.placements import services as placement_services

    for placement in Placement.objects.filter(grant=grant, start__lt=end_on).filter(
            Q(end__isnull=True) | Q(end__gt=end_on)):
        placement_services.end_placement(placement, end_on, reason, actor=actor, channel=channel)
    if Placement.objects.filter(grant=grant, start__gte=end_on).exists():
        raise OutcomeError({"end_on": _("A placement of this grant starts on or after %(day)s; end it first.")
                            % {"day": f"{end_on:%d.%m.%Y}"}})
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    if grant.end is not None and grant.end <= end_on:
        return
    before = {"end": grant.end.isoformat() if grant.end else None}
    grant.end = end_on
    validate(grant)
    grant.save(update_fields=["end"])
    audit.record(actor, "change", citizen=grant.citizen_id, obj=grant, channel=channel, before=before,
                 after={"end": end_on.isoformat()}, summary=f"Bevilling afsluttet {end_on:%d.%m.%Y} ved opfølgning")
