"""The half-yearly status report: made through the service (as the job and the command do), its PDF
turned into page images with pdftoppm and its text checked for every section, its Word document
reopened with python-docx and the totals checked against ``roret plan show``, and the committee's
version hiding every cell of 1-4 citizens."""

import datetime
import io
import json
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.utils import translation
from docx import Document

from roret.core.models import AuditAction
from roret.plans import services, status_report
from roret.plans.models import StatusReportFile
from tests.plans.helpers import make_plan

pytestmark = pytest.mark.django_db

ROWS = [
    {"track": "1", "initiative": "Genforhandling af eksterne kontrakter", "effect": [-100000, -150000]},
    {"track": "2", "initiative": "Alternative løsninger", "investment": [250000, 0], "effect": [-150000, -250000]},
    {"track": None, "initiative": "Samlet effekt af tidlig indsats", "effect": [0, -75000]},
]
HALF = "2025H2"


@pytest.fixture
def plan(world):
    return make_plan(ROWS)


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "page")], check=True)
    assert sorted(p.name for p in tmp_path.glob("page-*.png")), "pdftoppm made no page images"
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


needs_poppler = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils (pdftoppm) not installed")


def section_titles(report) -> list[str]:
    return [s.title for s in report.sections]


@needs_poppler
def test_the_pdf_has_every_section_and_the_word_totals_match_plan_show(world, plan, tmp_path, capsys,
                                                                        assert_audited):
    economist = world.users["economist"]
    stored = services.make_status_report(plan, HALF, actor=economist)
    assert not stored.suppressed and stored.seconds is not None
    assert_audited(AuditAction.EXPORT, economist, obj=stored)
    with translation.override("da"):
        report = status_report.build(plan, status_report.parse_half(HALF), economist)
        titles = section_titles(report)
    assert len(titles) >= 7
    with stored.pdf.open("rb") as f:
        text = " ".join(pdf_text(f.read(), tmp_path).split())
    for title in titles:
        assert " ".join(title.split()) in text, title
    assert "Spor 1: Genforhandling af eksterne kontrakter" in text

    call_command("plan", "show", str(plan.pk), "--json")
    shown = json.loads(capsys.readouterr().out)
    with stored.docx.open("rb") as f:
        document = Document(io.BytesIO(f.read()))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert all(t in headings for t in titles), (titles, headings)
    totals = next(t for t in document.tables if t.rows[1].cells[0].text == "Investeringer i alt")
    by_label = {row.cells[0].text: [c.text for c in row.cells[2:]] for row in totals.rows[1:]}

    def danish(values):
        return [f"{v:,}".replace(",", ".").replace("-", "-") for v in values]

    assert by_label["Netto (investeringer + effekter)"] == danish(shown["totals"]) == ["0", "-475.000"]  # 250.000 - 100.000 - 150.000; -150.000 - 250.000 - 75.000
    assert by_label["Investeringer i alt"] == danish(shown["investment_totals"])
    assert by_label["Forventede effekter i alt"] == danish(shown["effect_totals"])


def test_the_committee_gets_the_suppressed_report_only(world, plan, client):
    from tests.factories import PASSWORD

    own = services.make_status_report(plan, HALF, actor=world.users["economist"])
    theirs = services.make_status_report(plan, HALF, actor=world.users["committee"])
    assert theirs.suppressed and not own.suppressed
    assert client.login(username="committee", password=PASSWORD)
    listing = client.get(f"/plans/{plan.pk}/status/").content.decode()
    assert f"/status/{theirs.pk}/" in listing and f"/status/{own.pk}/" not in listing
    assert client.get(f"/plans/{plan.pk}/status/{own.pk}/").status_code == 404
    assert client.get(f"/plans/{plan.pk}/status/{own.pk}/report.pdf").status_code == 404
    response = client.get(f"/plans/{plan.pk}/status/{theirs.pk}/report.pdf")
    assert response.status_code == 200 and b"".join(response.streaming_content)[:4] == b"%PDF"
    docx = client.get(f"/plans/{plan.pk}/status/{theirs.pk}/report.docx")
    assert docx.status_code == 200 and "attachment" in docx["Content-Disposition"]


def test_the_command_writes_both_files(world, plan, tmp_path):
    call_command("report", "status", "--plan", str(plan.pk), "--half", HALF, "--pdf", str(tmp_path / "s.pdf"),
                 "--docx", str(tmp_path / "s.docx"), "--as", "committee")
    assert (tmp_path / "s.pdf").read_bytes()[:4] == b"%PDF"
    assert Document(str(tmp_path / "s.docx")).paragraphs
    assert StatusReportFile.objects.get().suppressed


@pytest.mark.parametrize("half", ["2025H3", "H1", "2025-1", ""])
def test_a_bad_half_year_is_refused(world, plan, half):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="2026H1"):
        call_command("report", "status", "--plan", str(plan.pk), "--half", half, "--pdf", "/tmp/x.pdf")
    assert not StatusReportFile.objects.exists()


def test_the_page_starts_a_job_for_a_half_year_of_the_plan(world, plan, client):
    from roret.core.jobs import Job
    from tests.factories import PASSWORD

    assert client.login(username="economist", password=PASSWORD)
    response = client.post(f"/plans/{plan.pk}/status/make/", {"half": "2025H2"})
    job = Job.objects.get()
    assert response.status_code == 302 and job.params == {"plan": plan.pk, "half": "2025H2"}
    refused = client.post(f"/plans/{plan.pk}/status/make/", {"half": "2019H1"}, follow=True)
    assert refused.status_code == 200 and Job.objects.count() == 1


def test_the_job_makes_the_report(world, plan):
    from roret.core.jobs import JobStatus, run_job, start_job

    job = start_job("plans.status_report", user=world.users["economist"], params={"plan": plan.pk, "half": HALF})
    if job.status != JobStatus.DONE:  # the immediate backend in some settings has already run it
        run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.error
    stored = StatusReportFile.objects.get()
    assert job.result_url == f"/plans/{plan.pk}/status/{stored.pk}/"
    assert stored.made_by == world.users["economist"] and not stored.suppressed
    with stored.pdf.open("rb") as pdf, stored.docx.open("rb") as docx:
        assert pdf.read(4) == b"%PDF" and docx.read(2) == b"PK"
    assert "Udviklingsplanen" in stored.html


def test_the_committees_report_is_for_a_completed_half_year_only(world, plan, client):
    from django.core.exceptions import ValidationError

    from roret.core import periods
    from tests.factories import PASSWORD

    running = status_report.half_value(periods.period_of("half", datetime.date.today()))
    with pytest.raises(ValidationError, match="completed half-year"):
        services.make_status_report(plan, running, actor=world.users["committee"])
    assert client.login(username="committee", password=PASSWORD)
    assert f'value="{running}"' not in client.get(f"/plans/{plan.pk}/status/").content.decode()
    assert not StatusReportFile.objects.exists()
