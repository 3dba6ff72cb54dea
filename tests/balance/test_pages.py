"""The balance pages as each role sees them; the targets page; the import's preview and commit."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from roret.balance.models import BalanceTarget, StaffImport, StaffMonth
from roret.core.models import AuditEntry
from roret.economy.models import SelfSufficiencyTarget
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
HEADER = "centre;month;fte_employed;fte_budgeted;sickness_days;working_days;leavers;vacancies"


def login(client, world, persona):
    assert client.login(username=persona, password=PASSWORD)
    return world.users[persona]


def test_the_department_page_shows_three_perspectives_with_trends(client, world):
    login(client, world, "economist")
    html = client.get("/balance/").content.decode()
    for perspective in ("perspective-people", "perspective-practice", "perspective-economy"):
        assert f'id="{perspective}"' in html
    assert html.count('class="roret-spark"') == 17                  # one trend per figure
    assert 'role="img"' in html and "<title>" in html                # the trend is said in words
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and ' style="' not in html   # the CSP: nothing inline
    assert f'href="/balance/centre/{world.centre.pk}/"' in html


def test_a_centre_leader_sees_their_own_centre_and_no_other(client, world):
    login(client, world, "centre_leader")
    response = client.get("/balance/")
    assert response.status_code == 302 and response["Location"] == f"/balance/centre/{world.centre.pk}/"
    assert client.get(f"/balance/centre/{world.centre.pk}/").status_code == 200
    assert client.get(f"/balance/centre/{world.other_centre.pk}/").status_code == 404
    assert client.get("/balance/centre/999999/").status_code == 404


@pytest.mark.parametrize("persona", ["caseworker", "centre_staff", "admin", "outsider"])
def test_other_roles_get_no_balance_page(client, world, persona):
    login(client, world, persona)
    assert client.get("/balance/").status_code == 403
    assert client.get(f"/balance/centre/{world.centre.pk}/").status_code == 403


def test_the_committee_sees_small_figures_hidden(client, world):
    from roret.outcomes import services as outcome_services

    today = datetime.date.today()
    last_half_start = datetime.date(today.year, 1, 1) if today.month > 6 else datetime.date(today.year - 1, 7, 1)
    citizen = world.citizen()
    world.place(citizen, world.residential, start=last_half_start - datetime.timedelta(days=400))
    outcome_services.record_measurement(citizen, "WHO-5", [3] * 5, actor=world.users["caseworker"],
                                        measured_on=last_half_start + datetime.timedelta(days=10))
    login(client, world, "committee")
    html = client.get(f"/balance/centre/{world.centre.pk}/").content.decode()
    assert 'id="suppression-note"' in html
    assert '<p class="roret-balance-value roret-suppressed" data-figure="who5_mean" data-hidden>skjult</p>' in html
    assert "ikke kan regnes ud fra totalerne" in html
    client.logout()
    login(client, world, "economist")
    html = client.get(f"/balance/centre/{world.centre.pk}/").content.decode()
    assert 'data-figure="who5_mean">60,0</p>' in html


def test_the_targets_page_sets_a_dated_target_and_keeps_the_old(client, world):
    economist = login(client, world, "economist")
    BalanceTarget.objects.create(kind="sickness", value=Decimal("6"), valid_from=datetime.date(2024, 1, 1))
    response = client.post("/balance/targets/", {"action": "target", "kind": "sickness", "value": "5,5",
                                                 "valid_from": "2026-01-01", "centre": ""})
    assert response.status_code == 302
    assert list(BalanceTarget.objects.order_by("valid_from").values_list("value", flat=True)) == [Decimal("6"),
                                                                                                   Decimal("5.5")]
    new = BalanceTarget.objects.latest("pk")
    assert new.set_by == economist and new.centre is None
    assert AuditEntry.objects.filter(object_type="balance.balancetarget", object_id=str(new.pk), actor=economist,
                                     action="create").exists()
    # The self-sufficiency target through the economy's service (audited there).
    assert client.post("/balance/targets/", {"action": "self_sufficiency", "year": "2031", "target": "52"}).status_code == 302
    assert SelfSufficiencyTarget.objects.get(year=2031).target == Decimal("52")


def test_bad_target_input_is_a_form_error_not_a_server_error(client, world):
    login(client, world, "economist")
    for data in ({"action": "target", "kind": "nonsense", "value": "x", "valid_from": "igår"},
                 {"action": "target", "kind": "sickness", "value": "101", "valid_from": "2026-01-01"},
                 {"action": "target", "kind": "sickness", "value": "5", "valid_from": "2026-01-01", "centre": "abc"},
                 {"action": "self_sufficiency", "year": "år", "target": "x"}, {"action": "?"}):
        assert client.post("/balance/targets/", data).status_code == 400
    assert not BalanceTarget.objects.exists()


def test_a_centre_leader_sets_targets_for_their_own_centre_only(client, world):
    login(client, world, "centre_leader")
    base = {"action": "target", "kind": "sickness", "value": "5", "valid_from": "2026-01-01"}
    assert client.post("/balance/targets/", base | {"centre": world.other_centre.pk}).status_code == 400
    assert client.post("/balance/targets/", base | {"centre": ""}).status_code == 400
    assert client.post("/balance/targets/", base | {"action": "self_sufficiency", "year": "2031",
                                                     "target": "52"}).status_code == 400
    assert not BalanceTarget.objects.exists() and not SelfSufficiencyTarget.objects.exists()
    assert client.post("/balance/targets/", base | {"centre": world.centre.pk}).status_code == 302
    assert BalanceTarget.objects.get().centre == world.centre


def _upload(text: str, name="hr.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_the_import_shows_a_preview_and_imports_only_when_confirmed(client, world):
    login(client, world, "economist")
    text = f"{HEADER}\nCenter A;2024-01;10;12;3;200;0;1\nCenter B;2024-01;5;5;1;100;1;0\n"
    response = client.post("/balance/staff/import/", {"file": _upload(text)})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="preview-new">2<' in html and 'id="confirm-form"' in html
    assert not StaffMonth.objects.exists()
    sha = StaffImport.__module__ and __import__("hashlib").sha256(text.encode()).hexdigest()
    assert client.post("/balance/staff/import/confirm/", {"sha256": sha}).status_code == 302
    assert StaffMonth.objects.count() == 2
    assert client.post("/balance/staff/import/confirm/", {"sha256": sha}).status_code == 302   # again: nothing
    assert StaffImport.objects.count() == 1
    html = client.get("/balance/staff/import/").content.decode()
    assert "hr.csv" in html and 'id="staff-history"' in html


def test_the_preview_lists_every_error_and_offers_no_import(client, world):
    login(client, world, "economist")
    text = f"{HEADER}\nCenter A;2024-01;10;12;x;200;0;1\nCenter Z;2024-02;10;12;3;200;0;1\n"
    html = client.post("/balance/staff/import/", {"file": _upload(text)}).content.decode()
    assert "Række 2, kolonne sickness_days: ikke et tal" in html
    assert "Række 3, kolonne centre:" in html
    assert 'id="confirm-form"' not in html


def test_a_binary_file_is_refused_with_a_message(client, world):
    login(client, world, "economist")
    response = client.post("/balance/staff/import/", {"file": SimpleUploadedFile(
        "hr.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), content_type="application/octet-stream")})
    assert response.status_code == 400
    assert not StaffMonth.objects.exists()


def test_the_template_download_has_the_columns_and_the_centres(client, world):
    login(client, world, "economist")
    response = client.get("/balance/staff/template.csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == HEADER
    assert "Center A;" in text and "Center B;" in text
