"""The offer catalogue in the API (roret/api/catalogue.py): the offers as the catalogue export builds
them (places, occupancy, vacancy, waiting list, tariffs over time), paged and filtered, the
committee's cells hidden as on its pages whatever the filter; and the catalogue's writes as dated
rows through the offer page's services, for the roles the gate allows, idempotent on request."""

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client

from roret.api import idempotency
from roret.api.catalogue import OFFER_NOT_FOUND, OFFER_NOT_YOURS
from roret.core import api_tokens
from roret.core.models import AuditEntry, Term
from roret.offers import services as offer_services
from roret.offers.models import Offer, PlaceChange, Tariff
from roret.offers.queries import committee_catalogue

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


def post(client, path: str, body, **headers):
    return client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def catalogue(world):
    """One resident in the residential offer (a cell the committee may not see), a target group on
    it, a tariff raised from next month and two more places from last year."""
    world.place(world.citizen(first_name="Beboer"), world.residential, start=TODAY - 100 * DAY)
    group = Term.objects.filter(group="target_group").order_by("code").first()
    world.residential.target_groups.add(group)
    economist = world.users["economist"]
    offer_services.add_tariff(world.residential, valid_from=TODAY + 30 * DAY, amount=Decimal("2400.00"), unit="day",
                              actor=economist)
    offer_services.set_places(world.residential, valid_from=TODAY - 365 * DAY, places=4, actor=economist,
                              reason="To nye boliger taget i brug")
    return world, group


def test_the_offers_are_a_page_with_tariffs_over_time(catalogue, api_client):
    world, group = catalogue
    answer = api_client("economist").get("/api/v1/offers").json()
    assert answer["total"] == Offer.objects.count() == 3 and answer["offset"] == 0
    bosted = next(o for o in answer["items"] if o["name"] == "Bostedet")
    assert (bosted["places"], bosted["occupied"], bosted["vacancy"], bosted["suppressed"]) == (4, 1, 3, [])
    assert bosted["paragraph"] == "SEL § 108" and bosted["own"] is True
    assert bosted["target_groups"] == [{"code": group.code, "display": group.display}]
    assert [(t["valid_from"], t["amount"], t["valid_through"]) for t in bosted["tariffs"]] == [
        ("2015-01-01", "2250.00", (TODAY + 29 * DAY).isoformat()), ((TODAY + 30 * DAY).isoformat(), "2400.00", None)]
    assert bosted["tariff_amount"] == "2250.00" and bosted["staircase_step"] == world.residential.staircase_step
    second = api_client("economist").get("/api/v1/offers?limit=1&offset=1").json()
    assert second["total"] == 3 and [o["id"] for o in second["items"]] == [answer["items"][1]["id"]]


@pytest.mark.parametrize(("query", "names"), [
    ("?legal_basis=SEL104", ["Aktivitetshuset"]),
    ("?own=false", ["Eksternt bosted"]),
    ("?own=true", ["Aktivitetshuset", "Bostedet"]),
    ("?offer_type={external_type}", ["Eksternt bosted"]),
    ("?target_group={group}", ["Bostedet"]),
    ("?closing=true", []),
])
def test_the_offers_filter(catalogue, api_client, query, names):
    world, group = catalogue
    query = query.format(group=group.code, external_type=world.external.offer_type.code)
    answer = api_client("caseworker").get(f"/api/v1/offers{query}").json()
    assert sorted(o["name"] for o in answer["items"]) == names and answer["total"] == len(names)


def test_the_committee_sees_the_pages_hidden_cells_in_a_filtered_list_too(catalogue, api_client):
    hidden = {o.pk: o.hidden for o in committee_catalogue(TODAY).rows}
    world, _group = catalogue
    committee = api_client("committee")
    for query in ("", "?own=true", "?legal_basis=SEL108"):
        for row in committee.get(f"/api/v1/offers{query}").json()["items"]:
            assert set(row["suppressed"]) == {f for f in ("occupied", "vacancy", "waiting") if f in hidden[row["id"]]}
            assert all(row[f] is None for f in row["suppressed"])
    bosted = committee.get(f"/api/v1/offers/{world.residential.pk}").json()
    assert bosted["occupied"] is None and "occupied" in bosted["suppressed"]


def test_one_offer_with_its_places_over_time(catalogue, api_client):
    world, _group = catalogue
    client = api_client("centre_staff")
    answer = client.get(f"/api/v1/offers/{world.residential.pk}").json()
    assert answer["places_over_time"] == [{"valid_from": "2015-01-01", "places": 2},
                                          {"valid_from": (TODAY - 365 * DAY).isoformat(), "places": 4}]
    then = client.get(f"/api/v1/offers/{world.residential.pk}?day={TODAY - 400 * DAY}").json()
    assert then["places"] == 2 and then["occupied"] == 0
    missing = client.get("/api/v1/offers/999999")
    assert missing.status_code == 404 and missing.json() == {"detail": OFFER_NOT_FOUND, "errors": []}
    assert api_client("outsider").get(f"/api/v1/offers/{world.residential.pk}").status_code == 200
    assert api_client("citizen").get(f"/api/v1/offers/{world.residential.pk}").status_code == 404


# --- writes ------------------------------------------------------------------------------------

def offer_body(world, **change) -> dict:
    return {"provider_id": world.own_provider.pk, "name": "Nyt bofællesskab", "legal_basis": "SEL107",
            "offer_type": world.external.offer_type.code, "staircase_step": 4, "account_function": "5.38.50",
            "target_groups": [Term.objects.filter(group="target_group").order_by("code").first().code], **change}


