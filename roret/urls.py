"""roret's URLs. Every pattern here must be declared in tests/test_url_walker.py."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from roret.api.api import api
from roret.core import urls as core_urls
from roret.front import urls as front_urls

admin.site.site_header = "roret – referencedata"
admin.site.site_title = "roret"

urlpatterns = [
    path("", include("roret.front.urls")),
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("citizens/", include("roret.citizens.urls")),
    path("offers/", include("roret.offers.urls")),
    path("visitation/", include("roret.visitation.urls")),
    path("meetings/", include("roret.meetings.urls")),
    path("outcomes/", include("roret.outcomes.urls")),
    path("me/", include("roret.helm.urls")),
    path("journal/", include("roret.journal.urls")),
    path("economy/", include("roret.economy.urls")),
    path("plans/", include("roret.plans.urls")),
    path("balance/", include("roret.balance.urls")),
    path("capacity/", include("roret.capacity.urls")),
    path("reports/", include("roret.reports.urls")),
    path("imports/", include("roret.imports.urls")),
    # core's pages (jobs) and the audit log, which lives in roret.front, under one namespace: core:audit_log.
    path("", include((core_urls.urlpatterns + front_urls.core_patterns, "core"))),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

# Single sign-on (docs/security.md): only when switched on, so mozilla-django-oidc is imported only then.
# Staff's patterns come first: their /login/ and /admin/login/ go to the identity provider instead.
if settings.RORET_STAFF_OIDC:
    from roret.core import oidc as staff_oidc

    urlpatterns = staff_oidc.urlpatterns + urlpatterns
if settings.RORET_CITIZEN_OIDC:
    from roret.helm import oidc as citizen_oidc

    urlpatterns = citizen_oidc.urlpatterns + urlpatterns
