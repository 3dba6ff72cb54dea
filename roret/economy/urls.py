from django.urls import path

from roret.economy import views

app_name = "economy"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("self-sufficiency/", views.self_sufficiency, name="self_sufficiency"),
    path("expensive-cases/", views.expensive_cases, name="expensive_cases"),
    path("budget/", views.budget, name="budget"),
    path("budget/template.xlsx", views.budget_template, name="budget_template"),
    path("budget/import/", views.budget_import, name="budget_import"),
    path("budget/set/", views.budget_set, name="budget_set"),
    path("settings/", views.settings_page, name="settings"),
]
