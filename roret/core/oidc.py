"""Staff single sign-on with OpenID Connect (mozilla-django-oidc), on with ``RORET_STAFF_OIDC=1``.

The municipality's identity provider (Entra ID, ADFS, Keycloak, a broker) authenticates; roret
keeps the roles, the scope, the sessions and the audit log. :class:`RoleFromGroupsBackend` maps the
``groups`` claim to exactly one role (``RORET_OIDC_ROLE_GROUPS``, first match wins), refuses a login
without a matching group, and refuses an administrator whose login did not prove a second factor
(``amr`` containing ``mfa``). It replaces Django's ModelBackend: no password is checked in roret.

The flow's views are shared with the citizen's MitID client (roret.helm.oidc): each client reads
its own settings (``OIDC_*`` here, ``OIDC_CITIZEN_*`` there), keeps its state and nonce under its own
session key, has its own callback address, and its backend answers only its own callback, so a
code or token issued to one client is never taken by the other. Every refusal is audited and
shown as a page in Danish; nothing in the flow answers 500.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from urllib.parse import urlencode

import requests
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import path, reverse
from django.utils.crypto import get_random_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import absolutify, generate_code_challenge, import_from_settings

from roret.core import audit, permissions, two_factor
from roret.core.models import AuditAction, Role, User
from roret.core.services import UserError, sign_in_from_idp

LOGGER = logging.getLogger(__name__)

#: Settings every client shares (how to reach an identity provider, not which one or as whom).
SHARED = frozenset({"OIDC_VERIFY_SSL", "OIDC_TIMEOUT", "OIDC_PROXY", "OIDC_STATE_SIZE", "OIDC_NONCE_SIZE",
                    "OIDC_MAX_STATES", "OIDC_VERIFY_KID", "OIDC_PKCE_CODE_VERIFIER_SIZE"})
#: The most logins one browser may have started and not finished, per client.
MAX_STATES = 20
USERNAME = re.compile(r"^[\w.@+-]{1,150}$")

STAFF_REFUSALS = {
    "no_group": gettext_lazy("Your login gives you no role in roret: none of your groups at the municipality's "
                             "login is one roret knows. Ask the administrator to put you in the right group."),
    "mfa": gettext_lazy("An administrator must log in with two-factor authentication (MFA). Log in again "
                        "with MFA."),
    "placement": gettext_lazy("Your role needs a team or a centre in roret, and you have none yet. Ask the "
                              "administrator to place you, then log in again."),
    "inactive": gettext_lazy("Your user in roret is deactivated. Contact the administrator."),
    "no_username": gettext_lazy("The login service did not say who you are. Try again, or contact the "
                                "administrator."),
}
#: Refusals of the flow itself, the same for both clients.
FLOW_REFUSALS = {
    "state": gettext_lazy("This login was not started here, or it has already been used. Start again."),
    "cancelled": gettext_lazy("The login was cancelled or refused at the login service. Try again."),
    "verify": gettext_lazy("The answer from the login service could not be verified, so you have not been "
                           "logged in. Try again."),
    "unreachable": gettext_lazy("The login service could not be reached. Try again in a moment."),
}
#: The same refusals as the audit log says them.
FLOW_AUDIT = {
    "state": "ukendt eller allerede brugt state (log-ind ikke startet her)",
    "cancelled": "afbrudt eller afvist hos login-tjenesten",
    "verify": "svaret fra login-tjenesten kunne ikke verificeres",
    "unreachable": "login-tjenesten kunne ikke nås eller svarede forkert",
}


def client_ip(request) -> str:
    """The address as django-axes counts it (behind RORET_PROXY_COUNT proxies, the client's)."""
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request) or ""


