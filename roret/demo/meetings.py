"""The demo's visitation meetings: a weekly meeting with the department leader over the last four
months, whose approvals are how the recent §107 and §108 decisions came about (some approved with
changes, some first sent back), and the next meeting with a few proposals on its agenda.

Deterministic with the demo's seed; reads only the recent residential decisions (a few dozen), so it
costs the same at 1,200 and at 100,000 citizens."""

import datetime
import random
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from roret.core.models import AuditEntry, Role, Term, User
from roret.economy import engine
from roret.meetings import services as meeting_services
from roret.meetings.models import Meeting, MeetingStatus, Proposal, ProposalStatus
from roret.offers.models import Offer
from roret.visitation import services as case_services
from roret.visitation.models import Decision, Inquiry

DAY = datetime.timedelta(days=1)
WEEKS_BACK = 16
MEETING_WEEKDAY = 3  # Thursday
CHANGE_REASONS = [
    "Mødet fastholder tilbuddet, men revurderingen fremrykkes et halvt år.",
    "Godkendt med en kortere periode: midlertidigt ophold, så overgang til eget hjem prøves først.",
    "Godkendt med ændret omfang efter drøftelse af borgerens ønsker.",
]
SEND_BACK_REASONS = [
    "Udredningen mangler en vurdering af, om bostøtte i eget hjem (§85) er prøvet. Beskriv det.",
    "Indhent borgerens og netværkets ønsker fra netværksmødet, før sagen forelægges igen.",
    "Et egnet eget tilbud har en ledig plads om en måned: undersøg det før et eksternt tilbud.",
]


def _meeting_day_on_or_before(day: datetime.date) -> datetime.date:
    return day - (day.weekday() - MEETING_WEEKDAY) % 7 * DAY


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def build_meetings(builder) -> dict:
    rng, today = random.Random(builder.seed + 14), builder.today
    leader = User.objects.get(username="leader")
    meeting_services.set_rule(actor=leader, paragraphs=["SEL107", "SEL108"], external_offers=True,
                              yearly_cost_above=Decimal("1000000"), channel="cli")
    caseworkers = list(User.objects.filter(role=Role.CASEWORKER, is_active=True).order_by("pk"))
    # The recent residential decisions: each was approved at the weekly meeting on or before its day.
    since = _meeting_day_on_or_before(today - WEEKS_BACK * 7 * DAY)
    decisions = list(Decision.objects.filter(kind="grant", decided_on__gte=since, decided_on__lt=today)
                     .filter(Q(paragraph__in=["SEL107", "SEL108"])
                             | Q(offer__isnull=False) & ~Q(offer__provider__kind="own"))
                     .select_related("offer").order_by("decided_on", "pk"))
    days = sorted({_meeting_day_on_or_before(d.decided_on) for d in decisions}
                  | {_meeting_day_on_or_before(today - DAY) - 7 * w * DAY for w in range(WEEKS_BACK)})
    days = [d for d in days if since <= d < today]
    meetings = Meeting.objects.bulk_create([Meeting(held_on=d, status=MeetingStatus.HELD, planned_by=leader)
                                            for d in days])
    by_day = {m.held_on: m for m in meetings}
    Through = Meeting.participants.through
    Through.objects.bulk_create([Through(meeting_id=m.pk, user_id=u.pk) for m in meetings
                                 for u in [leader] + rng.sample(caseworkers, k=min(2, len(caseworkers)))])
    tariffs = {}

    def cost(offer, day):
        if offer is None:
            return None
        if (offer.pk, day.year) not in tariffs:
            row = offer.tariff_on(day)
            tariffs[(offer.pk, day.year)] = None if row is None else engine.yearly_cost(row)
        return tariffs[(offer.pk, day.year)]

    proposals = []
    for d in decisions:
        meeting = by_day[_meeting_day_on_or_before(d.decided_on)]
        fields = dict(citizen_id=d.citizen_id, assessment_id=d.assessment_id, kind=d.kind, paragraph=d.paragraph,
                      offer_type_id=d.offer_type_id, offer_id=d.offer_id, scope=d.scope,
                      hours_per_week=d.hours_per_week, start=d.start, review_on=d.review_on,
                      justification=d.justification, intrusive_reason=d.intrusive_reason,
                      proposed_step=d.chosen_step, lowest_adequate_step=d.lowest_adequate_step,
                      yearly_cost=cost(d.offer, d.decided_on), proposed_by_id=d.decided_by_id)
        if d.assessment_id is None:
            continue
        earlier = by_day.get(meeting.held_on - 7 * DAY)
        if earlier is not None and rng.random() < 0.15:
            proposals.append(Proposal(meeting=earlier, **fields, proposed_at=_aware(earlier.held_on - 3 * DAY, 10),
                                      status=ProposalStatus.SENT_BACK, reason=rng.choice(SEND_BACK_REASONS),
                                      handled_by=leader, handled_at=_aware(earlier.held_on, 11)))
        changed = rng.random() < 0.2
        reason = ""
        if changed:
            # What was proposed differs from what was decided by what the meeting changed.
            if d.review_on is not None:
                reason, fields["review_on"] = CHANGE_REASONS[0], d.review_on + 182 * DAY
            else:
                reason, fields["scope"] = CHANGE_REASONS[2], "Døgnstøtte efter behov"
        proposals.append(Proposal(meeting=meeting, **fields, proposed_at=_aware(meeting.held_on - 3 * DAY, 10),
                                  status=ProposalStatus.CHANGED if changed else ProposalStatus.APPROVED,
                                  reason=reason, decision_id=d.pk,
                                  handled_by=leader, handled_at=_aware(meeting.held_on, 11)))
    Proposal.objects.bulk_create(proposals, batch_size=2000)
    AuditEntry.objects.bulk_create([AuditEntry(
        actor=leader, actor_name=leader.username, actor_role=leader.role, action="change", citizen_id=p.citizen_id,
        object_type="meetings.proposal", object_id=str(p.pk), channel="cli",
        summary=f"Visitationsmødet: {p.get_status_display()}") for p in proposals], batch_size=2000)
    upcoming = _upcoming(builder, rng, leader, caseworkers)
    return {"meetings": len(meetings) + 1, "proposals": len(proposals) + upcoming}


