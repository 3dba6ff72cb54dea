"""The catalogue's forms through the Django test client: bad input answers with a message that
names the field, no server error and nothing written; a double submit writes once; a role that may
not post a form is refused."""

import datetime

import pytest

from roret.core.models import Term
from roret.offers.models import Offer, PlaceChange, Provider, Tariff
from tests.factories import PASSWORD
from tests.offers.helpers import catalogue_state, page_text, refused
from tests.url_roles import PERSONAS

TODAY = datetime.date.today()
NEXT_MONTH = (TODAY.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
REASON = "Ny takst aftalt med leverandøren"


def logged_in(client, persona):
    assert client.login(username=persona, password=PASSWORD)
    return client


@pytest.fixture
def economist(world, client):
    return logged_in(client, "economist")


def tariff_post(**extra):
    return {"tariff-valid_from": NEXT_MONTH.isoformat(), "tariff-amount": "2.400,50", "tariff-unit": "day",
            "tariff-note": "", "tariff-reason": "", **extra}


# --- the offer page ----------------------------------------------------------------------

def test_the_offer_page_shows_the_forms_by_role(world, client):
    url = f"/offers/{world.residential.pk}/"
    forms = {"economist": {"tariff", "places"}, "admin": {"tariff", "places"}, "centre_leader": {"places"},
             "centre_staff": set(), "committee": set(), "caseworker": set()}
    for persona, expected in forms.items():
        logged_in(client, persona)
        html = client.get(url).content.decode()
        shown = {name for name, action in (("tariff", f"/offers/{world.residential.pk}/tariffs/"),
                                           ("places", f"/offers/{world.residential.pk}/places/"))
                 if f'action="{action}' in html}
        assert shown == expected, persona
        assert "Pladser over tid" in html and "Takster over tid" in html
        client.logout()


def test_adding_a_tariff_from_a_date(world, economist):
    response = economist.post(f"/offers/{world.residential.pk}/tariffs/", tariff_post())
    assert response.status_code == 302 and response["Location"].endswith("#tariffs")
    row = Tariff.objects.get(offer=world.residential, valid_from=NEXT_MONTH)
    assert str(row.amount) == "2400.50" and row.recorded_by == world.users["economist"]
    text = page_text(economist.get(response["Location"]))
    assert "Ny takst for Bostedet" in text and "2.400,50 kr." in text and "Kommende" in text


@pytest.mark.parametrize(("data", "field", "says"), [
    ({"tariff-amount": "to tusind"}, "Beløb (kr.)", "Indtast et tal."),
    ({"tariff-amount": ""}, "Beløb (kr.)", "Dette felt er påkrævet."),
    ({"tariff-amount": "-5"}, "Beløb (kr.)", "større end eller lig 0"),
    ({"tariff-amount": "123456789012345"}, "Beløb (kr.)", "maksimalt være 12 cifre"),
    ({"tariff-amount": "12,345"}, "Beløb (kr.)", "2 decimaler"),
    ({"tariff-valid_from": "31/12/2025"}, "Fra", "Indtast en gyldig dato."),
    ({"tariff-valid_from": "2025-02-30"}, "Fra", "Indtast en gyldig dato."),
    ({"tariff-valid_from": "2020-01-01"}, "Begrundelse", "ændrer tidligere udgifter"),
    ({"tariff-valid_from": "2020-01-01", "tariff-reason": "fejl"}, "Begrundelse", "mindst 10 tegn"),
    ({"tariff-unit": "week"}, "Enhed", "gyldig valgmulighed"),
    ({"tariff-valid_from": "2015-01-01", "tariff-reason": REASON}, "Fra", "har allerede en takst fra 01.01.2015"),
])
def test_a_tariff_with_bad_input_names_the_field(world, economist, data, field, says):
    refused(economist, f"/offers/{world.residential.pk}/tariffs/", tariff_post(**data), field=field, says=says)


def test_the_page_says_a_back_dated_tariff_needs_a_reason(world, economist):
    text = page_text(economist.get(f"/offers/{world.residential.pk}/"))
    assert "En dato før i dag ændrer udgifter, der allerede er bogført: så skal der en begrundelse til" in text


def test_the_same_tariff_twice_is_written_once(world, economist):
    url = f"/offers/{world.residential.pk}/tariffs/"
    assert economist.post(url, tariff_post()).status_code == 302
    refused(economist, url, tariff_post(), field="Fra", says="har allerede en takst fra")
    assert Tariff.history.filter(offer=world.residential, valid_from=NEXT_MONTH).count() == 1


def correction_post(row, **extra):
    prefix = f"tariff-{row.pk}"
    return {f"{prefix}-amount": "2300", f"{prefix}-unit": "day", f"{prefix}-reason": "Forkert indtastet i 2015",
            **{f"{prefix}-{k}": v for k, v in extra.items()}}


@pytest.mark.parametrize(("data", "field", "says"), [
    ({"reason": ""}, "Begrundelse for rettelsen", "Dette felt er påkrævet."),
    ({"reason": "fejl"}, "Begrundelse for rettelsen", "mindst 10 tegn"),
    ({"amount": "mange"}, "Rigtigt beløb (kr.)", "Indtast et tal."),
    ({"amount": "2250"}, "Rigtigt beløb (kr.)", "samme som taksten"),
    ({"amount": "99999999999999"}, "Rigtigt beløb (kr.)", "maksimalt være 12 cifre"),
])
def test_a_tariff_correction_with_bad_input_names_the_field(world, economist, data, field, says):
    row = world.residential.tariffs.get()
    refused(economist, f"/offers/tariffs/{row.pk}/correct/", correction_post(row, **data), field=field, says=says)


def test_a_tariff_correction_twice_is_written_once(world, economist):
    row = world.residential.tariffs.get()
    url = f"/offers/tariffs/{row.pk}/correct/"
    assert economist.post(url, correction_post(row)).status_code == 302
    refused(economist, url, correction_post(row), field=None, says="allerede rettet")
    assert Tariff.history.filter(corrects=row).count() == 1


def test_ids_that_do_not_exist_answer_404_and_write_nothing(world, economist):
    before = catalogue_state()
    for url in ("/offers/999999/tariffs/", "/offers/tariffs/999999/correct/", "/offers/999999/places/",
                "/offers/places/999999/correct/", "/offers/999999/strategic-vacancy/", "/offers/999999/edit/",
                "/offers/providers/999999/"):
        assert economist.post(url, tariff_post()).status_code == 404, url
    assert catalogue_state() == before


# --- places --------------------------------------------------------------------------------

@pytest.fixture
def leader(world, client):
    return logged_in(client, "centre_leader")


def places_post(**extra):
    return {"places-valid_from": TODAY.isoformat(), "places-places": "4", "places-reason": "Ny fløj taget i brug",
            **extra}


def test_the_centre_leader_sets_places_from_a_date(world, leader):
    response = leader.post(f"/offers/{world.residential.pk}/places/", places_post())
    assert response.status_code == 302 and response["Location"].endswith("#places")
    assert world.residential.places_on(TODAY) == 4
    assert "Bostedet har 4 pladser fra" in page_text(leader.get(response["Location"]))


@pytest.mark.parametrize(("data", "field", "says"), [
    ({"places-places": "fire"}, "Antal pladser fra den dato", "Indtast et heltal."),
    ({"places-places": "10001"}, "Antal pladser fra den dato", "mindre end eller lig 10000"),
    ({"places-places": "2"}, "Antal pladser fra den dato", "har allerede 2 pladser"),
    ({"places-reason": ""}, "Begrundelse", "Dette felt er påkrævet."),
    ({"places-valid_from": "i morgen"}, "Fra", "Indtast en gyldig dato."),
])
def test_places_with_bad_input_name_the_field(world, leader, data, field, says):
    refused(leader, f"/offers/{world.residential.pk}/places/", places_post(**data), field=field, says=says)


def test_the_same_places_twice_are_written_once(world, leader):
    url = f"/offers/{world.residential.pk}/places/"
    assert leader.post(url, places_post()).status_code == 302
    refused(leader, url, places_post(), field="Antal pladser fra den dato", says="har allerede 4 pladser")
    assert PlaceChange.objects.filter(offer=world.residential).count() == 2


def place_correction_post(row, **extra):
    prefix = f"places-{row.pk}"
    return {f"{prefix}-valid_from": "2015-01-01", f"{prefix}-places": "3",
            f"{prefix}-reason": "Der var tre pladser fra start", **{f"{prefix}-{k}": v for k, v in extra.items()}}


@pytest.mark.parametrize(("data", "field", "says"), [
    ({"reason": ""}, "Begrundelse for rettelsen", "Dette felt er påkrævet."),
    ({"places": "tre"}, "Pladser fra den dato, som det skulle have været", "Indtast et heltal."),
    ({"places": "-1"}, "Pladser fra den dato, som det skulle have været", "større end eller lig 0"),
    ({"places": "2"}, "Pladser fra den dato, som det skulle have været", "samme som ændringen"),
    ({"valid_from": "01-13-2015"}, "Skulle have gældt fra", "Indtast en gyldig dato."),
])
def test_a_place_correction_with_bad_input_names_the_field(world, leader, data, field, says):
    row = world.residential.place_changes.get()
    refused(leader, f"/offers/places/{row.pk}/correct/", place_correction_post(row, **data), field=field, says=says)


def test_a_place_correction_twice_is_written_once(world, leader):
    row = world.residential.place_changes.get()
    url = f"/offers/places/{row.pk}/correct/"
    assert leader.post(url, place_correction_post(row)).status_code == 302
    assert world.residential.places_on(TODAY) == 3
    refused(leader, url, place_correction_post(row), field="Pladser fra den dato, som det skulle have været",
            says="samme som ændringen")
    text = page_text(leader.get(f"/offers/{world.residential.pk}/"))
    assert "Rettelse 01.01.2015" in text and "Der var tre pladser fra start" in text


def test_a_later_change_is_corrected_by_the_places_it_should_give(world, leader):
    """Bostedet has 2 places from 2015 and 5 from 2024 (+3); the 2024 change should have given 6."""
    from roret.offers import services

    later = services.set_places(world.residential, valid_from=datetime.date(2024, 1, 1), places=5,
                                actor=world.users["economist"], reason="Tre nye pladser i 2024")
    page = page_text(leader.get(f"/offers/{world.residential.pk}/"))
    assert "Uden denne ændring har tilbuddet 2 pladser fra den dato: skriv 2 for at annullere den." in page
    response = leader.post(f"/offers/places/{later.pk}/correct/", {
        f"places-{later.pk}-valid_from": "2024-01-01", f"places-{later.pk}-places": "6",
        f"places-{later.pk}-reason": "Der kom fire nye pladser, ikke tre"})
    assert response.status_code == 302
    assert [r.change for r in later.corrections.all()] == [1]
    assert world.residential.places_on(datetime.date(2024, 1, 1)) == 6
    assert world.residential.places_on(datetime.date(2023, 12, 31)) == 2
    # Giving the places there were without it takes the change back.
    leader.post(f"/offers/places/{later.pk}/correct/", {
        f"places-{later.pk}-valid_from": "2024-01-01", f"places-{later.pk}-places": "2",
        f"places-{later.pk}-reason": "Udvidelsen blev aldrig til noget"})
    assert world.residential.places_on(datetime.date(2024, 1, 1)) == 2
    assert "annulleret" in page_text(leader.get(f"/offers/{world.residential.pk}/"))


@pytest.mark.parametrize(("data", "field", "says"), [
    ({"vacancy-places": "3"}, "Pladser holdt tomme med vilje", "kan ikke holde flere end det tomme"),
    ({"vacancy-places": "en"}, "Pladser holdt tomme med vilje", "Indtast et heltal."),
    ({"vacancy-places": "0"}, "Pladser holdt tomme med vilje", "holder allerede 0 pladser"),
    ({"vacancy-reason": ""}, "Begrundelse", "Dette felt er påkrævet."),
])
def test_strategic_vacancy_with_bad_input_names_the_field(world, leader, data, field, says):
    good = {"vacancy-places": "1", "vacancy-reason": "Akutplads til egne borgere"}
    refused(leader, f"/offers/{world.residential.pk}/strategic-vacancy/", {**good, **data}, field=field, says=says)


def test_a_centre_leader_cannot_post_another_centres_places(world, leader):
    other = Offer.objects.create(provider=world.other_provider, name="Andet bosted", legal_basis="SEL108",
                                 offer_type=world.residential.offer_type, staircase_step=7, account_function="5.38.50")
    before = catalogue_state()
    assert leader.post(f"/offers/{other.pk}/places/", places_post()).status_code == 404
    assert leader.post(f"/offers/{other.pk}/strategic-vacancy/", {"vacancy-places": "0",
                                                                   "vacancy-reason": "Akutplads til egne"}
                       ).status_code == 404
    assert catalogue_state() == before


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ("anonymous", "economist", "admin")])
def test_roles_that_are_not_editors_cannot_post_tariffs_offers_or_providers(world, client, persona):
    logged_in(client, persona)
    row = world.residential.tariffs.get()
    before = catalogue_state()
    posts = {f"/offers/{world.residential.pk}/tariffs/": tariff_post(),
             f"/offers/tariffs/{row.pk}/correct/": correction_post(row),
             "/offers/new/": offer_post(world), f"/offers/{world.residential.pk}/edit/": offer_post(world),
             "/offers/providers/new/": provider_post()}
    for url, data in posts.items():
        # A citizen signed in to their own page is confined to it (roret.helm): 404 elsewhere.
        assert client.post(url, data).status_code == (404 if persona == "citizen" else 403), url
    assert catalogue_state() == before


