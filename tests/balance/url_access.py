import datetime
import io

from tests.url_roles import LOGIN, PERSONAS, writes

# The balance model: the economist and the committee (suppressed) see the department and every
# centre; a centre leader their own centre (the department's page sends them there). Targets: the
# economist, and a centre leader for their centre. The HR import: the economist.
BALANCE = {p: 403 for p in PERSONAS} | {"anonymous": LOGIN, "economist": 200, "committee": 200, "centre_leader": 200,
                                                       "leader": 200}
SETTERS = {p: 403 for p in PERSONAS} | {"anonymous": LOGIN, "economist": 200, "centre_leader": 200}
ECONOMIST = {p: 403 for p in PERSONAS} | {"anonymous": LOGIN, "economist": 200}

EXPECTED = {
    "balance:department": BALANCE | {"centre_leader": 302},
    "balance:centre": BALANCE,
    "balance:targets": SETTERS,
    "balance:staff_import": ECONOMIST,
    "balance:staff_import_confirm": ECONOMIST | {"economist": 405},  # POST only
    "balance:staff_template": ECONOMIST,
}

HEADER = "centre;month;fte_employed;fte_budgeted;sickness_days;working_days;leavers;vacancies"


def _csv(world) -> bytes:
    return f"{HEADER}\n{world.centre.name};2024-01;10;12;3;200;0;1\n".encode()


def url_ids(world, citizen) -> dict:
    """The centre of the walker's centre leader, and a staff file the economist has previewed."""
    from roret.balance import services

    _upload, parsed = services.stage_upload(io.BytesIO(_csv(world)), actor=world.users["economist"],
                                            file_name="hr.csv")
    return {"centre_id": world.centre.pk, "staff_sha256": parsed.sha256}


def _upload(ids) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = f"{HEADER}\nCenter A;2023-05;10;12;3;200;0;1\n".encode()
    return {"file": SimpleUploadedFile("hr.csv", data, content_type="text/csv")}


POSTS = {
    "balance:targets": writes(lambda ids: {"action": "target", "kind": "sickness", "value": "5,5",
                                           "valid_from": datetime.date.today().isoformat(), "centre": ids["centre_id"]},
                              "economist", "centre_leader"),
    "balance:staff_import": writes(_upload, "economist"),
    "balance:staff_import_confirm": writes(lambda ids: {"sha256": ids["staff_sha256"]}, "economist"),
}
