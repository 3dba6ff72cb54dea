"""Who is calling the API: an API token in ``Authorization: Bearer <token>`` (roret.core.api_tokens),
or else the browser session with Django's CSRF token for unsafe methods (django-ninja's
``django_auth``). A request with a token needs no CSRF token: no browser sends it by itself.

The token's user becomes ``request.user``, so the role check and the gate treat a token exactly as
that user's session; the token's name goes on the request's audit entries."""

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from roret.core import api_tokens
from roret.core.audit import API_TOKEN_ATTRIBUTE


def bearer(request: HttpRequest) -> str | None:
    """The token in the request's Authorization header, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``. A token that is unknown, revoked or expired, or whose user
    is deactivated, answers 401 with the reason, rather than falling back to the session."""

    def authenticate(self, request: HttpRequest, token: str):
        try:
            row = api_tokens.authenticate(token)
        except api_tokens.TokenRefused as exc:
            raise HttpError(401, exc.message) from exc
        user = row.user
        setattr(user, API_TOKEN_ATTRIBUTE, row.name)
        request.user = user
        return row


def caller(request: HttpRequest):
    """The user the request will be authenticated as (the token's, or the session's), or None;
    without noting a use, for what must know the user before authentication runs."""
    token = bearer(request)
    if token is not None:
        try:
            row = api_tokens.authenticate(token, note_use=False)
        except api_tokens.TokenRefused:
            return None
        user = row.user
        setattr(user, API_TOKEN_ATTRIBUTE, row.name)  # so what is audited before the endpoint names the token
        return user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None
