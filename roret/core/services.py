"""Writing users and their access: who exists, with which role, in which team or centre, active
or not. The role, team and centre decide what the gate (roret.core.permissions) lets a user see and
change, so every change here is the administrator's, carries a reason, and is audited with before
and after, whether it comes from the users page, the command line or a script.

Django admin shows these fields read-only; it may still set a password.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from roret.core import audit, permissions, sessions, text_limits
from roret.core.models import Centre, Role, Team, User

MIN_REASON = 10
#: What an audit row shows of a user's access (never the password).
ACCESS_FIELDS = ["role", "team", "centre", "is_active", "is_staff", "is_superuser"]
USER_FIELDS = ["username", "first_name", "last_name", "email"] + ACCESS_FIELDS


class UserError(ValidationError):
    """Input the users service refuses; the message says what is wrong and in which field."""


def reason_given(reason: str, *, why: str) -> str:
    """The reason typed, or a UserError naming ``why`` it is needed."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise UserError({"reason": _("%(why)s: give the reason in a sentence (at least %(n)d characters).")
                         % {"why": why, "n": MIN_REASON}})
    text_limits.check(_("Reason"), reason, text_limits.REASON, "reason", UserError)
    return reason


def _placement(role: str, team: Team | None, centre: Centre | None) -> tuple[Team | None, Centre | None]:
    """The team and centre a user of ``role`` belongs to: a caseworker needs a team (it gives the
    caseload), centre staff and leaders a centre (it gives the residents and the places); any other
    role has neither, so a team or centre left over from an earlier role is dropped."""
    if role not in Role.values:
        raise UserError({"role": _("Choose one of the roles.")})
    if role in permissions.CASEWORKERS:
        if team is None:
            raise UserError({"team": _("A caseworker must belong to a team: choose the team.")})
        return team, None
    if role in permissions.CENTRE_ROLES:
        if centre is None:
            raise UserError({"centre": _("Centre staff and centre leaders must belong to a centre: choose the "
                                         "centre.")})
        return None, centre
    return None, None


def _apply_role(user: User, role: str, team: Team | None, centre: Centre | None) -> None:
    if role == Role.CITIZEN:
        # A citizen's own account is made when they first use an invitation (roret.helm), tied to
        # their record; an administrator neither makes one nor turns a staff user into one.
        raise UserError({"role": _("A citizen's own account is made by the invitation the caseworker gives the "
                                   "citizen; choose a staff role.")})
    user.role = role
    user.team, user.centre = _placement(role, team, centre)
    # Django admin follows the role: the administrators, and no one else, may open it.
    user.is_staff = user.is_superuser = role in permissions.ADMINS


def _describe(user: User) -> str:
    """The user as the audit log names them, in Danish whatever language the request is in."""
    where = user.team or user.centre
    with translation.override("da"):
        role = str(Role(user.role).label)
    return f"{user.get_username()} ({role}{f', {where}' if where else ''})"


def lock_for_admin(actor, user: User) -> User:
    """``user``'s row locked for a change by ``actor``, who must be an administrator. A citizen's own
    account is not the administrator's (no password, no role to change; the citizen's caseworker
    logs them out): NotInScope."""
    permissions.require_role(actor, permissions.ADMINS, "only an administrator changes users")
    locked = (User.objects.select_for_update().exclude(role=Role.CITIZEN)
              .filter(pk=getattr(user, "pk", None)).first())
    if locked is None:
        raise permissions.NotInScope("no such user")
    return locked


def _other_active_admins(user: User) -> bool:
    return User.objects.filter(role__in=permissions.ADMINS, is_active=True).exclude(pk=user.pk).exists()


