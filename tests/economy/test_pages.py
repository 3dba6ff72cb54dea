"""Economy and report pages: who may see them, and what each role sees."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from roret.core.models import AuditEntry
from roret.economy.models import Budget
from roret.reports.toolkit.charts import format_da
from roret.reports.toolkit.tables import pseudonym
from tests.economy.url_access import EXPECTED as ECONOMY_URLS
from tests.factories import PASSWORD
from tests.reports.cells import hidden_texts, small_counts_shown
from tests.reports.url_access import EXPECTED as REPORT_URLS
from tests.url_roles import CITIZEN_ELSEWHERE, PERSONAS

day = datetime.date
LAST_YEAR = datetime.date.today().year - 1


@pytest.fixture
def economy_world(world):
    """Six citizens in the centre's day offer, one in the residential offer, one external, last year."""
    start = day(LAST_YEAR, 1, 1)
    for _ in range(6):
        world.place(world.citizen(), world.day_offer, start=start)
    world.place(world.citizen(), world.residential, start=start)
    expensive = world.offer("Specialtilbud", "SEL108", places=0, tariff="6500.00", provider=world.external_provider)
    world.place(world.citizen(), expensive, start=start)
    return world


def login(client, persona):
    if persona != "anonymous":
        assert client.login(username=persona, password=PASSWORD)


def test_economy_and_report_urls_answer_each_persona_as_declared(economy_world, client):
    # One world for all personas: the URL walker covers the same ground with a fresh world each.
    failures = []
    for persona in PERSONAS:
        client.logout()
        login(client, persona)
        for name, expected in {**ECONOMY_URLS, **REPORT_URLS}.items():
            if name.endswith("_pdf") and persona not in ("committee", "anonymous", "caseworker"):
                continue  # WeasyPrint is slow; the committee's PDF is rendered, the others' access is the page's
            status = client.get(reverse(name)).status_code
            # A citizen signed in to their own page is confined to it (roret.helm): 404 elsewhere.
            wanted = CITIZEN_ELSEWHERE if persona == "citizen" else expected[persona]
            if status != wanted:
                failures.append(f"{persona} {name}: {status} (expected {wanted})")
    assert not failures, failures


def test_the_committee_sees_small_cells_suppressed_and_the_economist_does_not(economy_world, client):
    url = reverse("economy:overview") + f"?kind=half&at={LAST_YEAR}-06-01&by=offer"  # the committee's periods
    login(client, "committee")
    page = client.get(url).content.decode()
    breakdown = page[page.index('id="breakdown"'):page.index("</table>", page.index('id="breakdown"'))]
    # The residential offer (1 citizen) and the external one (1 citizen) are hidden whole. The
    # total shows 8 citizens, so those two would both read 1 (8 - 6): the day offer (6) hides too.
    body, foot = breakdown.split("<tfoot>")
    assert not small_counts_shown(breakdown) and "&lt;5" not in breakdown
    assert set(hidden_texts(body)) == {"skjult"} and len(hidden_texts(body)) == 3 * 12
    # The total shows its 8 citizens; its 1 expensive case is a small cell of its own.
    assert "Aktivitetshuset" in body and hidden_texts(foot) == ["skjult"] and ">8<" in foot
    assert "ikke kan regnes ud fra totalerne" in page  # the page speaks Danish
    client.logout()
    login(client, "economist")
    page = client.get(url).content.decode()
    breakdown = page[page.index('id="breakdown"'):page.index("</table>", page.index('id="breakdown"'))]
    assert not hidden_texts(breakdown)
    days = (day(LAST_YEAR, 7, 1) - day(LAST_YEAR, 1, 1)).days   # the first half-year
    assert "Aktivitetshuset" in breakdown and format_da(6 * 600 * days) in breakdown


def test_the_economist_sees_expensive_cases_pseudonymised(economy_world, client):
    login(client, "economist")
    page = client.get(reverse("economy:expensive_cases") + f"?year={LAST_YEAR}").content.decode()
    rows = re.findall(r"<code>(B-[0-9A-F]{8})</code>", page)
    assert len(rows) == 1
    placed = economy_world.external.provider.offers.get(name="Specialtilbud").placements.get()
    assert rows[0] == pseudonym(placed.citizen_id)
    assert placed.citizen.last_name not in page and placed.citizen.cpr_masked not in page
    assert "not measured" in page or "ikke målt" in page
    assert AuditEntry.objects.filter(actor__username="economist", action="view", summary__contains="pseudonym").exists()


def test_centre_leaders_see_only_their_centres_offers(economy_world, client):
    login(client, "centre_leader")
    page = client.get(reverse("economy:overview") + f"?kind=year&at={LAST_YEAR}-06-01&by=offer").content.decode()
    assert "Aktivitetshuset" in page and "Specialtilbud" not in page


