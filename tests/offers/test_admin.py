"""Django admin is read-only for what touches money or the gate, shows the tariffs' full history,
and speaks Danish in its headings."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin

from roret.core.models import Role, User
from roret.economy.models import Budget, ReimbursementLevel, SelfSufficiencyTarget
from roret.offers import services
from roret.offers.models import Offer, PlaceChange, Provider, Tariff
from roret.placements.models import PlacementTariff
from tests.factories import PASSWORD

READ_ONLY = [Provider, Offer, PlaceChange, Tariff, PlacementTariff, Budget, ReimbursementLevel,
             SelfSufficiencyTarget]


@pytest.fixture
def admin_client(world, client):
    assert client.login(username="admin", password=PASSWORD)
    return client


def url(model, view="changelist", *args):
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/" + {
        "changelist": "", "add": "add/", "change": f"{args[0] if args else ''}/change/",
        "delete": f"{args[0] if args else ''}/delete/"}[view]


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m.__name__)
def test_money_and_catalogue_models_are_read_only(world, admin_client, model):
    model_admin = admin.site._registry[model]
    request = type("Request", (), {"user": world.users["admin"]})()
    assert model_admin.has_view_permission(request)
    assert not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
                or model_admin.has_delete_permission(request))
    assert admin_client.get(url(model)).status_code == 200
    assert admin_client.get(url(model, "add")).status_code == 403


def test_a_tariff_cannot_be_changed_or_deleted_in_admin(world, admin_client):
    row = world.residential.tariffs.get()
    page = admin_client.get(url(Tariff, "change", row.pk))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    admin_client.post(url(Tariff, "change", row.pk), {"amount": "1.00", "unit": "day", "valid_from": "2015-01-01"})
    assert admin_client.post(url(Tariff, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert Tariff.history.get(pk=row.pk).amount == Decimal("2250.00")


def test_the_tariff_list_shows_the_full_history(world, admin_client):
    wrong = world.residential.tariffs.get()
    correction = services.correct_tariff(wrong, amount="2300", unit="day", actor=world.users["economist"],
                                         reason="Forkert indtastet i 2015")
    html = admin_client.get(url(Tariff)).content.decode()
    assert f"/{wrong.pk}/change/" in html and f"/{correction.pk}/change/" in html
    assert admin_client.get(url(Tariff, "change", wrong.pk)).status_code == 200
    offer_page = admin_client.get(url(Offer, "change", world.residential.pk)).content.decode()
    assert "2250,00" in offer_page and "2300,00" in offer_page


def test_on_a_user_the_access_fields_are_read_only_and_a_password_may_be_set(world, admin_client):
    caseworker = world.users["caseworker"]
    assert admin_client.get("/admin/core/user/add/").status_code == 403
    response = admin_client.post(url(User, "change", caseworker.pk), {
        "username": "caseworker", "first_name": "Karin", "last_name": "Hansen", "email": "karin@kommune.dk",
        "role": Role.ADMIN, "team": "", "is_superuser": "on", "is_staff": "on", "is_active": "on"})
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert (caseworker.first_name, caseworker.role, caseworker.team, caseworker.is_superuser) == (
        "Karin", Role.CASEWORKER, world.team, False)
    assert admin_client.get(f"/admin/core/user/{caseworker.pk}/password/").status_code == 200
    assert admin_client.post(url(User, "delete", caseworker.pk), {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=caseworker.pk).exists()


def test_the_admin_index_speaks_danish(world, admin_client):
    html = admin_client.get("/admin/").content.decode()
    for english in ("Offers", "OFFERS", "Tasks Database Backend", "Tasks database backend", "Authentication"):
        assert english not in html, english
    for danish in ("Tilbudsvifte", "Økonomi", "Organisation, brugere og logning", "Bevillinger og placeringer"):
        assert danish in html, danish


def test_term_stays_editable_but_not_its_code(world, admin_client):
    from roret.core.models import Term

    term = Term.objects.get(display="Angst")
    page = admin_client.get(url(Term, "change", term.pk)).content.decode()
    assert 'name="display"' in page and 'name="code"' not in page


def test_budget_rows_shown_in_admin(world, admin_client):
    Budget.objects.create(year=datetime.date.today().year, account_function="5.38.50", amount=Decimal("1000000"))
    assert "5.38.50" in admin_client.get(url(Budget)).content.decode()
