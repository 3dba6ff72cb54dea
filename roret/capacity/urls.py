from django.urls import path

from roret.capacity import views

app_name = "capacity"
urlpatterns = [
    path("", views.index, name="index"),
    path("groups/<slug:key>/", views.group_detail, name="group"),
    path("groups/<slug:key>/run/", views.run_plan, name="run_plan"),
    path("groups/<slug:key>/scenarios/new/", views.scenario_new, name="scenario_new"),
    path("scenarios/<int:pk>/", views.scenario_edit, name="scenario_edit"),
    path("scenarios/<int:pk>/delete/", views.scenario_delete, name="scenario_delete"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/pdf/", views.run_pdf, name="run_pdf"),
]
