"""The demo's relatives and network at the meetings: the citizen's consents to invite the network
to meetings and to share with relatives, relatives invited to network meetings and follow-ups (who
took part, at past ones), and goals with a supporter from the network.

Deterministic for a seed with a generator of its own (``random.Random(seed + 505)``), so the rest of
the demo draws as before; rows read in primary-key order, written with bulk inserts after the case
flow. Every invitation is covered by a consent given before the meeting, as the services require."""

import datetime
import random

from roret.citizens.models import Attendance, Consent, ConsentSubject, Relative
from roret.outcomes.models import FollowUp, FollowUpParticipant, Goal, GoalSupporter
from roret.visitation.models import NetworkMeeting, NetworkMeetingParticipant

DAY = datetime.timedelta(days=1)
# What a relative was at the meeting for, beyond who they are (mostly nothing more).
ROLES = ["", "", "", "Støtteperson for borgeren", "Bisidder", "Kontaktperson i familien", "Tovholder for netværket"]
SUPPORT = ["Følges med til træning om tirsdagen", "Laver mad sammen om søndagen", "Ringer og minder om aftaler",
           "Hjælper med at handle ind", "Går tur rundt om søen sammen", "Hjælper med regningerne en gang om måneden"]


def build_network(today: datetime.date, seed: int) -> dict:
    """Write the consents, invitations and supporters; how many of each."""
    rng = random.Random(seed + 505)
    relatives: dict[int, list[Relative]] = {}
    for r in Relative.objects.order_by("pk").only("pk", "citizen_id"):
        relatives.setdefault(r.citizen_id, []).append(r)
    meetings = list(NetworkMeeting.objects.filter(assessment__citizen_id__in=relatives)
                    .select_related("assessment").order_by("pk").only("pk", "held_on", "assessment__citizen_id"))
    follow_ups = list(FollowUp.objects.filter(citizen_id__in=relatives).order_by("pk")
                      .only("pk", "citizen_id", "due_on", "held_on"))
    goals = list(Goal.objects.filter(citizen_id__in=relatives).order_by("pk").only("pk", "citizen_id", "created_on"))
    # Each citizen's first day the network could be part of: consents are given before it.
    first: dict[int, datetime.date] = {}
    for citizen_id, day in ([(m.assessment.citizen_id, m.held_on) for m in meetings]
                            + [(f.citizen_id, f.held_on or f.due_on) for f in follow_ups]
                            + [(g.citizen_id, g.created_on) for g in goals]):
        first[citizen_id] = min(day, first.get(citizen_id, day))
    consents, meeting_consent, share_consent = [], set(), set()
    for citizen_id in sorted(first):
        given = min(first[citizen_id], today) - rng.randint(1, 30) * DAY
        if rng.random() < 0.7:
            meeting_consent.add(citizen_id)
            consents.append(Consent(citizen_id=citizen_id, subject=ConsentSubject.NETWORK_MEETING, given_on=given,
                                    given_by="Borgeren", description="Netværket må inviteres til møder"))
        if rng.random() < 0.5:
            share_consent.add(citizen_id)
            consents.append(Consent(citizen_id=citizen_id, subject=ConsentSubject.SHARE_RELATIVES, given_on=given,
                                    given_by="Borgeren", description="Må dele mål og plan med de nævnte pårørende"))
    Consent.objects.bulk_create(consents, batch_size=2000)

    def invited(citizen_id: int, k_max: int) -> list[Relative]:
        pool = relatives[citizen_id]
        return rng.sample(pool, k=min(len(pool), rng.randint(1, k_max)))

    def attendance(day: datetime.date | None) -> str:
        if day is None or day > today:
            return Attendance.UNKNOWN
        return Attendance.YES if rng.random() < 0.8 else Attendance.NO

    at_meetings = []
    for m in meetings:
        if m.assessment.citizen_id in meeting_consent and rng.random() < 0.8:
            for r in invited(m.assessment.citizen_id, 2):
                at_meetings.append(NetworkMeetingParticipant(
                    meeting_id=m.pk, relative_id=r.pk, invited_on=m.held_on - rng.randint(3, 14) * DAY,
                    took_part=attendance(m.held_on), role=rng.choice(ROLES)))
    NetworkMeetingParticipant.objects.bulk_create(at_meetings, batch_size=2000)
    at_follow_ups = []
    for f in follow_ups:
        if f.citizen_id in meeting_consent and rng.random() < (0.5 if f.held_on else 0.3):
            day = f.held_on or max(f.due_on, today)
            for r in invited(f.citizen_id, 1):
                at_follow_ups.append(FollowUpParticipant(
                    follow_up_id=f.pk, relative_id=r.pk, invited_on=min(today, day - rng.randint(3, 14) * DAY),
                    took_part=attendance(f.held_on), role=rng.choice(ROLES)))
    FollowUpParticipant.objects.bulk_create(at_follow_ups, batch_size=2000)
    supporters = []
    for g in goals:
        if g.citizen_id in share_consent and rng.random() < 0.6:
            r = rng.choice(relatives[g.citizen_id])
            supporters.append(GoalSupporter(goal_id=g.pk, relative_id=r.pk, how=rng.choice(SUPPORT),
                                            named_on=min(today, g.created_on + rng.randint(0, 14) * DAY)))
    GoalSupporter.objects.bulk_create(supporters, batch_size=2000)
    return {"consents": len(consents), "meeting_participants": len(at_meetings),
            "follow_up_participants": len(at_follow_ups), "supporters": len(supporters)}