# --- offers and providers ------------------------------------------------------------------

def offer_post(world, **extra):
    groups = Term.objects.filter(group="target_group", display__in=["Angst", "Autismespektrum"])
    data = {"name": "Bofællesskabet Ågade", "provider": world.own_provider.pk, "unit": "", "legal_basis": "ABL105",
            "staircase_step": "5", "offer_type": world.residential.offer_type_id, "account_function": "5.38.50",
            "target_groups": [g.pk for g in groups], "age_min": "18", "age_max": "", "requires_visitation": "on",
            "description": "", "closed_on": "", "reason": ""}
    return {**data, **extra}


def test_creating_an_offer_with_target_groups(world, economist):
    response = economist.post("/offers/new/", offer_post(world))
    offer = Offer.objects.get(name="Bofællesskabet Ågade")
    assert response.status_code == 302 and response["Location"] == f"/offers/{offer.pk}/"
    assert sorted(offer.target_groups.values_list("display", flat=True)) == ["Angst", "Autismespektrum"]
    assert offer.is_residential
    # The new offer's page, with no tariff and no places yet, offers the forms to give it both.
    text = page_text(economist.get(response["Location"]))
    assert "Ågade er oprettet. Giv det en takst" in text and "Tilbuddet har endnu ingen takst" in text
    assert "Der er ikke registreret pladser for tilbuddet" in text


