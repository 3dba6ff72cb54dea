from django.urls import path

from roret.core import job_views

app_name = "core"
# The audit log page (core:audit_log) lives in roret.front and joins this namespace in roret/urls.py.
urlpatterns = [
    path("jobs/<int:pk>/", job_views.job_status, name="job_status"),
    path("jobs/<int:pk>/output/", job_views.job_output, name="job_output"),
]
