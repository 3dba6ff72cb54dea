"""Template context: the navigation a user's role gives access to."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from roret.core.models import Role

ALL = set(Role.values)
NAV = [
    ("home", _("Overview"), ALL),
    ("citizens:search", _("Citizens"), {Role.CASEWORKER, Role.CENTRE_STAFF, Role.CENTRE_LEADER}),
    ("visitation:cases", _("Cases"), {Role.CASEWORKER}),
    ("outcomes:due", _("Follow-ups"), {Role.CASEWORKER, Role.CENTRE_STAFF, Role.CENTRE_LEADER}),
    ("outcomes:compliance", _("Measurements due"), {Role.CENTRE_STAFF, Role.CENTRE_LEADER}),
    ("visitation:transitions", _("Transitions"), {Role.CASEWORKER}),
    ("offers:list", _("Offers"), ALL - {Role.ADMIN}),
    ("economy:overview", _("Economy"), {Role.ECONOMIST, Role.CENTRE_LEADER, Role.COMMITTEE}),
    ("reports:kpi_report", _("KPI report"), {Role.ECONOMIST, Role.CENTRE_LEADER, Role.COMMITTEE}),
    ("capacity:index", _("Capacity"), {Role.ECONOMIST, Role.CENTRE_LEADER, Role.COMMITTEE}),
    ("core:audit_log", _("Audit log"), {Role.ADMIN}),
    ("admin:index", _("Reference data"), {Role.ADMIN}),
]


def navigation(request):
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        path = request.path
        for name, label, roles in NAV:
            if user.role in roles:
                url = reverse(name)
                active = path == url if url == "/" else path.startswith(url)
                items.append({"url": url, "label": label, "active": active})
    return {"nav_items": items, "municipality_name": settings.RORET["MUNICIPALITY_NAME"]}
