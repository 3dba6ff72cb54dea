import datetime

from tests.url_roles import AGGREGATE, LOGIN, PERSONAS, exports, writes

# The catalogue editors (economist, administrator) read the catalogue they keep.
CATALOGUE = {**AGGREGATE, "admin": 200}
# Pages for the catalogue editors only: other roles 403.
EDITORS = {p: 403 for p in PERSONAS} | {"anonymous": LOGIN, "economist": 200, "admin": 200}
# A form on the offer's page answers a GET by going back to the page (302) for those who may post it.
EDITOR_POSTS = {**EDITORS, "economist": 302, "admin": 302}
# Places: the editors, and the leader of the centre that runs the walker's offer (Center A).
PLACE_POSTS = {**EDITOR_POSTS, "centre_leader": 302}

EXPECTED = {
    "offers:list": CATALOGUE,
    "offers:detail": CATALOGUE,
    "offers:offer_create": EDITORS,
    "offers:offer_edit": EDITORS,
    "offers:tariff_add": EDITOR_POSTS,
    "offers:tariff_correct": EDITOR_POSTS,
    "offers:places_set": PLACE_POSTS,
    "offers:place_correct": PLACE_POSTS,
    "offers:strategic_vacancy": PLACE_POSTS,
    "offers:provider_list": EDITORS,
    "offers:provider_create": EDITORS,
    "offers:provider_edit": EDITORS,
    # The catalogue as a file (CSV, .xlsx, JSON): whoever reads the page, audited as an export.
    "offers:catalogue_csv": CATALOGUE,
    "offers:catalogue_xlsx": CATALOGUE,
    "offers:catalogue_json": CATALOGUE,
}


def url_ids(world, citizen) -> dict:
    """The walker offer's tariff and change in places, and its provider."""
    offer = world.residential
    return {"tariff_pk": offer.tariffs.get().pk, "change_pk": offer.place_changes.get().pk,
            "provider_pk": offer.provider_id, "offer_type": offer.offer_type_id, "centre": world.centre.pk}


NEXT_MONTH = (datetime.date.today() + datetime.timedelta(days=31)).isoformat()
EDITORS_WRITE = ("economist", "admin")
PLACES_WRITE = ("economist", "admin", "centre_leader")


def _offer(ids, **changes) -> dict:
    """The walker's residential offer as its edit form posts it."""
    return {"provider": ids["provider_pk"], "name": "Bostedet", "legal_basis": "SEL108", "offer_type": ids["offer_type"],
            "age_min": "18", "staircase_step": "7", "requires_visitation": "on", "account_function": "5.38.50",
            "reason": "", **changes}


# Every persona reads the catalogue, so every persona's download is an export (an audit row).
CATALOGUE_READERS = tuple(p for p, status in CATALOGUE.items() if status == 200)
POSTS = {
    "offers:catalogue_csv": exports(*CATALOGUE_READERS),
    "offers:catalogue_xlsx": exports(*CATALOGUE_READERS),
    "offers:catalogue_json": exports(*CATALOGUE_READERS),
    "offers:offer_create": writes(lambda ids: _offer(ids, name="Nyt bosted"), *EDITORS_WRITE),
    "offers:offer_edit": writes(lambda ids: _offer(ids, name="Bostedet ved søen", reason="Nyt navn efter flytningen"),
                                *EDITORS_WRITE),
    "offers:tariff_add": writes({"tariff-valid_from": NEXT_MONTH, "tariff-amount": "2.300,00", "tariff-unit": "day",
                                 "tariff-reason": ""}, *EDITORS_WRITE),
    "offers:tariff_correct": writes(lambda ids: {f"tariff-{ids['tariff_pk']}-amount": "2.200,00",
                                                 f"tariff-{ids['tariff_pk']}-unit": "day",
                                                 f"tariff-{ids['tariff_pk']}-reason": "Forkert takst indtastet"},
                                    *EDITORS_WRITE),
    "offers:places_set": writes({"places-valid_from": NEXT_MONTH, "places-places": "3",
                                 "places-reason": "En ny bolig åbner"}, *PLACES_WRITE),
    "offers:place_correct": writes(lambda ids: {f"places-{ids['change_pk']}-valid_from": "2015-01-01",
                                                f"places-{ids['change_pk']}-places": "3",
                                                f"places-{ids['change_pk']}-reason": "Der var tre pladser fra start"},
                                   *PLACES_WRITE),
    "offers:strategic_vacancy": writes({"vacancy-places": "1", "vacancy-reason": "En plads holdes til akutte behov"},
                                       *PLACES_WRITE),
    "offers:provider_create": writes({"kind": "municipality", "name": "Ny kommune", "municipality_code": "992",
                                      "reason": ""}, *EDITORS_WRITE),
    "offers:provider_edit": writes(lambda ids: {"kind": "own", "name": "Center A, Bakken", "centre": ids["centre"],
                                                "reason": "Nyt navn efter flytningen"}, *EDITORS_WRITE),
}
