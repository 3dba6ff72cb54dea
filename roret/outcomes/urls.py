from django.urls import path

from roret.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("follow-ups/", views.due, name="due"),
    path("follow-ups/<int:follow_up_pk>/", views.follow_up, name="follow_up"),
    path("citizens/<int:citizen_id>/", views.citizen, name="citizen"),
    path("compliance/", views.compliance, name="compliance"),
    path("instruments/", views.instrument_list, name="instruments"),
]
