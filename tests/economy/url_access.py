from tests.url_roles import LOGIN, PERSONAS

# The economist, centre leaders (their centre's aggregates) and the committee (suppressed) see
# economy aggregates; case-level costs (pseudonymised) and budgets are the economist's.
ECONOMY = {p: 403 for p in PERSONAS} | {"anonymous": LOGIN, "economist": 200, "centre_leader": 200, "committee": 200}
ECONOMIST = {p: 403 for p in PERSONAS} | {"anonymous": LOGIN, "economist": 200}

EXPECTED = {
    "economy:overview": ECONOMY,
    "economy:self_sufficiency": ECONOMY,
    "economy:expensive_cases": ECONOMIST,
    "economy:budget": ECONOMIST,
    "economy:budget_template": ECONOMIST,
    "economy:budget_import": ECONOMIST | {"economist": 405},  # POST only
    "economy:budget_set": ECONOMIST | {"economist": 405},  # POST only
    "economy:settings": ECONOMIST,
}
