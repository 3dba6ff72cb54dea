"""The citizen's sign-in with MitID through the municipality's identity broker (OpenID Connect), on
with ``RORET_CITIZEN_OIDC=1``: ``/me/login/mitid/`` starts it.

A client of its own beside staff single sign-on (roret.core.oidc, whose flow it shares):
``OIDC_CITIZEN_*`` settings, its own session key for state and nonce, its own callback address.
:class:`CitizenBackend` reads the CPR number from the broker's claim (``OIDC_CITIZEN_CPR_CLAIM``),
asks for the NSIS assurance level ``OIDC_CITIZEN_MIN_LEVEL`` ("substantial") in ``acr``, finds the
citizen by the number's keyed hash and signs in that citizen's own account, made as on an
invitation's first use. A number roret does not know, or too low a level, is refused and audited
(the number masked); the invitation stays the way in for a citizen without MitID.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy

from roret.citizens import cpr as cprlib
from roret.citizens.models import Citizen
from roret.core import audit
from roret.core.models import AuditAction
from roret.core.oidc import AuthenticationCallbackView, AuthenticationRequestView, ClientBackend, Refused
from roret.helm.models import CitizenAccount
from roret.helm.services import _account_user

#: NSIS assurance levels, lowest first; an ``acr`` names one, alone or as the end of a URI
#: (``https://data.gov.dk/concept/core/nsis/loa/Substantial``).
LEVELS = ("low", "substantial", "high")

REFUSALS = {
    "unknown": gettext_lazy("We cannot find you in roret. Talk to your caseworker."),
    "level": gettext_lazy("You must sign in with MitID at a higher level. Try again with the MitID app or the "
                          "MitID chip."),
    "closed": gettext_lazy("Your own page is closed. Talk to your caseworker."),
}


def level_of(acr) -> int:
    """The place of ``acr`` in :data:`LEVELS` (-1 when it names none)."""
    name = str(acr or "").rstrip("/").rsplit("/", 1)[-1].strip().lower()
    return LEVELS.index(name) if name in LEVELS else -1


class CitizenSettings:
    client = "citizen"
    prefix = "OIDC_CITIZEN_"
    callback_name = "citizen_oidc_callback"


class CitizenBackend(CitizenSettings, ClientBackend):
    """The citizen the broker signed in, by CPR number, with MitID at the level asked for."""

    def decide(self, claims: dict):
        where = f"fra {self.ip() or 'ukendt adresse'}"
        try:
            number = cprlib.validate(str(claims.get(settings.OIDC_CITIZEN_CPR_CLAIM) or ""))
        except ValidationError:
            number = ""
        citizen = Citizen.objects.with_cpr(number).first() if number else None
        shown = cprlib.mask(number) if number else "intet gyldigt CPR-nummer"
        acr = str(self.id_claims.get("acr") or "")

        def refuse(key: str, detail: str):
            # On the citizen's record when roret knows them, so they see the attempt in their access log.
            audit.record(None, AuditAction.LOGIN_FAILED, citizen=citizen,
                         summary=f"Log-ind med MitID afvist for {shown} {where}: {detail}",
                         after={"ip": self.ip(), "acr": acr[:100]})
            raise Refused(REFUSALS[key])

        if level_of(acr) < LEVELS.index(settings.OIDC_CITIZEN_MIN_LEVEL):
            refuse("level", f"sikringsniveau {acr or 'ikke oplyst'}, kræver {settings.OIDC_CITIZEN_MIN_LEVEL}")
        if citizen is None:
            refuse("unknown", "roret kender ikke CPR-nummeret" if number else "svaret havde intet gyldigt CPR-nummer")
        account = CitizenAccount.objects.select_related("user").filter(citizen=citizen).first()
        if account is not None and not account.user.is_active:
            refuse("closed", "borgerens egen konto er lukket")
        with transaction.atomic():
            user = _account_user(citizen)  # made, and audited, as on an invitation's first use
            account = account or CitizenAccount.objects.get(user=user)
            audit.record(user, AuditAction.CHANGE, citizen=citizen, obj=account,
                         summary=f"Borgeren loggede ind på sin egen side med MitID {where}",
                         after={"ip": self.ip(), "acr": acr[:100]})
        return user


class CitizenRequestView(CitizenSettings, AuthenticationRequestView):
    def extra_params(self) -> dict:
        acr_values = self.get_settings("OIDC_ACR_VALUES", "")
        return {"acr_values": acr_values} if acr_values else {}

    def get(self, request):
        if request.user.is_authenticated:
            # Someone is signed in on this screen: their session is never swapped for a citizen's.
            return render(request, "helm/redeem.html", {"signed_in": True}, status=403)
        return super().get(request)


class CitizenCallbackView(CitizenSettings, AuthenticationCallbackView):
    success_url_name = "helm:home"
    idp_name = "MitID"

    def refused(self, request, message, *, status: int = 403):
        return render(request, "helm/redeem.html", {"refused": message}, status=status)


#: Added to roret's URLs when RORET_CITIZEN_OIDC is on.
urlpatterns = [
    path("me/login/mitid/", CitizenRequestView.as_view(), name="citizen_oidc_init"),
    path("me/login/mitid/callback/", CitizenCallbackView.as_view(), name="citizen_oidc_callback"),
]
