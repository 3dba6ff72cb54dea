"""The committee's view of the offer catalogue, the home page, the offers API and the capacity
pages: no count of 1-4 citizens shows, hidden cells read "hidden", every page says why, the
same offer hides the same figures on every page, and ?day= cannot set two days side by side."""

import datetime
import re

import pytest
from django.urls import reverse

from roret.offers.queries import committee_catalogue
from tests.factories import PASSWORD
from tests.reports.cells import hidden_texts, marked, small_catalogue, small_counts_shown

NOTE = "cannot be worked out from the totals"
TODAY_ONLY = "today's figures only"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def small_world(world):
    """The residential offer (2 places): 1 resident and 1 citizen waiting for it; the day offer
    (10 places): 7 residents and 3 waiting; the external offer: 6 own citizens."""
    today = datetime.date.today()
    start = today - datetime.timedelta(days=300)
    return small_catalogue(world, start)


def login(client, persona):
    assert client.login(username=persona, password=PASSWORD)


def get(client, name, *args, query=""):
    response = client.get(reverse(name, args=args) + query)
    assert response.status_code == 200
    return response.content.decode()


def committee_pages(world):
    return [("home", ()), ("offers:list", ()), ("offers:detail", (world.residential.pk,)),
            ("offers:detail", (world.day_offer.pk,)), ("offers:detail", (world.external.pk,)),
            ("capacity:index", ()), ("capacity:group", ("sel108",)), ("capacity:group", ("sel104",))]


def test_no_page_shows_the_committee_a_count_of_1_to_4_and_each_hidden_cell_says_why(small_world, client):
    login(client, "committee")
    for name, args in committee_pages(small_world):
        page = get(client, name, *args)
        assert not small_counts_shown(page), (name, args, small_counts_shown(page))
        assert "&lt;5" not in page and "<5" not in re.sub(r"<[^>]+>", "", page)
        if hidden_texts(page):
            assert set(hidden_texts(page)) == {"hidden"} and NOTE in page, (name, args)


def test_the_economist_sees_every_figure(small_world, client):
    login(client, "economist")
    for name, args in committee_pages(small_world):
        page = get(client, name, *args)
        assert not hidden_texts(page) and NOTE not in page and TODAY_ONLY not in page, (name, args)
    page = get(client, "offers:detail", small_world.residential.pk)
    assert [t for t, citizens, _h in marked(page) if citizens] == ["1", "1"]  # 1 occupied, 1 waiting


def test_the_offer_list_hides_the_small_cells_and_what_gives_them_away(small_world, client):
    login(client, "committee")
    page = get(client, "offers:list")
    own = page[page.index('id="own-offers"'):page.index("</table>", page.index('id="own-offers"'))]
    rows = {name: [t for t, _c, _h in marked(row)] for name, row in re.findall(r'">([^<]+)</a></td>(.*?)</tr>', own, re.S)}
    # Bostedet: 1 occupied (and so its vacancy and occupancy), 1 waiting. Aktivitetshuset: 3 waiting.
    assert rows["Bostedet"] == ["hidden", "hidden", "hidden", "hidden"]
    assert rows["Aktivitetshuset"][-1] == "hidden"
    # The own total of 4 waiting is small itself: hidden on the list and on the home page.
    kpis = page[page.index("roret-kpis"):page.index('id="own-offers"')]
    assert "hidden" in hidden_texts(kpis)
    assert "hidden" in hidden_texts(get(client, "home"))
    assert TODAY_ONLY in page and 'name="day"' not in page


def test_an_offer_hides_the_same_figures_on_every_page_and_in_the_api(small_world, client):
    login(client, "committee")
    hidden = {o.pk: o.hidden for o in committee_catalogue(datetime.date.today()).rows}
    api = {row["id"]: row for row in client.get("/api/v1/offers").json()["items"]}
    for offer in (small_world.residential, small_world.day_offer, small_world.external):
        detail = get(client, "offers:detail", offer.pk)
        first = [t for t, citizens, _h in marked(detail) if citizens][0]  # the occupied places come first
        assert ("occupied" in hidden[offer.pk]) == (first == "hidden")
        assert set(api[offer.pk]["suppressed"]) == {f for f in ("occupied", "vacancy", "waiting") if f in hidden[offer.pk]}
        for field in api[offer.pk]["suppressed"]:
            assert api[offer.pk][field] is None
    group = get(client, "capacity:group", "sel108")
    today_table = group[group.index("<h2>Today</h2>"):]
    today_table = today_table[:today_table.index("</table>")]
    assert "hidden" in hidden_texts(today_table) and "occupied" in hidden[small_world.residential.pk]


def test_the_api_gives_the_committee_nulls_and_names_them_and_the_economist_everything(small_world, client):
    login(client, "committee")
    rows = client.get("/api/v1/offers").json()["items"]
    for row in rows:
        for field in ("occupied", "waiting"):
            assert row[field] is None or not 1 <= row[field] <= 4, row
    residential = next(r for r in rows if r["name"] == "Bostedet")
    assert residential["occupied"] is None and residential["vacancy"] is None and residential["waiting"] is None
    assert residential["places"] == 2 and sorted(residential["suppressed"]) == ["occupied", "vacancy", "waiting"]
    client.logout()
    login(client, "economist")
    residential = next(r for r in client.get("/api/v1/offers").json()["items"] if r["name"] == "Bostedet")
    assert residential["occupied"] == 1 and residential["waiting"] == 1 and residential["suppressed"] == []


def test_the_schema_declares_the_suppressed_fields(small_world, client):
    login(client, "committee")  # the schema is for logged-in users
    schema = client.get("/api/v1/openapi.json").json()
    offer = schema["components"]["schemas"]["OfferOut"]["properties"]
    assert offer["suppressed"]["type"] == "array" and "committee" in offer["suppressed"]["description"]
    assert {"type": "null"} in offer["occupied"]["anyOf"] and {"type": "null"} in offer["waiting"]["anyOf"]


def test_the_committee_cannot_ask_for_another_day(small_world, client):
    """Figures of two days set side by side would give away a citizen who came or left between them."""
    login(client, "committee")
    before = (datetime.date.today() - datetime.timedelta(days=400)).isoformat()
    assert client.get(f"/api/v1/offers?day={before}").json() == client.get("/api/v1/offers").json()
    for name, args in (("offers:list", ()), ("offers:detail", (small_world.day_offer.pk,))):
        asked = get(client, name, *args, query=f"?day={before}")
        assert marked(asked) == marked(get(client, name, *args)) and TODAY_ONLY in asked
    assert TODAY_ONLY in get(client, "capacity:index") and TODAY_ONLY in get(client, "capacity:group", "sel108")
    client.logout()
    login(client, "economist")  # others may look back: a year ago nobody lived in the day offer
    rows = client.get(f"/api/v1/offers?day={before}").json()["items"]
    assert next(r for r in rows if r["name"] == "Aktivitetshuset")["occupied"] == 0
