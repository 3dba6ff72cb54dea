from django.urls import path

from roret.balance import views

app_name = "balance"
urlpatterns = [
    path("", views.department, name="department"),
    path("centre/<int:centre_id>/", views.centre, name="centre"),
    path("targets/", views.targets, name="targets"),
    path("staff/import/", views.staff_import, name="staff_import"),
    path("staff/import/confirm/", views.staff_import_confirm, name="staff_import_confirm"),
    path("staff/template.csv", views.staff_template, name="staff_template"),
]
