from django.urls import path

from roret.citizens import views

app_name = "citizens"
urlpatterns = [
    path("", views.search, name="search"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/access-log/", views.access_log, name="access_log"),
    path("<int:pk>/relatives/add/", views.add_relative, name="add_relative"),
    path("<int:pk>/consents/add/", views.add_consent, name="add_consent"),
    path("<int:pk>/consents/<int:consent_id>/withdraw/", views.withdraw_consent, name="withdraw_consent"),
]
