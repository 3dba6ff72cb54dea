"""The offer catalogue on the shared list mechanism: filters, sorting, and the committee's hidden
figures sorting as empty."""

from tests.factories import PASSWORD


def _names(response):
    assert response.status_code == 200
    return [o.name for o in response.context["page"].rows]


def test_the_catalogue_filters_by_legal_basis_and_kind_and_sorts_by_each_way(world, client):
    client.login(username="economist", password=PASSWORD)
    assert _names(client.get("/offers/", {"legal_basis": "SEL104"})) == ["Aktivitetshuset"]
    assert _names(client.get("/offers/", {"kind": "external"})) == ["Eksternt bosted"]
    assert _names(client.get("/offers/", {"sort": "offer"})) == ["Aktivitetshuset", "Bostedet", "Eksternt bosted"]
    assert _names(client.get("/offers/", {"sort": "-places"})) == ["Aktivitetshuset", "Bostedet", "Eksternt bosted"]
    assert _names(client.get("/offers/", {"sort": "-tariff"})) == ["Eksternt bosted", "Bostedet", "Aktivitetshuset"]
    response = client.get("/offers/", {"legal_basis": "nope"})
    assert len(response.context["page"].rows) == 3 and response.context["page"].messages


def test_a_figure_hidden_from_the_committee_sorts_as_empty(world, client):
    from roret.offers.lists import OFFERS

    class Row:
        hidden = {"occupied"}
        occupied = 3

    assert OFFERS.column("occupied").key_fn(Row()) is None
    Row.hidden = set()
    assert OFFERS.column("occupied").key_fn(Row()) == 3


def test_the_sort_and_page_links_keep_the_day_asked_for(world, client):
    client.login(username="economist", password=PASSWORD)
    page = client.get("/offers/", {"day": "2025-06-01", "legal_basis": "SEL104"}).context["page"]
    assert page.sort_query("offer") == "?day=2025-06-01&legal_basis=SEL104&sort=offer"
