"""Writing the case flow: inquiry, screening, assessment, decision, placement from a decision.

Every function runs in one transaction, checks the permission gate and its input, writes its own
audit entry, and changes nothing when it refuses (CaseError says what and where)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from roret.citizens import cpr as cprlib
from roret.citizens import services as citizen_services
from roret.citizens.models import Citizen, Relative
from roret.core import audit, permissions, text_limits
from roret.core.models import Term
from roret.core.permissions import CHANGE
from roret.core.validation import validate
from roret.offers.models import LegalBasis, Offer
from roret.placements import services as placement_services
from roret.placements.models import Grant
from roret.visitation import deadlines, staircase, themes
from roret.visitation.models import (
    Assessment,
    Decision,
    DecisionKind,
    GuidedTo,
    Inquiry,
    InquirySource,
    InquiryStatus,
    NetworkMeeting,
    NetworkMeetingParticipant,
    Screening,
    ScreeningOutcome,
    ThemeAssessment,
    Transition,
    TransitionKind,
)


class CaseError(ValidationError):
    """Input the case flow refuses; the message says what is wrong and where."""


def _changeable(actor, citizen_id: int, *, lock: bool = False) -> Citizen:
    """The citizen through the gate for "change" (NotInScope outside the actor's scope)."""
    return permissions.fetch(actor, CHANGE, Citizen, citizen_id, lock=lock)


def _require(value, message: str, field: str):
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        raise CaseError({field: message})
    return value


# --- inquiry -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Routed:
    """An inquiry about a citizen in another team's caseload: registered for that team, which
    takes it on. The registering caseworker learns only that it was sent on, never which team
    holds the citizen or what it holds."""

    received_on: datetime.date
    deadline: datetime.date


LOOKUP_PURPOSE = "Opslag på CPR-nummer ved registrering af henvendelse (fordeling til ansvarligt team)"


@transaction.atomic
def register_inquiry(*, actor, source: str, received_on: datetime.date, about: str, paragraph: str,
                     citizen: Citizen | None = None, cpr: str = "", first_name: str = "", last_name: str = "",
                     address: str = "", source_detail: str = "", take_reason: str = "",
                     channel: str = "web") -> Inquiry | Routed:
    """Record an inquiry and start its deadline.

    By CPR number (the look-up is audited with its purpose, against the citizen when one is found):

    - a citizen in the caseworker's own caseload: the inquiry is theirs;
    - a citizen in another team's caseload: the inquiry is registered for that team, unassigned,
      and the answer is :class:`Routed`, which says nothing of the citizen;
    - a known citizen with no responsible team: only with ``take_reason``, which takes the citizen
      into the caseworker's team's caseload as an explicit, audited step
      (``citizens.services.take_into_caseload``); without it a CaseError asks for the reason;
    - an unknown CPR number: the citizen is registered into the caseworker's team's caseload.
    """
    permissions.require_role(actor, permissions.CASEWORKERS, "only a caseworker registers inquiries")
    if source not in InquirySource.values:
        raise CaseError({"source": _("Choose who asked.")})
    if paragraph not in LegalBasis.values:
        raise CaseError({"paragraph": _("Choose the service type the inquiry is about.")})
    _require(about, _("Write what the inquiry is about."), "about")
    if received_on is None or received_on > datetime.date.today():
        raise CaseError({"received_on": _("The day received must be given and not lie in the future.")})
    if citizen is None:
        try:
            number = cprlib.validate(cpr)
        except ValidationError as exc:
            raise CaseError({"cpr": exc.messages}) from exc
        known = Citizen.objects.with_cpr(number).values("pk", "team_id").first()
        audit.record(actor, "search", citizen=known["pk"] if known else None, channel=channel, reason=LOOKUP_PURPOSE,
                     summary=f"CPR-opslag ved ny henvendelse: {cprlib.mask(number)}")
        if known is None:
            _require(first_name, _("Give the citizen's first name."), "first_name")
            _require(last_name, _("Give the citizen's last name."), "last_name")
            citizen = citizen_services.create_citizen(cpr=number, first_name=first_name.strip(),
                                                      last_name=last_name.strip(), address=address.strip(),
                                                      actor=actor, channel=channel)
        elif known["team_id"] is None:
            if not take_reason.strip():
                raise CaseError({"take_reason": _(
                    "The citizen is known to the department but has no responsible team. To take the citizen "
                    "into your team's caseload, write why it is your team's case.")})
            citizen = citizen_services.take_into_caseload(known["pk"], actor=actor, reason=take_reason,
                                                          channel=channel)
        elif known["team_id"] != actor.team_id:
            return _route(known["pk"], known["team_id"], actor=actor, source=source, received_on=received_on,
                          about=about, paragraph=paragraph, source_detail=source_detail, channel=channel)
        else:
            citizen = Citizen(pk=known["pk"])
    citizen = _changeable(actor, citizen.pk)
    inquiry = Inquiry(citizen=citizen, source=source, source_detail=source_detail.strip(), received_on=received_on,
                      about=about.strip(), paragraph=paragraph,
                      deadline=deadlines.deadline_for(received_on, paragraph),
                      caseworker=actor, registered_by=actor, team=citizen.team)
    validate(inquiry)
    inquiry.save()
    audit.record(actor, "create", citizen=citizen, obj=inquiry, channel=channel,
                 summary=f"Henvendelse registreret ({inquiry.get_source_display()}), frist {inquiry.deadline:%d.%m.%Y}",
                 after=audit.snapshot(inquiry, ["source", "received_on", "paragraph", "deadline"]))
    age = citizen.age(received_on)
    if source == InquirySource.CHILDREN and 16 <= age < 18:
        _open_transition(citizen, TransitionKind.YOUTH, actor=actor, opened_on=received_on,
                         expected_need=about.strip(), channel=channel)
    return inquiry


def _route(citizen_id: int, team_id: int, *, actor, source, received_on, about, paragraph, source_detail,
           channel) -> Routed:
    """Register the inquiry for the team that holds the citizen, with no caseworker yet."""
    inquiry = Inquiry(citizen_id=citizen_id, source=source, source_detail=source_detail.strip(),
                      received_on=received_on, about=about.strip(), paragraph=paragraph,
                      deadline=deadlines.deadline_for(received_on, paragraph),
                      caseworker=None, registered_by=actor, team_id=team_id)
    validate(inquiry)
    inquiry.save()
    audit.record(actor, "create", citizen=citizen_id, obj=inquiry, channel=channel,
                 summary=f"Henvendelse registreret og sendt til det ansvarlige team, frist {inquiry.deadline:%d.%m.%Y}",
                 after=audit.snapshot(inquiry, ["source", "received_on", "paragraph", "deadline", "team"]))
    return Routed(received_on=inquiry.received_on, deadline=inquiry.deadline)


@transaction.atomic
def take_inquiry(inquiry: Inquiry, *, actor, channel: str = "web") -> Inquiry:
    """A caseworker of the responsible team takes an unassigned (routed) inquiry as their case."""
    inquiry = permissions.fetch(actor, CHANGE, Inquiry, inquiry.pk, lock=True)
    if inquiry.caseworker_id is not None:
        raise CaseError(_("The inquiry already has a caseworker (%(name)s).")
                        % {"name": inquiry.caseworker.get_full_name() or inquiry.caseworker.get_username()})
    inquiry.caseworker = actor
    inquiry.save(update_fields=["caseworker"])
    audit.record(actor, "change", citizen=inquiry.citizen_id, obj=inquiry, channel=channel,
                 summary="Henvendelse taget som egen sag", before={"caseworker": None}, after={"caseworker": actor.pk})
    return inquiry


# --- screening (step 1) ---------------------------------------------------------------------

@transaction.atomic
def screen(inquiry: Inquiry, *, actor, outcome: str, reason: str, screened_on: datetime.date | None = None,
           guided_to: str = "", guided_to_detail: str = "", channel: str = "web") -> Screening:
    """Step 1: in or out of the target group and service level; "out" records where the citizen
    was guided instead, and closes the inquiry."""
    inquiry = permissions.fetch(actor, CHANGE, Inquiry, inquiry.pk, lock=True)
    citizen = inquiry.citizen
    if hasattr(inquiry, "screening"):
        raise CaseError(_("This inquiry has already been screened (%(day)s).")
                        % {"day": f"{inquiry.screening.screened_on:%d.%m.%Y}"})
    if outcome not in ScreeningOutcome.values:
        raise CaseError({"outcome": _("Choose in or out.")})
    _require(reason, _("Give the reason for the screening's outcome."), "reason")
    screened_on = screened_on or datetime.date.today()
    if screened_on < inquiry.received_on:
        raise CaseError({"screened_on": _("A screening cannot lie before the inquiry was received.")})
    if outcome == ScreeningOutcome.OUT:
        if guided_to not in GuidedTo.values:
            raise CaseError({"guided_to": _("A citizen screened out is guided somewhere: choose where.")})
    else:
        guided_to, guided_to_detail = "", ""
    screening = Screening(inquiry=inquiry, screened_on=screened_on, outcome=outcome, reason=reason.strip(),
                          guided_to=guided_to, guided_to_detail=guided_to_detail.strip(), screened_by=actor)
    validate(screening)
    screening.save()
    if outcome == ScreeningOutcome.OUT:
        inquiry.status, inquiry.closed_on = InquiryStatus.SCREENED_OUT, screened_on
        inquiry.save(update_fields=["status", "closed_on"])
    audit.record(actor, "create", citizen=citizen, obj=screening, channel=channel,
                 summary=f"Screening (trin 1): {screening.get_outcome_display()}",
                 after=audit.snapshot(screening, ["outcome", "guided_to", "screened_on"]))
    return screening


# --- assessment (step 2) --------------------------------------------------------------------

@transaction.atomic
def assess(citizen: Citizen, *, actor, hopes: str, support_need: Term, levels: dict | None = None,
           notes: dict | None = None, assessed_on: datetime.date | None = None, what_matters: str = "",
           target_groups=(), wished_offer_types=(), inquiry: Inquiry | None = None, meeting: dict | None = None,
           channel: str = "web") -> Assessment:
    """Step 2: a new assessment version. ``levels`` maps theme id -> 0..4 or None (not assessed)
    for themes under "Aktivitet og deltagelse"; ``notes`` maps any theme id -> text."""
    citizen = _changeable(actor, citizen.pk, lock=True)
    had_target_groups = citizen.target_groups.exists()
    levels, notes = levels or {}, notes or {}
    _require(hopes, _("Write the citizen's own perspective first: hopes, wishes and dreams in their own words."),
             "hopes")
    if support_need is None or support_need.group != "support_need":
        raise CaseError({"support_need": _("Choose the overall support-need level.")})
    levelled = themes.levelled_theme_ids()
    known = set(Term.objects.filter(group="theme", pk__in=set(levels) | set(notes)).values_list("pk", flat=True))
    for theme_id, level in levels.items():
        if theme_id not in levelled:
            raise CaseError({"levels": _("Theme %(id)s is not under 'Aktivitet og deltagelse'; it takes notes, "
                                         "not a level.") % {"id": theme_id}})
        if level is not None and (not isinstance(level, int) or not 0 <= level <= 4):
            raise CaseError({"levels": _("A functional level is 0 (none) to 4 (complete); got %(level)r.")
                             % {"level": level}})
    unknown = (set(levels) | set(notes)) - known
    if unknown:
        raise CaseError({"notes": _("Unknown FFB themes: %(ids)s.") % {"ids": sorted(unknown)}})
    for term in list(target_groups) + list(wished_offer_types):
        if term.group not in ("target_group", "offer_type"):
            raise CaseError(_("%(term)s is not a target group or an offer type.") % {"term": term})
    assessed_on = assessed_on or datetime.date.today()
    if inquiry is not None and inquiry.citizen_id != citizen.pk:
        raise CaseError(_("The inquiry belongs to another citizen."))
    if inquiry is not None and hasattr(inquiry, "screening") and inquiry.screening.outcome == ScreeningOutcome.OUT:
        raise CaseError(_("The citizen was screened out on this inquiry; register a new inquiry to assess."))
    previous = Assessment.objects.filter(citizen=citizen).aggregate(v=Max("version"))["v"] or 0
    assessment = Assessment(citizen=citizen, inquiry=inquiry, version=previous + 1, assessed_on=assessed_on,
                            hopes=hopes.strip(), what_matters=what_matters.strip(), support_need=support_need,
                            assessed_by=actor)
    validate(assessment)
    assessment.save()
    assessment.target_groups.set(target_groups)
    assessment.wished_offer_types.set(wished_offer_types)
    rows = [ThemeAssessment(assessment=assessment, theme_id=theme_id, level=levels.get(theme_id),
                            notes=(notes.get(theme_id) or "").strip())
            for theme_id in sorted(set(levels) | {k for k, v in notes.items() if (v or "").strip()})]
    for row in rows:  # a bulk insert skips full_clean: the notes' limit is checked here
        if found := text_limits.errors(ThemeAssessment, notes=row.notes):
            raise CaseError({"notes": f"{row.theme.display}: {found['notes']}"})
    ThemeAssessment.objects.bulk_create(rows)
    if meeting:
        meeting_row = NetworkMeeting(assessment=assessment, **meeting)
        try:
            validate(meeting_row)
        except ValidationError as exc:  # the page's fields are meeting_notes, meeting_relatives ...
            raise CaseError({f"meeting_{name}": messages for name, messages in exc.message_dict.items()}) from None
        meeting_row.save()
    if target_groups:
        citizen.target_groups.add(*target_groups)
        if not had_target_groups:
            # The cost segments carry each citizen's first-recorded target group.
            from roret.economy.services import recost_after_commit

            recost_after_commit(citizen.placements.values_list("pk", flat=True))
    audit.record(actor, "create", citizen=citizen, obj=assessment, channel=channel,
                 summary=f"Udredning (trin 2) version {assessment.version}: {support_need.display}",
                 after={"version": assessment.version, "support_need": support_need.display,
                        "levels": {str(k): v for k, v in levels.items()}})
    return assessment


# --- relatives and network at network meetings ----------------------------------------------

def _meeting(actor, meeting: NetworkMeeting) -> NetworkMeeting:
    """The network meeting through the gate for "change", locked, with its citizen."""
    return permissions.fetch(actor, CHANGE, NetworkMeeting.objects.select_related("assessment__citizen"),
                             meeting.pk, via="assessment__citizen", lock=True)


def invite_to_meeting(meeting: NetworkMeeting, relative: Relative | None, *, actor, role: str = "",
                      channel: str = "web") -> NetworkMeetingParticipant:
    """Invite one of the citizen's relatives or network persons to a network meeting. Needs the
    citizen's consent to invite their network to meetings (ConsentSubject.NETWORK_MEETING) valid on
    the meeting's day; a relative of another citizen is never attached."""
    return citizen_services.invite_relative(NetworkMeetingParticipant, meeting, relative, actor=actor,
                                            day=lambda found: found.held_on, what="netværksmøde", role=role,
                                            channel=channel)


@transaction.atomic
def record_meeting_attendance(meeting: NetworkMeeting, attendance: dict, *, actor, channel: str = "web") -> int:
    """Record after a network meeting which invited relatives took part ({participant id:
    Attendance value}); the number of rows changed. Not before the meeting's day."""
    meeting = _meeting(actor, meeting)
    if meeting.held_on > datetime.date.today():
        raise CaseError({"took_part": _("Who took part is recorded after the meeting (%(day)s).")
                         % {"day": f"{meeting.held_on:%d.%m.%Y}"}})
    changed = citizen_services.apply_attendance(list(meeting.participants.select_related("relative")), attendance)
    if changed:
        audit.record(actor, "change", citizen=meeting.assessment.citizen, obj=meeting, channel=channel,
                     summary="Deltagelse i netværksmøde registreret: "
                             + ", ".join(f"{r.relative.name}: {r.get_took_part_display()}" for r in changed),
                     before={str(r.pk): b for r, (b, _a) in changed.items()},
                     after={str(r.pk): a for r, (_b, a) in changed.items()})
    return len(changed)


def theme_differences(assessment: Assessment) -> list[dict]:
    """Per levelled theme: this version's level, the previous version's, and the change
    (negative = functional level improved, since a higher level is a greater reduction)."""
    previous = (Assessment.objects.filter(citizen_id=assessment.citizen_id, version__lt=assessment.version)
                .order_by("-version").first())
    return _differences(assessment.themes.select_related("theme"),
                        previous.themes.select_related("theme") if previous else (), themes.activity_themes())


def assessment_history(citizen: Citizen) -> list[Assessment]:
    """Every version of the citizen's assessment, newest first, each with ``differences``: the
    rows of ``theme_differences`` against the version before it. A fixed number of queries,
    however many versions; the caller has taken the citizen through the gate."""
    versions = list(Assessment.objects.filter(citizen=citizen).select_related("support_need")
                    .prefetch_related("themes__theme", "meetings__participants__relative").order_by("version"))
    tree = themes.activity_themes()
    previous = None
    for assessment in versions:
        assessment.differences = _differences(assessment.themes.all(), previous.themes.all() if previous else (),
                                              tree)
        previous = assessment
    return versions[::-1]


def _differences(current, previous, tree) -> list[dict]:
    now = {t.theme_id: t for t in current}
    before = {t.theme_id: t for t in previous}
    rows = []
    for node in tree:
        for term in [node.term, *node.children]:
            cur, old = now.get(term.pk), before.get(term.pk)
            if cur is None and old is None:
                continue
            level = cur.level if cur else None
            old_level = old.level if old else None
            rows.append({"theme": term, "is_sub": term is not node.term, "level": level, "previous_level": old_level,
                         "label": themes.level_label(level), "previous_label": themes.level_label(old_level),
                         "change": (level - old_level) if level is not None and old_level is not None else None,
                         "notes": cur.notes if cur else ""})
    return rows


# --- decision -------------------------------------------------------------------------------

@transaction.atomic
def decide(citizen: Citizen, *, actor, kind: str, paragraph: str, justification: str,
           assessment: Assessment | None = None, inquiry: Inquiry | None = None, offer_type: Term | None = None,
           offer: Offer | None = None, scope: str = "", hours_per_week: Decimal | None = None,
           start: datetime.date | None = None, review_on: datetime.date | None = None,
           intrusive_reason: str = "", decided_on: datetime.date | None = None, channel: str = "web",
           decided_by=None) -> Decision:
    """A grant or a refusal under a legal paragraph. A grant creates the Grant (on the waiting
    list until placed) and schedules its first follow-up. Choosing a step above the lowest
    adequate one of the staircase proposal needs a written reason.

    ``decided_by`` is the caseworker the decision is made in the name of when that is not the
    actor: the department leader approving a proposal at the visitation meeting (whose own gate is
    the meeting's, checked by the caller). The case's gate and ``decided_by`` are then the
    caseworker's, who keeps the case; the audit rows are the actor's, who made the decision."""
    decided_by = decided_by or actor
    citizen = _changeable(decided_by, citizen.pk, lock=True)
    if assessment is not None and assessment.citizen_id != citizen.pk:
        raise CaseError(_("The assessment belongs to another citizen."))
    # Every problem at once, each on its field, so the page lists them all (not one per submit).
    errors = {}
    if kind not in DecisionKind.values:
        errors["kind"] = _("Choose grant or refusal.")
    if paragraph not in LegalBasis.values:
        errors["paragraph"] = _("A decision needs its legal basis: choose the paragraph it is made under.")
    if not (justification or "").strip():
        errors["justification"] = _("Write the justification the citizen will read in the decision letter.")
    errors.update(text_limits.errors(Decision, justification=(justification or "").strip(), scope=scope.strip(),
                                     intrusive_reason=(intrusive_reason or "").strip()))
    decided_on = decided_on or datetime.date.today()
    if inquiry is None and assessment is not None:
        inquiry = assessment.inquiry
    decision = Decision(citizen=citizen, inquiry=inquiry, assessment=assessment, kind=kind, paragraph=paragraph,
                        justification=(justification or "").strip(), decided_on=decided_on, decided_by=decided_by,
                        scope=scope.strip())
    if kind == DecisionKind.GRANT:
        if offer is not None:
            offer_type = offer_type or offer.offer_type
            if paragraph in LegalBasis.values and offer.legal_basis != paragraph:
                errors["offer"] = (_("%(offer)s is an offer under %(basis)s, not %(paragraph)s.")
                                   % {"offer": offer, "basis": offer.get_legal_basis_display(),
                                      "paragraph": LegalBasis(paragraph).label})
        if offer_type is None or offer_type.group != "offer_type":
            errors["offer_type"] = _("A grant names the kind of offer (FFB offer type) or an offer.")
        if start is None:
            errors["start"] = _("A grant needs its start date.")
        elif review_on is not None and review_on <= start:
            errors["review_on"] = _("The review date must lie after the start.")
        chosen = lowest = None
        if paragraph in LegalBasis.values:
            chosen = staircase.step_of(offer, paragraph)
            lowest = staircase.propose(citizen, assessment, decided_on)[0] if assessment is not None else None
            if lowest is not None and chosen > lowest and not intrusive_reason.strip():
                errors["intrusive_reason"] = _(
                    "Step %(chosen)d is more intrusive than the lowest adequate step %(lowest)d of the staircase: "
                    "write why the less intrusive offers are not adequate.") % {"chosen": chosen, "lowest": lowest}
        if errors:
            raise CaseError(errors)
        decision.offer_type, decision.offer, decision.start, decision.review_on = offer_type, offer, start, review_on
        decision.hours_per_week, decision.chosen_step, decision.lowest_adequate_step = hours_per_week, chosen, lowest
        decision.intrusive_reason = intrusive_reason.strip() if lowest is not None and chosen > lowest else ""
        decision.grant = placement_services.grant_for(
            citizen, paragraph=paragraph, offer_type=offer_type, start=start, actor=actor, scope=scope.strip(),
            hours_per_week=hours_per_week, review_on=review_on, preferred_offer=offer, channel=channel,
            decided_by=decided_by)
    elif errors:  # a refusal (or no kind chosen): the errors found so far
        raise CaseError(errors)
    validate(decision)
    decision.save()
    if decision.grant is not None:
        from roret.outcomes import services as outcome_services

        outcome_services.follow_up_for(decision.grant, outcome_services.first_follow_up_due(decision.grant),
                                       actor=actor, channel=channel)
    if inquiry is not None and inquiry.status == InquiryStatus.OPEN:
        inquiry.status, inquiry.closed_on = InquiryStatus.DECIDED, decided_on
        inquiry.save(update_fields=["status", "closed_on"])
    audit.record(actor, "create", citizen=citizen, obj=decision, channel=channel,
                 summary=f"Afgørelse: {decision.get_kind_display()} efter {decision.get_paragraph_display()}",
                 after=audit.snapshot(decision, ["kind", "paragraph", "offer", "start", "review_on", "chosen_step",
                                                 "lowest_adequate_step"]))
    return decision


@transaction.atomic
def place_from_decision(decision: Decision, offer: Offer, start: datetime.date, *, actor,
                        over_occupancy_reason: str = "", agreed_amount: Decimal | None = None,
                        external_reason: str = "", channel: str = "web"):
    """Place the granted citizen through the one placement path (start_placement); a new
    residential placement gets its first follow-up three months after move-in."""
    if decision.grant_id is None:
        raise CaseError(_("Only a granting decision can be placed."))
    grant = Grant.objects.get(pk=decision.grant_id)
    # start_placement takes the citizen through the gate (for "change") and locks it.
    placement = placement_services.start_placement(grant, offer, start, actor=actor, channel=channel,
                                                   over_occupancy_reason=over_occupancy_reason,
                                                   agreed_amount=agreed_amount, external_reason=external_reason)
    if placement.is_residential:
        from roret.outcomes import services as outcome_services

        outcome_services.follow_up_for(grant, outcome_services.residential_follow_up_due(start),
                                       actor=actor, channel=channel, earlier_only=True)
    return placement


@transaction.atomic
def wait_for_offer(decision: Decision, offer: Offer, *, actor, channel: str = "web") -> Grant:
    """Put the grant on the waiting list for ``offer`` (a grant without a placement waits)."""
    if decision.grant_id is None:
        raise CaseError(_("Only a granting decision can wait for a place."))
    grant = permissions.fetch(actor, CHANGE, Grant, decision.grant_id, lock=True)
    before = audit.snapshot(grant, ["preferred_offer"])
    grant.preferred_offer = offer
    grant.save(update_fields=["preferred_offer"])
    audit.record(actor, "change", citizen=grant.citizen_id, obj=grant, channel=channel,
                 summary=f"Bevilling sat på venteliste til {offer}", before=before,
                 after=audit.snapshot(grant, ["preferred_offer"]))
    return grant


# --- transitions ----------------------------------------------------------------------------

@transaction.atomic
def open_transition(citizen: Citizen, kind: str, *, actor, opened_on: datetime.date | None = None,
                    expected_need: str = "", channel: str = "web") -> Transition:
    citizen = _changeable(actor, citizen.pk)
    return _open_transition(citizen, kind, actor=actor, opened_on=opened_on, expected_need=expected_need,
                            channel=channel)


def _open_transition(citizen: Citizen, kind: str, *, actor, opened_on, expected_need, channel) -> Transition:
    """open_transition for a citizen the caller has fetched for "change"."""
    existing = Transition.objects.filter(citizen=citizen, kind=kind, closed_on__isnull=True).first()
    if existing is not None:
        return existing
    transition = Transition(citizen=citizen, kind=kind, opened_on=opened_on or datetime.date.today(),
                            expected_need=expected_need)
    validate(transition)
    transition.save()
    audit.record(actor, "create", citizen=citizen, obj=transition, channel=channel,
                 summary=f"Overgang åbnet: {transition.get_kind_display()}")
    return transition


@transaction.atomic
def tick_checklist(transition: Transition, item: str, *, actor, done_on: datetime.date | None = None,
                   done: bool = True, channel: str = "web") -> Transition:
    from roret.visitation.models import YOUTH_CHECKLIST

    transition = permissions.fetch(actor, CHANGE, Transition, transition.pk, lock=True)
    if item not in dict(YOUTH_CHECKLIST):
        raise CaseError(_("Unknown checklist item %(item)r.") % {"item": item})
    before = dict(transition.checklist)
    if done:
        transition.checklist[item] = (done_on or datetime.date.today()).isoformat()
    else:
        transition.checklist.pop(item, None)
    transition.save(update_fields=["checklist"])
    audit.record(actor, "change", citizen=transition.citizen_id, obj=transition, channel=channel,
                 summary=f"Overleveringstjekliste: {dict(YOUTH_CHECKLIST)[item]}", before=before,
                 after=transition.checklist)
    return transition


@transaction.atomic
def close_transition(transition: Transition, *, actor, end_reason: str, closed_on: datetime.date | None = None,
                     channel: str = "web") -> Transition:
    transition = permissions.fetch(actor, CHANGE, Transition, transition.pk, lock=True)
    _require(end_reason, _("Give the reason the transition ends."), "end_reason")
    longest = Transition._meta.get_field("end_reason").max_length
    if len(end_reason.strip()) > longest:
        raise ValidationError(_("The reason (with a note) is %(length)s characters; at most %(max)s are kept.")
                              % {"length": len(end_reason.strip()), "max": longest}, code="end_reason")
    transition.closed_on, transition.end_reason = closed_on or datetime.date.today(), end_reason.strip()
    transition.save(update_fields=["closed_on", "end_reason"])
    audit.record(actor, "change", citizen=transition.citizen_id, obj=transition, channel=channel,
                 summary=f"Overgang afsluttet: {transition.end_reason}")
    return transition


def elderly_care_note_limit() -> int:
    """How long the note of a move to elderly care may be: it is kept after the end reason's label in
    the transition's end reason."""
    from roret.placements.models import EndReason

    return text_limits.of(Transition, "end_reason") - len(f"{EndReason.ELDERLY_CARE.label}: ")


@transaction.atomic
def move_to_elderly_care(citizen: Citizen, *, actor, on: datetime.date, note: str = "", channel: str = "web") -> list:
    """End the citizen's current placements with the end reason "moved to elderly care" and
    close the elderly-care transition with that reason."""
    from roret.placements.models import EndReason, Placement

    citizen = _changeable(actor, citizen.pk)
    text_limits.check(_("Note"), note.strip(), elderly_care_note_limit(), "note", CaseError)
    current = list(Placement.objects.filter(citizen=citizen, start__lt=on).filter(Q(end__isnull=True) | Q(end__gt=on)))
    if not current:
        raise CaseError(_("%(name)s has no current placement to end.") % {"name": citizen.name})
    ended = [placement_services.end_placement(p, on, EndReason.ELDERLY_CARE, actor=actor, channel=channel)
             for p in current]
    transition = _open_transition(citizen, TransitionKind.ELDERLY, actor=actor, opened_on=on, expected_need="",
                                  channel=channel)
    close_transition(transition, actor=actor, closed_on=on, channel=channel,
                     end_reason=(EndReason.ELDERLY_CARE.label + (f": {note.strip()}" if note.strip() else "")))
    return ended
