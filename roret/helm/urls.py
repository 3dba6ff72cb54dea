from django.urls import path

from roret.helm import views

app_name = "helm"
urlpatterns = [
    # The citizen's own pages: always the signed-in citizen's own record, so no id in the address.
    path("", views.home, name="home"),
    path("wellbeing/", views.measure, name="measure"),
    path("goals/<int:goal_id>/", views.rate_goal, name="rate_goal"),
    path("plan/", views.plan, name="plan"),
    path("access-log/", views.access_log, name="access_log"),
    path("invitation/<str:token>/", views.redeem, name="redeem"),
    # The caseworker's side.
    path("citizens/<int:citizen_id>/invitations/", views.invitations, name="invitations"),
    path("invitations/<int:invitation_pk>/revoke/", views.revoke, name="revoke"),
    path("citizens/<int:citizen_id>/log-out/", views.end_sessions, name="end_sessions"),
]
