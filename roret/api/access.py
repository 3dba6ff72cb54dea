"""Who may call an endpoint, and the citizen behind a path id: the role check first (403), then
the one gate (404 outside the caller's scope, with the read audited as the pages audit it)."""

from django.http import Http404
from ninja.errors import HttpError

from roret.citizens import services as citizen_services
from roret.core.permissions import VIEW, has_role

NOT_FOUND = "Borgeren findes ikke, eller du har ikke adgang."


def require(request, roles) -> None:
    if not has_role(request.user, roles):
        raise HttpError(403, "Din rolle giver ikke adgang til dette.")


def citizen_or_404(request, citizen_id: int, *, action: str = VIEW, summary: str = ""):
    """The citizen through ``citizen_services.get_citizen`` (audited, channel "api"), or 404."""
    try:
        return citizen_services.get_citizen(request.user, citizen_id, action=action, summary=summary, channel="api")
    except Http404 as exc:
        raise HttpError(404, NOT_FOUND) from exc