def test_the_offer_form_lists_every_target_group_as_a_checkbox(world, economist):
    html = economist.get("/offers/new/").content.decode()
    groups = Term.objects.filter(group="target_group").exclude(display="Målgruppe")
    assert html.count('name="target_groups"') == groups.count() > 40
    assert 'data-checklist-filter' in html and "---------" not in html


@pytest.mark.parametrize(("data", "field", "says"), [
    ({"name": ""}, "Navn", "Dette felt er påkrævet."),
    ({"age_min": "atten"}, "Minimumsalder", "Indtast et heltal."),
    ({"age_max": "16"}, "Maksimumsalder", "må ikke være lavere end minimumsalderen"),
    ({"offer_type": "999999"}, "Tilbudstype (FFB)", "gyldig valgmulighed"),
    ({"target_groups": ["999999"]}, "Målgrupper (FFB)", "gyldig valgmulighed"),
    ({"closed_on": "snart"}, "Lukket den", "Indtast en gyldig dato."),
    ({"provider": ""}, "Leverandør", "Dette felt er påkrævet."),
    ({"name": "Bostedet"}, "Navn", "har allerede et tilbud med dette navn"),
])
def test_an_offer_with_bad_input_names_the_field(world, economist, data, field, says):
    refused(economist, "/offers/new/", offer_post(world, **data), field=field, says=says)


