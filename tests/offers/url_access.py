from tests.url_roles import AGGREGATE, LOGIN, PERSONAS

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
}


def url_ids(world, citizen) -> dict:
    """The walker offer's tariff and change in places, and its provider."""
    offer = world.residential
    return {"tariff_pk": offer.tariffs.get().pk, "change_pk": offer.place_changes.get().pk,
            "provider_pk": offer.provider_id}