def test_the_report_downloads_as_pdf_and_excel_with_suppression_for_the_committee(economy_world, client):
    login(client, "committee")
    half = f"{LAST_YEAR}-H1"
    pdf = client.get(reverse("reports:kpi_report_pdf") + f"?half={half}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("reports:kpi_report_xlsx") + f"?half={half}")
    book = load_workbook(io.BytesIO(xlsx.content))
    values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert "skjult" in values and "<5" not in values
    assert AuditEntry.objects.filter(actor__username="committee", action="export").count() == 2


def _budget_file(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["year", "account_function", "amount", "note"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "budget.xlsx"
    return out


def test_budget_import_is_all_or_nothing_with_row_and_column_errors(economy_world, client):
    login(client, "economist")
    bad = _budget_file([[2026, "5.38.50", 1000000], [2026, "5.38.99", 5], ["x", "5.38.52", "-3"]])
    response = client.post(reverse("economy:budget_import"), {"file": bad}, follow=True)
    text = response.content.decode()
    assert "row 3, column B (account_function)" in text and "row 4, column A (year)" in text
    assert "row 4, column C (amount)" in text
    assert not Budget.objects.exists()
    good = _budget_file([[2026, "5.38.50", 1000000.5], [2026, "5.38.52", 250000]])
    client.post(reverse("economy:budget_import"), {"file": good}, follow=True)
    assert Budget.objects.get(year=2026, account_function="5.38.50").amount == pytest.approx(1000000.5)
    assert AuditEntry.objects.filter(action="create", object_type="economy.budget").count() == 2
    page = client.get(reverse("economy:budget") + "?year=2026").content.decode()
    assert 'id="budget"' in page


def test_the_report_can_be_made_as_a_background_job_with_the_users_suppression(economy_world, client):
    from roret.core.jobs import Job, JobStatus, run_job

    login(client, "committee")
    response = client.post(reverse("reports:kpi_report_start"), {"half": f"{LAST_YEAR}-H1", "format": "xlsx"})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("core:job_status", args=[job.pk])
    if job.status != JobStatus.DONE:  # the immediate backend in some settings has already run it
        run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    book = load_workbook(job.output.open("rb"))
    values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert "skjult" in values and "<5" not in values
    download = client.get(reverse("core:job_output", args=[job.pk]))
    assert download.status_code == 200
    # The plain name, whatever suffix the storage gave the file when it was made twice.
    assert download["Content-Disposition"] == f'attachment; filename="kpi-rapport-{LAST_YEAR}-H1.xlsx"'


def test_the_economist_enters_a_budget_by_hand_in_danish_notation(economy_world, client):
    login(client, "economist")
    client.post(reverse("economy:budget_set"), {"year": "2026", "account_function": "5.38.50",
                                                "amount": "12.500.000,50"})
    assert Budget.objects.get(year=2026, account_function="5.38.50").amount == Decimal("12500000.50")
    response = client.post(reverse("economy:budget_set"), {"year": "2026", "account_function": "5.38.99",
                                                           "amount": "1"}, follow=True)
    assert "5.38.99" in response.content.decode() and Budget.objects.count() == 1


def test_the_committee_sees_completed_half_years_only_never_the_one_running(economy_world, client):
    """A half-year still running changes day by day: two days' answers subtracted would show one
    citizen's new placement. The committee is shown the latest completed half-year instead."""
    from roret.core.periods import period_of
    from roret.reports.services import parse_half_value

    today = datetime.date.today()
    running, completed = period_of("half", today), period_of("half", today).previous(1)[0]
    client.login(username="committee", password=PASSWORD)
    page = client.get(reverse("economy:overview") + f"?kind=half&at={today.isoformat()}")
    assert page.context["period"] == completed
    assert "completed half-years" in " ".join(str(m) for m in page.context["messages"]) or \
        "afsluttede halvår" in page.content.decode()
    running_value = f"{running.start.year}-H{1 if running.start.month == 1 else 2}"
    assert parse_half_value(running_value, completed_only=True)[0] == completed
    assert parse_half_value(running_value)[0] == running   # the economist may follow the running half-year
    report = client.get(reverse("reports:kpi_report") + f"?half={running_value}")
    assert report.context["period"] == completed


def test_the_centre_leader_is_shown_the_occupancy_of_the_centres_places_not_a_self_sufficiency_of_100(
        economy_world, client):
    login(client, "centre_leader")
    page = client.get(reverse("economy:self_sufficiency"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="centre-occupancy"' in html and 'id="self-sufficiency"' not in html
    assert "100,0 %" not in html
    # Last year the centre's two own offers had 2 + 10 places; 1 + 6 citizens used them all year.
    row = [r for r in page.context["table"].rows if r[0].value == str(LAST_YEAR)][0]
    days = (day(LAST_YEAR + 1, 1, 1) - day(LAST_YEAR, 1, 1)).days
    assert (row[1].value, row[2].value) == (7 * days, 12 * days)
