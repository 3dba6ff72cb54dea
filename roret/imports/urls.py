from django.urls import path

from roret.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("upload/<slug:kind>/", views.stage, name="stage"),
    path("history/", views.history, name="history"),
    path("<int:pk>/", views.batch, name="batch"),
    path("<int:pk>/commit/", views.commit, name="commit"),
    path("<int:pk>/errors.xlsx", views.error_report, name="errors"),
    path("template/<slug:kind>.xlsx", views.template, name="template"),
]
