from django.urls import path

from roret.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:meeting_pk>/", views.meeting, name="meeting"),
    path("proposals/<int:proposal_pk>/", views.proposal, name="proposal"),
    path("rule/", views.rule, name="rule"),
]
