"""A citizen signed in to their own page reaches that page and nothing else.

Every staff page is already gated by role; this is the second wall, in one place: for a user of
the citizen role, any address but the citizen's own pages, logging out, the language switch and
static files answers 404 (not 403: nothing is said about what lies there), the API included.
The overview ("/") sends the citizen to their own page."""

from django.http import Http404
from django.shortcuts import redirect

from roret.core.models import Role

#: The URL names a citizen may reach.
CITIZEN_PAGES = frozenset({"helm:home", "helm:measure", "helm:rate_goal", "helm:plan", "helm:access_log",
                           "helm:redeem", "logout", "set_language"})
ALWAYS = ("/static/", "/favicon")


class CitizenConfinementMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.role != Role.CITIZEN:
            return None
        if request.path.startswith(ALWAYS):
            return None
        name = request.resolver_match.view_name if request.resolver_match else ""
        if name in CITIZEN_PAGES:
            return None
        if name == "home":
            return redirect("helm:home")
        raise Http404("not a citizen's page")
