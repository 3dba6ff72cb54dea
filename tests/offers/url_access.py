from tests.url_roles import AGGREGATE

EXPECTED = {
    "offers:list": AGGREGATE,
    "offers:detail": AGGREGATE,
}