def test_the_same_new_offer_twice_is_created_once(world, economist):
    assert economist.post("/offers/new/", offer_post(world)).status_code == 302
    refused(economist, "/offers/new/", offer_post(world), field="Navn", says="har allerede et tilbud med dette navn")
    assert Offer.objects.filter(name="Bofællesskabet Ågade").count() == 1


def test_editing_an_offer_needs_a_reason_and_saving_nothing_writes_nothing(world, economist):
    url = f"/offers/{world.day_offer.pk}/edit/"
    current = offer_post(world, name="Aktivitetshuset", legal_basis="SEL104", staircase_step="4",
                         offer_type=world.day_offer.offer_type_id, target_groups=[])
    refused(economist, url, {**current, "age_max": "65"}, field="Begrundelse", says="mindst 10 tegn")
    before = catalogue_state()
    response = economist.post(url, current)
    assert response.status_code == 302 and catalogue_state() == before
    assert "Intet blev ændret" in page_text(economist.get(response["Location"]))
    response = economist.post(url, {**current, "age_max": "65", "reason": "Målgruppen er til og med 65 år"})
    assert response.status_code == 302
    assert Offer.objects.get(pk=world.day_offer.pk).age_max == 65


def provider_post(**extra):
    return {"kind": "private", "name": "Bostedet Lærkebo ApS", "centre": "", "municipality_code": "",
            "cvr": "25990862", "reason": "", **extra}


