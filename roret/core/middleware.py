"""Request middleware of roret's own: Danish first, and the security headers Django does not set."""

from django.conf import settings
from django.utils.cache import patch_cache_control


class DanishUnlessChosenMiddleware:
    """Drops the browser's Accept-Language so Django's LocaleMiddleware uses the language cookie
    (set by the language switch) or LANGUAGE_CODE (Danish), never the browser's default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """The headers Django's SecurityMiddleware does not set: a Permissions-Policy switching off the
    browser features no page uses, and ``Cache-Control: no-store`` on every response to a logged-in
    user, so no page, list, export or API answer with citizen data stays in a browser's or proxy's
    cache. Static files are answered by WhiteNoise before this runs and keep their own caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
            response.headers.pop("Expires", None)
        return response
