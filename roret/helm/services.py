"""The citizen's own page: issuing, revoking and redeeming one-time invitations, and what the
citizen enters themself. Every write is audited here; the citizen's entries name the citizen's
own user as the actor, so the log says they were entered by the citizen."""

from __future__ import annotations

import datetime
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from roret.citizens.models import Citizen
from roret.core import audit, permissions, text_limits
from roret.core.models import AuditAction, AuditEntry, Role, User
from roret.core.permissions import CHANGE, SELF_REPORT
from roret.core.validation import validate
from roret.helm.models import (
    CitizenAccount,
    GoalRating,
    Invitation,
    InvitationState,
    PlanResponse,
    RedeemFailure,
)
from roret.outcomes.models import Goal, GoalProgress, GoalProgressLevel

#: The code's letters: no 0/O, 1/I/L, so it reads aloud and types without mistakes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
#: The longest code the page takes (the 8 letters with spaces or dashes between them).
CODE_FIELD_LIMIT = 20
RATING_MIN, RATING_MAX = 1, 10


class HelmError(Exception):
    """A citizen-facing refusal, with a message in plain words."""


def digest(purpose: str, value: str) -> str:
    """The keyed SHA-256 of a link token ("token") or of a code bound to its link ("code")."""
    return salted_hmac(f"roret.helm.{purpose}", value, algorithm="sha256").hexdigest()


