"""A URL that fails, for the error-page tests (tests/core/test_error_pages.py), beside roret's own."""

from django.urls import path

from roret.urls import urlpatterns as roret_urlpatterns


def fails(request, cpr):
    raise RuntimeError(f"internal failure at /srv/roret/secret.py reading {cpr} with SECRET_KEY")


urlpatterns = [path("test-fails/<str:cpr>/", fails), *roret_urlpatterns]
