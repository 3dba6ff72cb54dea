from django.urls import path

from roret.core import job_views, views

app_name = "core"
urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("jobs/<int:pk>/", job_views.job_status, name="job_status"),
    path("jobs/<int:pk>/output/", job_views.job_output, name="job_output"),
]