class Refused(Exception):
    """A login the backend refuses; the message is shown to the person, the audit row is written."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- one client's settings ---------------------------------------------------------------------


class ClientSettings:
    """Reads this client's settings: ``OIDC_X`` is ``<prefix>X``; the shared ones are read as they are."""

    client = "staff"
    prefix = "OIDC_"
    callback_name = "oidc_authentication_callback"

    def get_settings(self, attr, *args):
        if attr == "OIDC_AUTHENTICATION_CALLBACK_URL":
            return self.callback_name
        if attr in SHARED or not attr.startswith("OIDC_"):
            return import_from_settings(attr, *args)
        name = self.prefix + attr.removeprefix("OIDC_")
        if hasattr(settings, name):
            return getattr(settings, name)
        if args:
            return args[0]
        raise ImproperlyConfigured(f"Setting {name} not found")

    @property
    def states_key(self) -> str:
        return f"roret_oidc_{self.client}_states"

    @property
    def next_key(self) -> str:
        return f"roret_oidc_{self.client}_next"


# --- the flow's two views, shared by both clients ---------------------------------------------


class AuthenticationRequestView(ClientSettings, View):
    """Sends the browser to the identity provider, with a fresh state, nonce and PKCE verifier kept
    in this client's own session key."""

    http_method_names = ["get"]

    def extra_params(self) -> dict:
        return {}

    def get(self, request):
        state = get_random_string(self.get_settings("OIDC_STATE_SIZE", 32))
        nonce = get_random_string(self.get_settings("OIDC_NONCE_SIZE", 32))
        params = {
            "response_type": "code",
            "scope": self.get_settings("OIDC_RP_SCOPES", "openid"),
            "client_id": self.get_settings("OIDC_RP_CLIENT_ID"),
            "redirect_uri": absolutify(request, reverse(self.callback_name)),
            "state": state,
            "nonce": nonce,
            **self.extra_params(),
        }
        verifier = None
        if self.get_settings("OIDC_USE_PKCE", True):
            verifier = get_random_string(self.get_settings("OIDC_PKCE_CODE_VERIFIER_SIZE", 64))
            params.update(code_challenge=generate_code_challenge(verifier, "S256"), code_challenge_method="S256")
        states = request.session.get(self.states_key)
        states = states if isinstance(states, dict) else {}
        while len(states) >= MAX_STATES:
            del states[min(states, key=lambda s: states[s]["added_on"])]
        states[state] = {"nonce": nonce, "code_verifier": verifier, "added_on": time.time()}
        request.session[self.states_key] = states
        next_url = request.GET.get("next", "")
        safe = url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure())
        request.session[self.next_key] = next_url if next_url and safe else ""
        return HttpResponseRedirect(f"{self.get_settings('OIDC_OP_AUTHORIZATION_ENDPOINT')}?{urlencode(params)}")


