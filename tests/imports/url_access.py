"""Who may open the import pages (tests/test_url_walker.py). Caseworkers import citizens and
placements, the economist budgets and the catalogue, the administrator the catalogue; a batch is its
uploader's (the administrator sees every batch, but imports none of anyone else's)."""

from tests.url_roles import LOGIN, PERSONAS, writes

REFUSED = {p: 403 for p in PERSONAS} | {"anonymous": LOGIN}
IMPORTERS = REFUSED | {"caseworker": 200, "outsider": 200, "economist": 200, "admin": 200}
# The walker's kind is citizens: a caseworker's; the other importers do not see it.
CITIZEN_KIND = IMPORTERS | {"economist": 404, "admin": 404}
# The walker's batch is the caseworker's.
BATCH = IMPORTERS | {"outsider": 404, "economist": 404}

EXPECTED = {
    "imports:upload": IMPORTERS,
    "imports:stage": CITIZEN_KIND,
    "imports:history": IMPORTERS,
    "imports:batch": BATCH,
    "imports:commit": IMPORTERS | {p: 405 for p in ("caseworker", "outsider", "economist", "admin")},  # POST only
    "imports:errors": BATCH,
    "imports:template": CITIZEN_KIND,
}

PATH_IDS = {
    "imports:stage": {"kind": "import_kind"},
    "imports:template": {"kind": "import_kind"},
    "imports:batch": {"pk": "import_pk"},
    "imports:commit": {"pk": "import_pk"},
    "imports:errors": {"pk": "import_pk"},
}


def _citizen_file(ids) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import make_cpr
    from tests.imports.helpers import xlsx

    data = xlsx(("cpr", "fornavn", "efternavn"), [(make_cpr(), "Walker", "Import")])
    return {"file": SimpleUploadedFile("borgere.xlsx", data)}


def url_ids(world, citizen) -> dict:
    """A staged citizens file of the caseworker's, waiting to be imported."""
    from roret.imports import services
    from tests.factories import make_cpr
    from tests.imports.helpers import xlsx

    data = xlsx(("cpr", "fornavn", "efternavn"), [(make_cpr(), "Staged", "Import")])
    batch = services.stage(data, "borgere.xlsx", "citizens", actor=world.users["caseworker"], background=False)
    assert batch.status == "staged", batch.errors
    return {"import_pk": batch.pk, "import_kind": "citizens"}


POSTS = {
    "imports:stage": writes(_citizen_file, "caseworker", "outsider"),
    "imports:commit": writes({}, "caseworker"),
}
