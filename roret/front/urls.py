"""The front pages: the home page and the administrator's audit log.

The audit log keeps its name ``core:audit_log``: roret/urls.py puts :data:`core_patterns` in
core's URL namespace beside core's own pages, since roret.core itself may not import this app."""

from django.urls import path

from roret.front import views

urlpatterns = [
    path("", views.home, name="home"),
]

#: Pages named in the ``core`` namespace (``core:audit_log``).
core_patterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/alarms/<int:pk>/handled/", views.alarm_handle, name="alarm_handle"),
    path("access-reason/", views.access_reason, name="access_reason"),
]