class AuthenticationCallbackView(ClientSettings, View):
    """The identity provider's answer: the state must be one this browser started with this client
    (used once), then this client's backend exchanges the code, verifies the ID token and decides."""

    http_method_names = ["get"]
    success_url_name = "home"
    idp_name = "kommunens login"

    def refused(self, request, message, *, status: int = 403):
        raise NotImplementedError

    def audit_flow_refusal(self, request, key: str) -> None:
        audit.record(None, AuditAction.LOGIN_FAILED, after={"ip": client_ip(request), "client": self.client},
                     summary=f"Log-ind gennem {self.idp_name} afvist: {FLOW_AUDIT[key]} "
                             f"(fra {client_ip(request) or 'ukendt adresse'})")

    def get(self, request):
        states = request.session.get(self.states_key)
        states = states if isinstance(states, dict) else {}
        state = request.GET.get("state", "")
        entry = states.pop(state, None) if state else None
        if entry is not None:
            request.session[self.states_key] = states  # used once, whatever happens next
        key = ("cancelled" if request.GET.get("error") and entry is not None
               else "state" if entry is None or not request.GET.get("code") else "")
        if key:
            self.audit_flow_refusal(request, key)
            return self.refused(request, FLOW_REFUSALS[key], status=400 if key == "state" else 403)
        try:
            user = auth.authenticate(request=request, nonce=entry["nonce"], code_verifier=entry.get("code_verifier"),
                                     oidc_client=self.client)
        except SuspiciousOperation as exc:
            LOGGER.warning("OpenID Connect (%s): %s", self.client, exc)
            self.audit_flow_refusal(request, "verify")
            return self.refused(request, FLOW_REFUSALS["verify"])
        except (requests.RequestException, ValueError, KeyError) as exc:
            LOGGER.warning("OpenID Connect (%s): the identity provider answered wrongly: %s", self.client, exc)
            self.audit_flow_refusal(request, "unreachable")
            return self.refused(request, FLOW_REFUSALS["unreachable"], status=502)
        if user is None:
            refusal = getattr(request, "roret_oidc_refusal", None)
            if refusal is None and getattr(request, "axes_locked_out", False):
                # django-axes refused the address (and audited it); its middleware shows the lockout page.
                refusal = FLOW_REFUSALS["verify"]
            elif refusal is None:
                self.audit_flow_refusal(request, "verify")
                refusal = FLOW_REFUSALS["verify"]
            return self.refused(request, refusal)
        next_url = request.session.get(self.next_key) or resolve_url(self.success_url_name)
        auth.login(request, user)
        request.session.pop(self.next_key, None)
        self.after_login(request, user)
        return HttpResponseRedirect(next_url)

    def after_login(self, request, user) -> None:
        """What the session notes after the login (the staff client: whether MFA was proven)."""


# --- the backend both clients build on ---------------------------------------------------------


class ClientBackend(ClientSettings, OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend for one client: answers only its own callback, checks the ID
    token's audience and issuer, and reads the claims of the signed ID token (over the user-info
    endpoint's, which is optional)."""

    def authenticate(self, request, oidc_client=None, **kwargs):
        if request is None or oidc_client != self.client:
            return None
        self.id_claims = {}
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id):
        # ModelBackend's: a deactivated user's session ends (mozilla-django-oidc's would keep it).
        return ModelBackend.get_user(self, user_id)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the ID token (a signed user-info answer has no nonce to check)
            audience = payload.get("aud")
            audience = [audience] if isinstance(audience, str) else list(audience or [])
            if self.OIDC_RP_CLIENT_ID not in audience:
                raise SuspiciousOperation("ID token issued to another client (aud)")
            issuer = self.get_settings("OIDC_OP_ISSUER", "")
            if issuer and payload.get("iss") != issuer:
                raise SuspiciousOperation("ID token from another issuer (iss)")
            self.id_claims = payload
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        info = super().get_userinfo(access_token, id_token, payload) if self.OIDC_OP_USER_ENDPOINT else {}
        return {**(info if isinstance(info, dict) else {}), **payload}

    def verify_claims(self, claims):
        return True  # each client's decide() checks the claims it needs

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        try:
            return self.decide(claims)
        except Refused as refusal:
            self.request.roret_oidc_refusal = refusal.message
            return None

    def decide(self, claims: dict):
        raise NotImplementedError

    def ip(self) -> str:
        return client_ip(self.request)


# --- staff --------------------------------------------------------------------------------------


def username(email, claims=None) -> str:
    """roret's user name for a person: the identity provider's stable id (``RORET_OIDC_USERNAME_CLAIM``,
    ``sub`` by default), not the e-mail, which changes; an id that is no valid user name is hashed."""
    value = str((claims or {}).get(settings.RORET_OIDC_USERNAME_CLAIM) or "").strip()
    if not value:
        return ""
    return value if USERNAME.match(value) else "idp-" + hashlib.sha256(value.encode()).hexdigest()[:40]


def role_groups() -> list[tuple[str, str]]:
    """``RORET_OIDC_ROLE_GROUPS`` as (role, group) pairs, refusing a role roret does not have."""
    pairs = list(settings.RORET_OIDC_ROLE_GROUPS)
    unknown = sorted({role for role, _group in pairs if role not in Role.values or role == Role.CITIZEN})
    if unknown:
        raise ImproperlyConfigured(f"RORET_OIDC_ROLE_GROUPS names roles roret has no staff role for: "
                                   f"{', '.join(unknown)}")
    return pairs