@transaction.atomic
def create_user(*, actor, username: str, first_name: str, last_name: str, email: str, role: str,
                password: str, team: Team | None = None, centre: Centre | None = None, reason: str = "",
                channel: str = "web") -> User:
    """A new user with one role (an administrator), the password checked by Django's password
    validators; audited with what was created (not the password)."""
    permissions.require_role(actor, permissions.ADMINS, "only an administrator creates users")
    username = (username or "").strip()
    if not username:
        raise UserError({"username": _("Give the user name the person logs in with.")})
    if User.objects.filter(username__iexact=username).exists():
        raise UserError({"username": _("The user name %(name)s is taken.") % {"name": username}})
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise UserError({"email": _("Give a valid e-mail address, e.g. navn@kommune.dk.")}) from None
    user = User(username=username, first_name=(first_name or "").strip(), last_name=(last_name or "").strip(),
                email=email)
    _apply_role(user, role, team, centre)
    if settings.RORET_STAFF_OIDC:
        # The person logs in at the municipality's identity provider; the user name is their id there.
        user.set_unusable_password()
    else:
        try:
            password_validation.validate_password(password or "", user)
        except ValidationError as exc:
            raise UserError({"password": exc.messages}) from None
        user.set_password(password)
    user.full_clean()
    user.save()
    audit.record(actor, "create", obj=user, channel=channel, reason=(reason or "").strip(),
                 summary=f"Bruger oprettet: {_describe(user)}", after=audit.snapshot(user, USER_FIELDS))
    return user


@transaction.atomic
def change_access(user: User, *, actor, role: str, team: Team | None = None, centre: Centre | None = None,
                  reason: str, channel: str = "web") -> User:
    """Change a user's role, team or centre (an administrator), with a reason, audited with before
    and after. The last active administrator keeps the role, so the users page always has someone."""
    user = lock_for_admin(actor, user)
    reason = reason_given(reason, why=_("A change of role, team or centre"))
    return _change_access(user, actor=actor, role=role, team=team, centre=centre, reason=reason, channel=channel)


def _change_access(user: User, *, actor, role: str, team: Team | None, centre: Centre | None, reason: str,
                   channel: str, summary: str = "Adgang ændret") -> User:
    """The change itself, on ``user``'s locked row: the administrator's, or the identity provider's."""
    before = audit.snapshot(user, ACCESS_FIELDS)
    _apply_role(user, role, team, centre)
    after = audit.snapshot(user, ACCESS_FIELDS)
    if after == before:
        raise UserError({"role": _("%(user)s already has this role, team and centre: nothing to change.")
                         % {"user": user.get_username()}})
    if before["role"] in permissions.ADMINS and role not in permissions.ADMINS and not _other_active_admins(user):
        raise UserError({"role": _("%(user)s is the only active administrator: make another user administrator "
                                   "first.") % {"user": user.get_username()}})
    user.full_clean(exclude=["password"])
    user.save(update_fields=["role", "team", "centre", "is_staff", "is_superuser"])
    with translation.override("da"):
        changed = ", ".join(str(User._meta.get_field(k).verbose_name) for k in ACCESS_FIELDS if before[k] != after[k])
    audit.record(actor, "change", obj=user, channel=channel, reason=reason,
                 summary=f"{summary}: {_describe(user)} ({changed})", before=before, after=after)
    return user


@transaction.atomic
def sign_in_from_idp(username: str, *, role: str, group: str, first_name: str = "", last_name: str = "",
                     email: str = "", channel: str = "web") -> User:
    """The user the municipality's identity provider has signed in (staff single sign-on,
    roret.core.oidc), with the role its group gives: made on the first login, its role changed when
    the group has changed, both audited with the reason "Rolle fra IdP-gruppe <group>" (no
    administrator acts: the identity provider does, so the entry's actor is the system).

    The team and the centre stay roret's: a role that needs one the user does not have is refused
    (UserError) until an administrator has placed the user, as is a change that would leave roret
    without an active administrator."""
    reason = f"Rolle fra IdP-gruppe {group}"[:300]
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=first_name[:150], last_name=last_name[:150], email=email[:254])
        _apply_role(user, role, None, None)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        audit.record(None, "create", obj=user, channel=channel, reason=reason,
                     summary=f"Bruger oprettet ved første log-ind gennem kommunens login: {_describe(user)}",
                     after=audit.snapshot(user, USER_FIELDS))
        return user
    if user.role != role:
        _change_access(user, actor=None, role=role, team=user.team, centre=user.centre, reason=reason,
                       channel=channel, summary="Adgang ændret af kommunens login")
    return user


