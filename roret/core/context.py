"""Template context: the navigation a user's role gives access to."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from roret.core.models import Role
from roret.core.permissions import (
    ADMINS,
    AGGREGATE_ROLES,
    CASE_FILE_READERS,
    CASE_READERS,
    CASE_ROLES,
    CASEWORKERS,
    CATALOGUE_EDITORS,
    CATALOGUE_ROLES,
    CENTRE_ROLES,
    MEETING_READERS,
    PLANNERS,
)

ALL = set(Role.values)
STAFF = ALL - {Role.CITIZEN}
NAV = [
    ("home", _("Overview"), STAFF),
    # The citizen's own page (roret.helm) and nothing else.
    ("helm:home", _("My page"), {Role.CITIZEN}),
    ("helm:plan", _("My plan"), {Role.CITIZEN}),
    ("helm:access_log", _("Who has looked at my case"), {Role.CITIZEN}),
    ("citizens:search", _("Citizens"), CASE_READERS),
    ("visitation:cases", _("Cases"), CASE_FILE_READERS),
    ("meetings:index", _("Visitation meetings"), MEETING_READERS),
    ("outcomes:due", _("Follow-ups"), CASE_ROLES),
    ("outcomes:compliance", _("Measurements due"), CENTRE_ROLES),
    ("visitation:transitions", _("Transitions"), CASEWORKERS),
    ("offers:list", _("Offers"), CATALOGUE_ROLES | CATALOGUE_EDITORS),
    ("economy:overview", _("Economy"), AGGREGATE_ROLES),
    ("balance:department", _("Balance model"), AGGREGATE_ROLES),
    ("reports:kpi_report", _("KPI report"), AGGREGATE_ROLES),
    ("capacity:index", _("Capacity"), AGGREGATE_ROLES),
    ("plans:list", _("Development plans"), AGGREGATE_ROLES),
    # Spreadsheet imports: the roles of roret.imports.views.IMPORTERS.
    ("imports:upload", _("Import"), CASEWORKERS | PLANNERS | CATALOGUE_EDITORS),
    ("core:users", _("Users"), ADMINS),
    ("core:audit_log", _("Audit log"), ADMINS),
    ("meetings:rule", _("Meeting rule"), ADMINS),
    ("admin:index", _("Reference data"), ADMINS),
]


def navigation(request):
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        path = request.path
        for name, label, roles in NAV:
            if user.role in roles:
                items.append({"url": reverse(name), "label": label, "active": False})
        # One item is current: the one whose address is the longest start of the page's path
        # (the transitions page lies under the cases page's /visitation/ but is its own item).
        matches = [item for item in items if path == item["url"] or (item["url"] != "/" and path.startswith(item["url"]))]
        if matches:
            max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"nav_items": items, "municipality_name": settings.RORET["MUNICIPALITY_NAME"]}
