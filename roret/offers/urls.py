from django.urls import path

from roret.offers import views

app_name = "offers"
urlpatterns = [
    path("", views.offer_list, name="list"),
    path("<int:pk>/", views.offer_detail, name="detail"),
]
