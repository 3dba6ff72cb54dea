from django.urls import path

from roret.offers import editing, views

app_name = "offers"
urlpatterns = [
    path("", views.offer_list, name="list"),
    # The catalogue as a file in Tilbudsportalen's terms (docs/interop.md, "Offer catalogue").
    path("catalogue.csv", views.catalogue_download, {"fmt": "csv"}, name="catalogue_csv"),
    path("catalogue.xlsx", views.catalogue_download, {"fmt": "xlsx"}, name="catalogue_xlsx"),
    path("catalogue.json", views.catalogue_download, {"fmt": "json"}, name="catalogue_json"),
    path("new/", editing.offer_create, name="offer_create"),
    path("<int:pk>/", views.offer_detail, name="detail"),
    path("<int:pk>/edit/", editing.offer_edit, name="offer_edit"),
    path("<int:pk>/tariffs/", editing.tariff_add, name="tariff_add"),
    path("tariffs/<int:tariff_pk>/correct/", editing.tariff_correct, name="tariff_correct"),
    path("<int:pk>/places/", editing.places_set, name="places_set"),
    path("places/<int:change_pk>/correct/", editing.place_correct, name="place_correct"),
    path("<int:pk>/strategic-vacancy/", editing.strategic_vacancy, name="strategic_vacancy"),
    path("providers/", editing.provider_list, name="provider_list"),
    path("providers/new/", editing.provider_create, name="provider_create"),
    path("providers/<int:provider_pk>/", editing.provider_edit, name="provider_edit"),
]
