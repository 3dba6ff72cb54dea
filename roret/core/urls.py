from django.urls import path

from roret.core import account_views, job_views, token_views, user_views

app_name = "core"
# The audit log page (core:audit_log) lives in roret.front and joins this namespace in roret/urls.py.
urlpatterns = [
    path("users/", user_views.user_list, name="users"),
    path("users/new/", user_views.user_create, name="user_create"),
    path("users/<int:user_pk>/", user_views.user_detail, name="user_detail"),
    path("users/<int:user_pk>/access/", user_views.user_access, name="user_access"),
    path("users/<int:user_pk>/active/", user_views.user_active, name="user_active"),
    path("users/<int:user_pk>/password/", user_views.user_password, name="user_password"),
    path("users/<int:user_pk>/two-factor-reset/", user_views.user_two_factor_reset, name="user_two_factor_reset"),
    path("users/lockouts/lift/", user_views.lockout_lift, name="lockout_lift"),
    path("users/api-tokens/", token_views.api_tokens_admin, name="api_tokens_admin"),
    path("account/", account_views.account, name="account"),
    path("account/api-tokens/", token_views.api_tokens_page, name="api_tokens"),
    path("account/api-tokens/<int:token_pk>/revoke/", token_views.api_token_revoke, name="api_token_revoke"),
    path("account/logout-everywhere/", account_views.logout_everywhere, name="logout_everywhere"),
    path("account/two-factor/", account_views.two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/setup/", account_views.two_factor_setup, name="two_factor_setup"),
    path("jobs/<int:pk>/", job_views.job_status, name="job_status"),
    path("jobs/<int:pk>/retry/", job_views.job_retry, name="job_retry"),
    path("jobs/<int:pk>/output/", job_views.job_output, name="job_output"),
]
