from tests.economy.url_access import ECONOMIST, ECONOMY
from tests.url_roles import exports, writes

EXPECTED = {
    "reports:kpi_report": ECONOMY,
    "reports:kpi_report_pdf": ECONOMY,
    "reports:kpi_report_xlsx": ECONOMY,
    "reports:kpi_report_start": {**ECONOMY, "economist": 405, "centre_leader": 405, "committee": 405,
                                 "leader": 405},  # POST only
    # Statistics Denmark's reporting names citizens by CPR number: the economist's alone.
    "reports:dst": ECONOMIST,
    "reports:dst_download": ECONOMIST | {"economist": 405},  # POST only
}

# Starting the report in the background stores a job for whoever may read the report.
READERS = ("centre_leader", "economist", "committee", "leader")
POSTS = {
    "reports:kpi_report_start": writes({"format": "xlsx"}, *READERS),
    "reports:kpi_report_pdf": exports(*READERS),
    "reports:kpi_report_xlsx": exports(*READERS),
    # A month with nothing in force: an empty file, still audited as an export.
    "reports:dst_download": writes({"month": "2001-01"}, "economist"),
}