def role_for(groups) -> tuple[str, str] | None:
    """The (role, group) the first matching pair of ``RORET_OIDC_ROLE_GROUPS`` gives, or None."""
    groups = {groups} if isinstance(groups, str) else set(groups or [])
    return next(((role, group) for role, group in role_groups() if group in groups), None)


def proves_mfa(claims: dict) -> bool:
    amr = claims.get("amr") or []
    amr = [amr] if isinstance(amr, str) else amr
    return "mfa" in amr or (claims.get("acr") or "") in settings.RORET_OIDC_MFA_ACR


class RoleFromGroupsBackend(ClientBackend):
    """Staff: the person the identity provider signed in, with the role their group gives."""

    def decide(self, claims: dict):
        name = username(None, claims)
        known = User.objects.filter(username=name).first() if name else None
        groups = claims.get(settings.RORET_OIDC_GROUPS_CLAIM) or []
        shown = ", ".join(sorted([groups] if isinstance(groups, str) else map(str, groups)))[:120] or "ingen"

        def refuse(key: str, detail: str, message=None):
            audit.login_event(AuditAction.LOGIN_FAILED, username=name, ip=self.ip(), user=known,
                              summary=f"Log-ind gennem kommunens login afvist for {name or '(uden id)'} "
                                      f"fra {self.ip() or 'ukendt adresse'}: {detail}")
            raise Refused(message or STAFF_REFUSALS[key])

        if not name:
            refuse("no_username", f"intet {settings.RORET_OIDC_USERNAME_CLAIM} i svaret")
        match = role_for(groups)
        if match is None:
            refuse("no_group", f"ingen gruppe giver en rolle (grupper: {shown})")
        role, group = match
        mfa = proves_mfa(self.id_claims)
        if role in permissions.ADMINS and not mfa:
            refuse("mfa", f"administrator uden totrinsbekræftelse (amr: {self.id_claims.get('amr') or 'ingen'})")
        if known is not None and not known.is_active:
            refuse("inactive", "brugeren er deaktiveret")
        if known is not None and known.role == Role.CITIZEN:
            # A citizen's own account never becomes a member of staff's, whatever a group says.
            refuse("no_group", "brugernavnet er en borgers egen konto")
        try:
            user = sign_in_from_idp(name, role=role, group=group, first_name=str(claims.get("given_name") or ""),
                                    last_name=str(claims.get("family_name") or ""),
                                    email=str(claims.get("email") or ""))
        except UserError as exc:
            placement = {"team", "centre"} & set(getattr(exc, "error_dict", {}))
            refuse("placement", f"rollen {role} fra gruppen {group} kan ikke gives: {' '.join(exc.messages)}",
                   None if placement else " ".join(exc.messages))
        self.request.roret_oidc_mfa = mfa
        return user


class StaffRequestView(AuthenticationRequestView):
    pass


class StaffCallbackView(AuthenticationCallbackView):
    def refused(self, request, message, *, status: int = 403):
        return render(request, "core/oidc_refused.html", {"message": message}, status=status)

    def after_login(self, request, user) -> None:
        # An identity provider that proved a second factor has asked for the code roret would ask.
        request.session[two_factor.IDP_MFA] = bool(getattr(request, "roret_oidc_mfa", False))


def login(request):
    """``/login/`` (and Django admin's) with single sign-on: straight on to the identity provider."""
    target = reverse("oidc_authentication_init")
    next_url = request.GET.get("next", "")
    return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)


#: Added to roret's URLs when RORET_STAFF_OIDC is on (before /login/ and /admin/, which they replace).
urlpatterns = [
    path("login/", login, name="login"),
    path("admin/login/", login),
    path("oidc/authenticate/", StaffRequestView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", StaffCallbackView.as_view(), name="oidc_authentication_callback"),
]