@pytest.mark.parametrize(("data", "field", "says"), [
    ({"cvr": ""}, None, "skal have sit CVR-nummer"),
    ({"cvr": "12345678"}, "CVR-nummer", "kontrolciffer"),
    ({"cvr": "1234"}, "CVR-nummer", "8 cifre"),
    ({"kind": "own"}, None, "et af afdelingens centre"),
    ({"kind": "municipality", "cvr": ""}, None, "kommunekode"),
    ({"centre": "999999"}, "Center", "gyldig valgmulighed"),
    ({"name": "Nabokommune"}, "Navn", "eksisterer allerede"),
])
def test_a_provider_with_bad_input_names_the_field(world, economist, data, field, says):
    refused(economist, "/offers/providers/new/", provider_post(**data), field=field, says=says)


def test_providers_are_listed_created_and_changed(world, economist):
    assert "Nabokommune" in page_text(economist.get("/offers/providers/"))
    response = economist.post("/offers/providers/new/", provider_post())
    provider = Provider.objects.get(name="Bostedet Lærkebo ApS")
    assert response.status_code == 302
    refused(economist, "/offers/providers/new/", provider_post(), field="Navn", says="eksisterer allerede")
    url = f"/offers/providers/{provider.pk}/"
    refused(economist, url, provider_post(name="Lærkebo ApS"), field="Begrundelse", says="mindst 10 tegn")
    assert economist.post(url, provider_post(name="Lærkebo ApS", reason="Nyt navn efter fusion")).status_code == 302
    provider.refresh_from_db()
    assert provider.name == "Lærkebo ApS"
