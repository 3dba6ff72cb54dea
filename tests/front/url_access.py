from tests.url_roles import ADMIN_ONLY, ANY_USER, reads, writes

EXPECTED = {
    "home": ANY_USER,
    "core:audit_log": ADMIN_ONLY,  # roret.front's page, in core's URL namespace
    # Marking a mass-read alarm as handled is a POST; a GET is not allowed.
    "core:alarm_handle": {**ADMIN_ONLY, "admin": 405},
    # The reason for access asks any logged-in user (it is only sent to roles that must give one).
    "core:access_reason": ANY_USER,
}

PATH_IDS = {"core:alarm_handle": {"pk": "alarm_pk"}}


def url_ids(world, citizen) -> dict:
    """An open mass-read alarm about the caseworker, for the administrator to handle."""
    from roret.core.models import MassReadAlarm

    alarm = MassReadAlarm.objects.create(user=world.users["caseworker"], records=101, threshold=100, minutes=10)
    return {"alarm_pk": alarm.pk}


def _cpr_search(ids) -> dict:
    from roret.citizens.models import Citizen

    return {"cpr": Citizen.objects.get(pk=ids["citizen_id"]).cpr, "action": "view"}


# The audit log's CPR search is a POST (the number never stands in a URL) that only reads. The
# reason for access is kept in the session only (the sessions table is not a record).
POSTS = {
    "core:audit_log": reads(_cpr_search),
    "core:alarm_handle": writes({"note": "Talt med medarbejderen: forberedte visitationsmødet"}, "admin"),
    "core:access_reason": reads(lambda ids: {"citizen": ids["citizen_id"], "reason": "Opfølgningsmøde torsdag",
                                             "next": "/"}),
}
