"""System checks of the audit log: the configured chain key is the one the log was written with
(a wrong key would chain every new entry wrongly and make `roret audit verify` fail)."""

from django.core import checks
from django.db import DatabaseError


def check_audit_chain_key(**kwargs) -> list[checks.CheckMessage]:
    from roret.core import audit_chain

    try:
        matches = audit_chain.key_matches_recent()
    except DatabaseError:  # before migrate
        return []
    if matches is False:
        return [checks.Error(
            "AUDIT_CHAIN_KEY does not reproduce the hash of any of the newest audit entries: the key changed "
            "(it is derived from the oldest field key unless set)", id="roret.E111",
            hint="put back the key the log was written with; run `roret audit verify` to see the chain")]
    return []


def check_two_factor_roles(**kwargs) -> list[checks.CheckMessage]:
    """RORET_2FA_ROLES names roles that exist (a typo would silently leave a role without the code)."""
    from django.conf import settings

    from roret.core.models import Role

    unknown = sorted(set(settings.TWO_FACTOR_ROLES) - set(Role.values))
    if unknown:
        return [checks.Error(f"RORET_2FA_ROLES names unknown roles: {', '.join(unknown)}", id="roret.E121",
                             hint=f"use role codes: {', '.join(Role.values)}")]
    return []


def check_oidc_role_groups(**kwargs) -> list[checks.CheckMessage]:
    """With staff single sign-on, RORET_OIDC_ROLE_GROUPS names staff roles that exist (a typo would
    refuse every login of that group)."""
    from django.conf import settings

    if not getattr(settings, "RORET_STAFF_OIDC", False):
        return []
    from roret.core.models import Role

    unknown = sorted({role for role, _group in settings.RORET_OIDC_ROLE_GROUPS
                      if role not in Role.values or role == Role.CITIZEN})
    if unknown:
        return [checks.Error(f"RORET_OIDC_ROLE_GROUPS names unknown staff roles: {', '.join(unknown)}",
                             id="roret.E131", hint=f"use role codes: {', '.join(r for r in Role.values if r != 'citizen')}")]
    return []
