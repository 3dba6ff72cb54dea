"""The citizen's own page in the demo: a few citizens with an account, their own WHO-5 answers (and,
from the last two years' follow-up meetings, answers citizens gave on a tablet there),
ratings of their goals and responses to their action plans, the caseworker's reads they see in
their access log, and invitations in each state; one open invitation with a known link and code,
so `make run` can show the citizen's side (DEMO_LINK, DEMO_CODE)."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from roret.citizens.models import Citizen
from roret.core.models import AuditEntry, Role, User
from roret.demo.caseflow import _measurement, _who5
from roret.helm.models import CitizenAccount, GoalRating, Invitation, PlanResponse
from roret.helm.services import digest
from roret.outcomes.models import Goal, GoalStatus, MeasurementOccasion

ACCOUNTS = 12
#: The demo's open invitation: /me/invitation/demo-borger/ with the code HJEM-2345.
DEMO_TOKEN, DEMO_CODE = "demo-borger", "HJEM2345"
DEMO_LINK = f"/me/invitation/{DEMO_TOKEN}/"
WENT_WELL = ["Jeg har lavet mad selv tre gange", "Jeg kom afsted til aktivitetshuset hver tirsdag",
             "Jeg har sovet bedre", "Jeg har handlet ind sammen med min kontaktperson", ""]
MATTERS_NOW = ["At få en fast rytme om morgenen", "At se min søster oftere", "At klare min økonomi selv",
               "At komme ud at gå", ""]
COMMENTS = ["Jeg er enig, men vil gerne starte lidt senere.", "Det lyder godt.",
            "Jeg vil hellere have hjælp om eftermiddagen.", ""]
DAY = datetime.timedelta(days=1)


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def build_helm(builder) -> dict:
    rng, today = random.Random(builder.seed + 909), builder.today
    goals: dict[int, list[int]] = {}
    for goal_id, citizen_id in (Goal.objects.filter(status=GoalStatus.ACTIVE, citizen__team__isnull=False)
                                .order_by("citizen_id", "pk").values_list("pk", "citizen_id")):
        goals.setdefault(citizen_id, []).append(goal_id)
    chosen = rng.sample(sorted(goals), min(ACCOUNTS, len(goals)))
    citizens = Citizen.objects.in_bulk(chosen)
    caseworkers = {u.team_id: u for u in User.objects.filter(role=Role.CASEWORKER).order_by("-pk")}
    users = [User(username=f"borger-{cid}-demo", role=Role.CITIZEN, password="!")  # "!": no password
             for cid in chosen]
    User.objects.bulk_create(users)
    users = list(User.objects.filter(username__in=[u.username for u in users]).order_by("username"))
    by_name = {u.username: u for u in users}
    accounts = [CitizenAccount(user=by_name[f"borger-{cid}-demo"], citizen_id=cid,
                               created=_aware(today - rng.randint(20, 120) * DAY, 10)) for cid in chosen]
    CitizenAccount.objects.bulk_create(accounts)
    measurements, ratings, responses, invitations, audits = [], [], [], [], []
    for i, account in enumerate(accounts):
        cid, user = account.citizen_id, account.user
        caseworker = caseworkers.get(citizens[cid].team_id)
        for weeks in (8, 4, 0):
            measurements.append(_measurement(cid, today - (weeks * 7 + rng.randint(0, 3)) * DAY,
                                             _who5(rng, rng.uniform(2.2, 3.8)), MeasurementOccasion.OTHER,
                                             recorded_by=user, self_reported=True))
        for goal_id in goals[cid][:2]:
            ratings.append(GoalRating(goal_id=goal_id, citizen_id=cid, rating=rng.randint(3, 9),
                                      went_well=rng.choice(WENT_WELL), matters_now=rng.choice(MATTERS_NOW),
                                      rated_on=today - rng.randint(1, 20) * DAY, entered_by=user))
        comment = rng.choice(COMMENTS)
        responses.append(PlanResponse(citizen_id=cid, comment=comment, agrees=rng.choice([True, True, False, None])
                                      if comment else True, created=_aware(today - rng.randint(1, 20) * DAY, 14),
                                      entered_by=user))
        issued = _aware(today - rng.randint(21, 120) * DAY, 11)
        token = f"demo-used-{cid}"
        invitations.append(Invitation(citizen_id=cid, issued_by=caseworker, issued_at=issued,
                                      expires=issued + 14 * DAY, token_digest=digest("token", token),
                                      code_digest="-", used_at=issued + DAY))
        if caseworker is not None:
            # What the citizen sees in their access log: their caseworker's reads of the record.
            for days in (rng.randint(1, 10), rng.randint(11, 40)):
                audits.append(AuditEntry(actor=caseworker, actor_name=caseworker.username, actor_role=caseworker.role,
                                         action="view", citizen_id=cid, object_type="citizens.citizen",
                                         object_id=str(cid), summary="Borgerjournal vist",
                                         at=_aware(today - days * DAY, 9 + i % 7)))
    # The demo's open invitation (known link and code) and one expired and one revoked one.
    first = accounts[0].citizen_id
    caseworker = caseworkers.get(citizens[first].team_id)
    now = _aware(today, 8)
    token_digest = digest("token", DEMO_TOKEN)
    invitations.append(Invitation(citizen_id=first, issued_by=caseworker, issued_at=now, expires=now + 14 * DAY,
                                  token_digest=token_digest, code_digest=digest("code", f"{token_digest}:{DEMO_CODE}")))
    for state, token in (("expired", "demo-expired"), ("revoked", "demo-revoked")):
        issued = _aware(today - 40 * DAY, 10)
        invitations.append(Invitation(citizen_id=accounts[1].citizen_id, issued_by=caseworker, issued_at=issued,
                                      expires=issued + 14 * DAY, token_digest=digest("token", token), code_digest="-",
                                      revoked_at=issued + DAY if state == "revoked" else None,
                                      revoked_by=caseworker if state == "revoked" else None))
    from roret.outcomes.models import Measurement

    Measurement.objects.bulk_create(measurements)
    tablet = _answered_on_a_tablet(rng, today)
    GoalRating.objects.bulk_create(ratings)
    PlanResponse.objects.bulk_create(responses)
    Invitation.objects.bulk_create(invitations)
    AuditEntry.objects.bulk_create(sorted(audits, key=lambda e: e.at))
    return {"accounts": len(accounts), "self_reported": len(measurements) + tablet, "ratings": len(ratings),
            "invitations": len(invitations)}


#: The share of the last two years' follow-up WHO-5 answers the citizen gave on a tablet at the meeting.
TABLET_SHARE = 0.3


def _answered_on_a_tablet(rng: random.Random, today: datetime.date) -> int:
    """Before the citizen's own page, citizens answered WHO-5 themselves at follow-up meetings, on a
    tablet with the staff member beside them: marked self-reported, as the page's answers are, so the
    KPI report's and the balance view's completed half-years count both kinds, not staff's alone."""
    from roret.outcomes.models import Measurement

    found = (Measurement.objects.filter(self_reported=False, occasion=MeasurementOccasion.FOLLOW_UP,
                                        measured_on__gte=today - 730 * DAY, measured_on__lte=today)
             .order_by("pk").values_list("pk", flat=True))
    chosen = [pk for pk in found if rng.random() < TABLET_SHARE]
    for start in range(0, len(chosen), 5000):
        Measurement.objects.filter(pk__in=chosen[start:start + 5000]).update(self_reported=True)
    return len(chosen)