def test_an_editor_creates_an_offer_through_the_service(world, api_client, assert_audited):
    response = post(api_client("economist"), "/offers", offer_body(world))
    assert response.status_code == 201, response.content
    offer = Offer.objects.get(pk=response.json()["id"])
    assert offer.name == "Nyt bofællesskab" and offer.is_residential and offer.target_groups.count() == 1
    entry = assert_audited("create", world.users["economist"], obj=offer, channel="api")
    assert entry.summary.startswith("Tilbud oprettet")


@pytest.mark.parametrize(("change", "field"), [
    ({"provider_id": 10**9}, "provider_id"), ({"offer_type": "no-such-code"}, "offer_type"),
    ({"target_groups": ["no-such-code"]}, "target_groups"), ({"legal_basis": "SEL999"}, "legal_basis"),
    ({"age_min": 40, "age_max": 30}, "age_max"), ({"name": None}, "name"),
])
def test_a_bad_offer_gets_422_naming_the_field(world, api_client, change, field):
    before = Offer.objects.count()
    body = {k: v for k, v in offer_body(world, **change).items() if v is not None}
    response = post(api_client("economist"), "/offers", body)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]] or field in response.json()["detail"]
    assert Offer.objects.count() == before


@pytest.mark.parametrize("persona", ["caseworker", "centre_leader", "committee"])
def test_only_the_editors_create_offers(world, api_client, persona):
    response = post(api_client(persona), "/offers", offer_body(world))
    assert response.status_code == 403 and not Offer.objects.filter(name="Nyt bofællesskab").exists()


def test_a_tariff_is_a_new_dated_row_and_backdating_needs_a_reason(world, api_client, assert_audited):
    client = api_client("admin")
    path = f"/offers/{world.day_offer.pk}/tariffs"
    response = post(client, path, {"valid_from": (TODAY + 10 * DAY).isoformat(), "amount": "650.00", "unit": "day"})
    assert response.status_code == 201, response.content
    row = Tariff.objects.get(pk=response.json()["id"])
    assert (row.offer_id, row.amount, row.valid_from) == (world.day_offer.pk, Decimal("650.00"), TODAY + 10 * DAY)
    assert_audited("create", world.users["admin"], obj=row, channel="api")
    back = post(client, path, {"valid_from": (TODAY - 10 * DAY).isoformat(), "amount": "640.00", "unit": "day"})
    assert back.status_code == 422 and [e["field"] for e in back.json()["errors"]] == ["reason"]
    unit = post(client, path, {"valid_from": (TODAY + 20 * DAY).isoformat(), "amount": "640.00", "unit": "week"})
    assert unit.status_code == 422 and [e["field"] for e in unit.json()["errors"]] == ["unit"]
    assert post(api_client("centre_leader"), path, {"valid_from": (TODAY + 20 * DAY).isoformat(),
                                                    "amount": "1.00", "unit": "day"}).status_code == 403
    assert Tariff.objects.filter(offer=world.day_offer).count() == 2


def test_places_by_the_centre_leader_of_the_own_centre_only(world, api_client, assert_audited):
    leader = api_client("centre_leader")
    body = {"valid_from": (TODAY + 30 * DAY).isoformat(), "places": 12, "reason": "To nye pladser i huset"}
    response = post(leader, f"/offers/{world.day_offer.pk}/places", body)
    assert response.status_code == 201, response.content
    assert response.json()["change"] == 2 and response.json()["places"] == 12
    row = PlaceChange.objects.get(pk=response.json()["id"])
    assert_audited("create", world.users["centre_leader"], obj=row, channel="api")
    other = post(leader, f"/offers/{world.external.pk}/places", body)  # not the leader's centre
    assert other.status_code == 404 and not PlaceChange.objects.filter(offer=world.external).exists()
    assert other.json() == {"detail": OFFER_NOT_YOURS, "errors": []}
    same = post(leader, f"/offers/{world.day_offer.pk}/places", body)
    assert same.status_code == 422 and [e["field"] for e in same.json()["errors"]] == ["places"]
    assert post(api_client("caseworker"), f"/offers/{world.day_offer.pk}/places", body).status_code == 403


@pytest.mark.parametrize(("path", "body"), [
    ("/offers", None),
    ("/offers/{day}/tariffs", {"valid_from": (TODAY + 10 * DAY).isoformat(), "amount": "650.00", "unit": "day"}),
    ("/offers/{day}/places", {"valid_from": (TODAY + 30 * DAY).isoformat(), "places": 12, "reason": "Ny bygning"}),
])
def test_an_idempotency_key_sent_again_writes_once(world, path, body):
    token = api_tokens.create_token(actor=world.users["economist"], name="Økonomisystem", days=30).token
    headers = {"Authorization": f"Bearer {token}", idempotency.HEADER: "katalog-1"}
    path, body = path.format(day=world.day_offer.pk), body or offer_body(world)
    counts = lambda: (Offer.objects.count(), Tariff.objects.count(), PlaceChange.objects.count())  # noqa: E731
    before = counts()
    first = post(Client(), path, body, **headers)
    again = post(Client(), path, body, **headers)
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again[idempotency.REPLAYED] == "true"
    assert sum(counts()) == sum(before) + 1
    assert AuditEntry.objects.filter(action="create", channel="api", summary__contains="Økonomisystem").count() == 1