def normalise_code(code: str) -> str:
    """The code as typed, without spaces or dashes and in capitals ("abcd-efgh" is "ABCDEFGH")."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:40]


def show_code(code: str) -> str:
    """The code as it is handed over: two groups of four ("ABCD-EFGH")."""
    return f"{code[:4]}-{code[4:]}"


@dataclass(frozen=True)
class Issued:
    invitation: Invitation
    token: str   # for the link, shown once
    code: str    # given to the citizen in person, shown once


@transaction.atomic
def issue_invitation(citizen: Citizen, *, actor, channel: str = "web") -> Issued:
    """A new one-time invitation to the citizen's own page, issued by a caseworker of the citizen's
    team. Earlier invitations still open are revoked, so only the newest link works."""
    citizen = permissions.fetch(actor, CHANGE, Citizen, citizen.pk, lock=True)
    now = timezone.now()
    for old in Invitation.objects.select_for_update().filter(citizen=citizen, used_at__isnull=True,
                                                             revoked_at__isnull=True, expires__gt=now):
        _revoke(old, actor=actor, channel=channel, why="erstattet af en ny invitation")
    token = secrets.token_urlsafe(32)
    code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    token_digest = digest("token", token)
    invitation = Invitation(citizen=citizen, issued_by=actor, issued_at=now,
                            expires=now + datetime.timedelta(days=settings.HELM_INVITATION_DAYS),
                            token_digest=token_digest, code_digest=digest("code", f"{token_digest}:{code}"))
    validate(invitation)
    invitation.save()
    audit.record(actor, AuditAction.CREATE, citizen=citizen, obj=invitation, channel=channel,
                 summary=f"Invitation til borgerens egen side udstedt (gyldig til {invitation.expires:%d.%m.%Y})",
                 after={"expires": invitation.expires.isoformat()})
    return Issued(invitation, token, code)


def _revoke(invitation: Invitation, *, actor, channel: str, why: str) -> None:
    invitation.revoked_at, invitation.revoked_by = timezone.now(), actor
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(actor, AuditAction.CHANGE, citizen=invitation.citizen_id, obj=invitation, channel=channel,
                 summary=f"Invitation til borgerens egen side tilbagekaldt ({why})",
                 before={"revoked": False}, after={"revoked": True})


@transaction.atomic
def revoke_invitation(invitation_pk, *, actor, channel: str = "web") -> Invitation:
    """Withdraw an invitation that has not been used (a caseworker of the citizen's team)."""
    invitation = permissions.fetch(actor, CHANGE, Invitation, invitation_pk, lock=True)
    if invitation.state() == InvitationState.OPEN:
        _revoke(invitation, actor=actor, channel=channel, why="af sagsbehandleren")
    return invitation


@transaction.atomic
def end_citizen_sessions(citizen: Citizen, *, actor, channel: str = "web", why: str = "") -> bool:
    """Log the citizen out of their own page everywhere (a tablet left signed in, an invitation
    that reached the wrong person), by a caseworker of the citizen's team: every session of the
    citizen's account ends at its next request, as staff's "log out everywhere" does
    (roret.core.sessions.end_all). Audited. False, and nothing written, when the citizen has no
    account (never signed in)."""
    from roret.core.sessions import end_all

    citizen = permissions.fetch(actor, CHANGE, Citizen, citizen.pk, lock=True)
    account = CitizenAccount.objects.select_related("user").filter(citizen=citizen).first()
    if account is None:
        return False
    before = account.user.session_generation
    end_all(account.user)
    audit.record(actor, AuditAction.CHANGE, citizen=citizen, obj=account.user, channel=channel,
                 summary="Borgeren logget ud af sin egen side på alle enheder af sagsbehandleren"
                         + (f" ({why})" if why else ""),
                 before={"session_generation": before}, after={"session_generation": account.user.session_generation})
    return True


def invitations_of(citizen: Citizen):
    return Invitation.objects.filter(citizen=citizen).select_related("issued_by", "revoked_by")


def find_invitation(token: str) -> Invitation | None:
    """The invitation a link's token belongs to, or None (the token is compared by its digest)."""
    if not token or len(token) > 100:
        return None
    return Invitation.objects.filter(token_digest=digest("token", token)).first()


def address_blocked(ip: str | None) -> bool:
    """Whether the address has tried too many wrong codes or links lately."""
    since = timezone.now() - datetime.timedelta(minutes=settings.HELM_ADDRESS_MINUTES)
    return RedeemFailure.objects.filter(ip=ip or None, at__gte=since).count() >= settings.HELM_ADDRESS_ATTEMPTS


REFUSALS = {
    "address": "for mange forkerte forsøg fra adressen",
    "unknown": "ukendt link",
    InvitationState.USED: "invitationen er allerede brugt",
    InvitationState.EXPIRED: "invitationen er udløbet",
    InvitationState.REVOKED: "invitationen er tilbagekaldt",
    InvitationState.BLOCKED: "invitationen er spærret efter for mange forkerte koder",
}


def refusal_message(reason: str) -> str:
    """What the citizen is told, in plain words."""
    return {
        "address": _("There have been too many wrong tries from here. Wait a while, or ask your caseworker."),
        "unknown": _("This link does not work. Ask your caseworker for a new invitation."),
        InvitationState.USED: _("This invitation has already been used. Ask your caseworker for a new one."),
        InvitationState.EXPIRED: _("This invitation is too old. Ask your caseworker for a new one."),
        InvitationState.REVOKED: _("This invitation has been cancelled. Ask your caseworker for a new one."),
        InvitationState.BLOCKED: _("The code was wrong too many times. Ask your caseworker for a new invitation."),
        "code": _("The code is not right. Check it and try again."),
    }[reason]


@dataclass(frozen=True)
class Redeemed:
    user: User | None = None
    refused: str = ""   # a key of refusal_message


def _failed(ip: str | None, invitation: Invitation | None, action: str, summary: str) -> None:
    now = timezone.now()
    RedeemFailure.objects.filter(at__lt=now - datetime.timedelta(days=1)).delete()
    RedeemFailure.objects.create(ip=ip or None, at=now)
    audit.record(None, action, citizen=invitation.citizen_id if invitation else None, obj=invitation,
                 summary=summary, after={"ip": ip or ""})


@transaction.atomic
def redeem(token: str, code: str, *, ip: str | None) -> Redeemed:
    """Open the citizen's page with an invitation's link and code, once.

    Refused, and audited with the address: a throttled address, an unknown link, an invitation used,
    expired, revoked or blocked, and a wrong code (which counts towards blocking the invitation after
    ``HELM_CODE_ATTEMPTS``). Returns the citizen's user (made on the first use, without a password)."""
    where = f"fra {ip or 'ukendt adresse'}"
    if address_blocked(ip):
        audit.record(None, AuditAction.LOCKED, summary=f"Invitation afvist: {REFUSALS['address']} {where}",
                     after={"ip": ip or ""})
        return Redeemed(refused="address")
    found = find_invitation(token)
    invitation = Invitation.objects.select_for_update().filter(pk=found.pk).first() if found else None
    if invitation is None:
        _failed(ip, None, AuditAction.LOGIN_FAILED, f"Invitation afvist: {REFUSALS['unknown']} {where}")
        return Redeemed(refused="unknown")
    state = invitation.state()
    if state != InvitationState.OPEN:
        _failed(ip, invitation, AuditAction.REFUSED, f"Invitation afvist: {REFUSALS[state]} {where}")
        return Redeemed(refused=state)
    expected = invitation.code_digest
    if not hmac.compare_digest(digest("code", f"{invitation.token_digest}:{normalise_code(code)}"), expected):
        invitation.failed_attempts += 1
        invitation.save(update_fields=["failed_attempts"])
        blocked = invitation.state() == InvitationState.BLOCKED
        _failed(ip, invitation, AuditAction.LOCKED if blocked else AuditAction.LOGIN_FAILED,
                f"Invitation: forkert kode {where} (forsøg {invitation.failed_attempts} af "
                f"{settings.HELM_CODE_ATTEMPTS}){', invitationen er nu spærret' if blocked else ''}")
        return Redeemed(refused=InvitationState.BLOCKED if blocked else "code")
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    user = _account_user(invitation.citizen)
    audit.record(user, AuditAction.CHANGE, citizen=invitation.citizen_id, obj=invitation,
                 summary=f"Invitation brugt: borgeren loggede ind på sin egen side {where}",
                 before={"used": False}, after={"used": True, "ip": ip or ""})
    return Redeemed(user=user)


def _account_user(citizen: Citizen) -> User:
    """The citizen's own user, made on the first invitation (no password: the invitation, and later
    MitID, is the only way in)."""
    account = CitizenAccount.objects.select_related("user").filter(citizen=citizen).first()
    if account is not None:
        return account.user
    # No name on the user: the citizen's name lives on their record only, where retention clears it.
    user = User(username=f"borger-{citizen.pk}-{secrets.token_hex(3)}", role=Role.CITIZEN)
    user.set_unusable_password()
    user.save()
    account = CitizenAccount.objects.create(user=user, citizen=citizen)
    audit.record(None, AuditAction.CREATE, citizen=citizen, obj=account,
                 summary=f"Borgerens egen konto oprettet ({user.username})", after={"user": user.pk})
    return user


# --- what the citizen enters -------------------------------------------------------------------


def own_citizen(user) -> Citizen:
    """The citizen ``user`` is, through the gate (NotInScope for anyone who is not a citizen user)."""
    own = permissions.own_citizen_id(user)
    if own is None:
        raise permissions.NotInScope("not a citizen's account")
    return permissions.fetch(user, permissions.VIEW, Citizen, own)


@transaction.atomic
def rate_goal(goal_pk, *, actor, rating, went_well: str = "", matters_now: str = "",
              on: datetime.date | None = None, channel: str = "web") -> GoalRating:
    """The citizen's own rating of a goal (1-10) with what has gone well and what matters now."""
    goal = permissions.fetch(actor, SELF_REPORT, Goal, goal_pk)
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = None
    if value is None or not RATING_MIN <= value <= RATING_MAX:
        raise HelmError(_("Choose a number from 1 to 10."))
    if found := text_limits.errors(GoalRating, went_well=went_well or "", matters_now=matters_now or ""):
        raise HelmError(" ".join(found.values()))
    entry = GoalRating(goal=goal, citizen_id=goal.citizen_id, rating=value, went_well=(went_well or "").strip(),
                       matters_now=(matters_now or "").strip(), rated_on=on or datetime.date.today(),
                       entered_by=actor)
    validate(entry)
    entry.save()
    audit.record(actor, AuditAction.CREATE, citizen=goal.citizen_id, obj=entry, channel=channel,
                 summary=f"Borgerens egen vurdering af et mål: {value}/10" + _by_whom(actor),
                 after={"rating": value, "went_well": entry.went_well, "matters_now": entry.matters_now})
    return entry


@transaction.atomic
def respond_to_plan(citizen: Citizen, *, actor, comment: str = "", agrees: bool | None = None,
                    channel: str = "web") -> PlanResponse:
    """The citizen's comment on the action plan, and whether they agree to it."""
    citizen = permissions.fetch(actor, SELF_REPORT, Citizen, citizen.pk)
    comment = (comment or "").strip()
    if not comment and agrees is None:
        raise HelmError(_("Write a comment, or say whether you agree."))
    if found := text_limits.errors(PlanResponse, comment=comment):
        raise HelmError(found["comment"])
    response = PlanResponse(citizen=citizen, comment=comment, agrees=agrees, entered_by=actor)
    validate(response)
    response.save()
    said = {True: "enig", False: "ikke enig", None: "ikke taget stilling"}[agrees]
    audit.record(actor, AuditAction.CREATE, citizen=citizen, obj=response, channel=channel,
                 summary=f"Borgerens svar på handleplanen: {said}" + _by_whom(actor),
                 after={"agrees": agrees, "comment": comment})
    return response


def _by_whom(actor) -> str:
    return " (indtastet af borgeren)" if getattr(actor, "role", None) == Role.CITIZEN else ""


def access_log(user, citizen: Citizen):
    """What others have done with the citizen's record, newest first: who (name and role), when and
    what. Only entries about this citizen; the citizen's own doings are left out."""
    return (AuditEntry.objects.filter(citizen_id=citizen.pk).exclude(actor=user)
            .select_related("actor").order_by("-at", "-id"))


#: The staff's progress levels placed on the citizen's 1-10 scale ("how far the goal has come"):
#: achieved is the top; progressing sits above the middle, unchanged below it, regressed near the
#: bottom. The staff's scale is coarser, so it is mapped onto the citizen's, not the other way.
STAFF_ON_TEN = {GoalProgressLevel.ACHIEVED: 10, GoalProgressLevel.PROGRESSING: 7,
                GoalProgressLevel.UNCHANGED: 4, GoalProgressLevel.REGRESSED: 2}


@dataclass(frozen=True)
class BothViews:
    """One goal's latest citizen rating and latest staff progress, and whether they differ."""

    goal: Goal
    rating: GoalRating | None
    progress: GoalProgress | None
    gap: int | None
    differs: bool


def both_views(goals, threshold: int | None = None) -> list[BothViews]:
    """For each goal, the citizen's latest own rating beside the staff's latest progress.

    The staff's level is placed on the citizen's 1-10 scale by ``STAFF_ON_TEN`` (achieved 10,
    progressing 7, unchanged 4, regressed 2) and ``gap = citizen - staff``; the two views differ when
    ``|gap| > threshold`` (``settings.RORET_VIEWS_DIFFER``, 3 points unless set). A goal with only
    one of the two has no gap and never differs. Two queries, whatever the number of goals.
    """
    goals = list(goals)
    limit = settings.RORET_VIEWS_DIFFER if threshold is None else threshold
    ratings: dict[int, GoalRating] = {}
    for r in GoalRating.objects.filter(goal__in=goals).order_by("-rated_on", "-pk"):
        ratings.setdefault(r.goal_id, r)
    progress: dict[int, GoalProgress] = {}
    for p in (GoalProgress.objects.filter(goal__in=goals, follow_up__held_on__isnull=False)
              .select_related("follow_up").order_by("-follow_up__held_on", "-pk")):
        progress.setdefault(p.goal_id, p)
    return [_side_by_side(goal, ratings.get(goal.pk), progress.get(goal.pk), limit) for goal in goals]


def _side_by_side(goal, rating: GoalRating | None, staff: GoalProgress | None, limit: int) -> BothViews:
    gap = rating.rating - STAFF_ON_TEN[staff.progress] if rating and staff else None
    return BothViews(goal, rating, staff, gap, gap is not None and abs(gap) > limit)


def both_views_at(follow_up, threshold: int | None = None) -> list[BothViews]:
    """For a follow-up that has been held: each goal the staff rated at it, the progress recorded
    there beside the citizen's own rating as the meeting had it (the newest given on or before the
    day it was held; a later one is not what was discussed). Differ as in :func:`both_views`. Two
    queries, whatever the number of goals; none for a follow-up not held."""
    if follow_up.held_on is None:
        return []
    limit = settings.RORET_VIEWS_DIFFER if threshold is None else threshold
    staff = list(GoalProgress.objects.filter(follow_up=follow_up).select_related("goal", "goal__theme", "follow_up")
                 .order_by("goal__target_date", "goal_id"))
    ratings: dict[int, GoalRating] = {}
    for r in (GoalRating.objects.filter(goal__in=[p.goal_id for p in staff], rated_on__lte=follow_up.held_on)
              .order_by("-rated_on", "-pk")):
        ratings.setdefault(r.goal_id, r)
    return [_side_by_side(p.goal, ratings.get(p.goal_id), p, limit) for p in staff]