def _upcoming(builder, rng, leader, caseworkers) -> int:
    """The next meeting, planned by the leader, and proposals made through the real services: open
    §107/§108 cases screened in, assessed by their caseworker and proposed to it."""
    today = builder.today
    next_day = _meeting_day_on_or_before(today + 7 * DAY)
    next_day = next_day if next_day > today else next_day + 7 * DAY
    upcoming = meeting_services.plan_meeting(actor=leader, held_on=next_day, participants=[leader] + caseworkers[:2],
                                  channel="cli")
    last_held = Meeting.objects.filter(status=MeetingStatus.HELD).order_by("-held_on").first()
    cases = list(Inquiry.objects.filter(status="open", paragraph__in=["SEL107", "SEL108"], screening__outcome="in",
                                        caseworker__isnull=False).select_related("citizen", "caseworker")
                 .order_by("pk")[:40])
    rng.shuffle(cases)
    # The demo caseworker's own cases first, so `caseworker` sees them on the overview.
    cases.sort(key=lambda inquiry: inquiry.caseworker.username != "caseworker")
    offers = {basis: list(Offer.objects.filter(legal_basis=basis, requires_visitation=True).order_by("pk"))
              for basis in ("SEL107", "SEL108")}
    need = Term.objects.get(group="support_need", display="Højt støttebehov")
    made = 0
    for inquiry in cases:
        if made >= 4:
            break
        if not offers[inquiry.paragraph]:
            continue
        worker = inquiry.caseworker
        assessment = case_services.assess(inquiry.citizen, actor=worker, inquiry=inquiry, support_need=need,
                                          hopes="Jeg vil gerne have et sted, hvor der er nogen om aftenen.",
                                          channel="cli")
        offer = rng.choice(offers[inquiry.paragraph])
        proposal = meeting_services.propose(
            inquiry.citizen, actor=worker, assessment=assessment, kind="grant", paragraph=inquiry.paragraph,
            offer=offer, start=today + 30 * DAY, review_on=today + 395 * DAY, channel="cli",
            justification="Udredningen viser behov for støtte hele døgnet; mindre indgribende støtte er prøvet.",
            intrusive_reason="Bostøtte i eget hjem er prøvet uden tilstrækkelig effekt.")
        made += 1
        if proposal.meeting_id != upcoming.pk:  # a demo built for another day than today
            meeting_services.schedule(proposal, upcoming, actor=leader, channel="cli")
        if made == 2 and last_held is not None:
            # One was on last week's agenda and came back to the caseworker with the meeting's reason.
            Proposal.objects.filter(pk=proposal.pk).update(meeting=last_held)
            meeting_services.send_back(proposal, actor=leader, reason=SEND_BACK_REASONS[0], channel="cli")
    return made
