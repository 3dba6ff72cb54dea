import datetime

from tests.url_roles import LOGIN, PERSONAS, writes

# The economist, centre leaders (their centre's aggregates) and the committee (suppressed) see
# economy aggregates; case-level costs (pseudonymised) and budgets are the economist's.
ECONOMY = {p: 403 for p in PERSONAS} | {"anonymous": LOGIN, "economist": 200, "centre_leader": 200, "committee": 200,
                                                      "leader": 200}
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

YEAR = datetime.date.today().year


def _budget_file(ids) -> dict:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["year", "account_function", "amount"])
    book.active.append([YEAR, "5.38.50", 1_000_000])
    out = io.BytesIO()
    book.save(out)
    return {"file": SimpleUploadedFile("budget.xlsx", out.getvalue())}


POSTS = {
    "economy:budget_set": writes({"year": YEAR, "account_function": "5.38.50", "amount": "1.000.000,00"}, "economist"),
    "economy:budget_import": writes(_budget_file, "economist"),
    "economy:settings": writes({"action": "target", "year": YEAR + 1, "target": "51"}, "economist"),
}
