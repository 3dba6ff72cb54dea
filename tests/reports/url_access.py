from tests.economy.url_access import ECONOMY

EXPECTED = {
    "reports:kpi_report": ECONOMY,
    "reports:kpi_report_pdf": ECONOMY,
    "reports:kpi_report_xlsx": ECONOMY,
    "reports:kpi_report_start": {**ECONOMY, "economist": 405, "centre_leader": 405, "committee": 405},  # POST only
}
