from tests.url_roles import ADMIN_ONLY, ANY_USER, reads

EXPECTED = {
    "home": ANY_USER,
    "core:audit_log": ADMIN_ONLY,  # roret.front's page, in core's URL namespace
}


def _cpr_search(ids) -> dict:
    from roret.citizens.models import Citizen

    return {"cpr": Citizen.objects.get(pk=ids["citizen_id"]).cpr, "action": "view"}


# The audit log's CPR search is a POST (the number never stands in a URL) that only reads.
POSTS = {"core:audit_log": reads(_cpr_search)}