@transaction.atomic
def set_active(user: User, *, actor, active: bool, reason: str, channel: str = "web") -> User:
    """Deactivate a user (they can no longer log in; their history stays) or reactivate them, with
    a reason, audited. An administrator does not deactivate themselves or the last administrator."""
    user = lock_for_admin(actor, user)
    reason = reason_given(reason, why=_("Deactivating or reactivating a user"))
    if user.is_active == bool(active):
        raise UserError(_("%(user)s is already active.") % {"user": user.get_username()} if active else
                        _("%(user)s is already deactivated.") % {"user": user.get_username()})
    if not active and user.pk == actor.pk:
        raise UserError(_("You cannot deactivate yourself; ask another administrator."))
    if not active and user.role in permissions.ADMINS and not _other_active_admins(user):
        raise UserError(_("%(user)s is the only active administrator and cannot be deactivated.")
                        % {"user": user.get_username()})
    before = audit.snapshot(user, ["is_active"])
    user.is_active = bool(active)
    user.save(update_fields=["is_active"])
    if not active:
        # Django already refuses an inactive user's sessions; raising the generation keeps them
        # dead if the user is reactivated later.
        sessions.end_all(user)
    audit.record(actor, "change", obj=user, channel=channel, reason=reason,
                 summary=f"Bruger {'genaktiveret' if active else 'deaktiveret (alle sessioner afsluttet)'}: "
                         f"{_describe(user)}",
                 before=before, after={"is_active": user.is_active})
    return user


@transaction.atomic
def set_password(user: User, *, actor, password: str, reason: str, channel: str = "web") -> User:
    """Give a user a new password (an administrator), checked by Django's password validators; the
    audit row says that it was changed, never what it is."""
    user = lock_for_admin(actor, user)
    if settings.RORET_STAFF_OIDC:
        raise UserError({"password": _("roret has no passwords: people log in at the municipality's login.")})
    reason = reason_given(reason, why=_("A new password"))
    try:
        password_validation.validate_password(password or "", user)
    except ValidationError as exc:
        raise UserError({"password": exc.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor, "change", obj=user, channel=channel, reason=reason,
                 summary=f"Ny adgangskode sat: {_describe(user)}",
                 before={"password": "(tidligere)"}, after={"password": "(ny, ikke gemt i loggen)"})
    return user


LOCKOUT_KINDS = {"username": "username", "ip": "ip"}


@transaction.atomic
def lift_lockout(*, actor, kind: str, value: str, reason: str, channel: str = "web") -> int:
    """Lift the lockout of a user name or an address after failed logins (an administrator, e.g.
    once the person has been reached by phone), with a reason, audited. Returns how many attempt
    records were cleared; a name or address that is not locked is refused."""
    from axes.utils import reset

    from roret.core.login_guard import lockouts

    permissions.require_role(actor, permissions.ADMINS, "only an administrator lifts lockouts")
    reason = reason_given(reason, why=_("Lifting a lockout"))
    value = (value or "").strip()
    if kind not in LOCKOUT_KINDS:
        raise UserError({"kind": _("Say whether a user name or an address is to be let in again.")})
    if not any(lo.kind == kind and lo.value == value for lo in lockouts()):
        raise UserError({"value": _("%(value)s is not locked out.") % {"value": value or "–"}})
    cleared = reset(username=value) if kind == "username" else reset(ip=value)
    user = User.objects.filter(username=value).first() if kind == "username" else None
    what = f"brugernavnet »{value}«" if kind == "username" else f"adressen {value}"
    audit.record(actor, "change", obj=user, channel=channel, reason=reason,
                 object_type="" if user else "axes.accessattempt", object_id="" if user else value,
                 summary=f"Spærring efter mislykkede log-ind ophævet for {what}",
                 before={"locked": True}, after={"locked": False, "cleared_attempts": cleared})
    return cleared
