from tests.url_roles import CASE, CITIZEN

EXPECTED = {
    "outcomes:due": CASE,
    "outcomes:follow_up": {**CASE, "centre_staff": 403, "centre_leader": 403, "outsider": 404},
    "outcomes:citizen": CITIZEN,
    "outcomes:compliance": CASE,
    "outcomes:instruments": CASE,
}
