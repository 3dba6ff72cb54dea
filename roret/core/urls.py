from django.urls import path

from roret.core import job_views, user_views

app_name = "core"
# The audit log page (core:audit_log) lives in roret.front and joins this namespace in roret/urls.py.
urlpatterns = [
    path("users/", user_views.user_list, name="users"),
    path("users/new/", user_views.user_create, name="user_create"),
    path("users/<int:user_pk>/", user_views.user_detail, name="user_detail"),
    path("users/<int:user_pk>/access/", user_views.user_access, name="user_access"),
    path("users/<int:user_pk>/active/", user_views.user_active, name="user_active"),
    path("users/<int:user_pk>/password/", user_views.user_password, name="user_password"),
    path("jobs/<int:pk>/", job_views.job_status, name="job_status"),
    path("jobs/<int:pk>/retry/", job_views.job_retry, name="job_retry"),
    path("jobs/<int:pk>/output/", job_views.job_output, name="job_output"),
]
