"""The plan pages: a file previewed before it is saved, errors listed with row and field, an
estimate revised with its history kept, adoption, and who may do what."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from roret.core.models import AuditAction
from roret.plans import loading, services
from roret.plans.models import Estimate, Plan, PlanStatus
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

DOCUMENT = {"title": "Udviklingsplan 2025-2029", "unit": "1000 kr", "years": [2025, 2026, 2027],
            "rows": [{"track": "1", "initiative": "Flere egne botilbud", "investment": [1500, 500, 0],
                      "effect": [-250, -1600, -2350]},
                     {"track": None, "initiative": "Samlet effekt af tidlig indsats", "effect": [0, -100, -300]}],
            "published_total": [1250, -1200, -2650]}


def login(client, world, persona):
    assert client.login(username=world.users[persona].username, password=PASSWORD)


def upload(client, document=DOCUMENT, name="plan.json"):
    return client.post("/plans/load/", {"file": SimpleUploadedFile(name, json.dumps(document).encode())})


def test_a_file_is_previewed_then_saved_once(client, world, assert_audited):
    login(client, world, "economist")
    response = upload(client)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Flere egne botilbud" in page and "−2.650" in page and Plan.objects.count() == 0
    token = response.context["upload"]
    saved = client.post("/plans/load/", {"upload": token, "action": "save"})
    plan = Plan.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/plans/{plan.pk}/"
    again = client.post("/plans/load/", {"upload": token, "action": "save"})
    assert again.status_code == 400 and Plan.objects.count() == 1  # the title exists now
    assert_audited(AuditAction.CREATE, world.users["economist"], obj=plan)
    detail = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Net (investments + effects)" in detail or "Netto" in detail
    assert "1.250" in detail and "−2.650" in detail


def test_a_changed_preview_token_is_refused(client, world):
    login(client, world, "economist")
    token = upload(client).context["upload"]
    response = client.post("/plans/load/", {"upload": token[:-3] + "abc", "action": "save"}, follow=True)
    assert Plan.objects.count() == 0
    assert "vælg filen igen" in response.content.decode().lower()


def test_errors_are_listed_with_row_and_field_and_nothing_is_saved(client, world):
    login(client, world, "economist")
    document = {**DOCUMENT, "rows": [{**DOCUMENT["rows"][0], "effect": [-250, "x", -2350]}, DOCUMENT["rows"][1]]}
    response = upload(client, document)
    assert response.status_code == 400
    problems = [str(p) for p in response.context["parsed"].problems]
    assert problems == ["række 1, effect 2026: ikke et tal (\"x\")"]  # the page speaks Danish
    assert 'id="plan-problems"' in response.content.decode() and Plan.objects.count() == 0


def test_a_renamed_binary_gets_a_message_not_a_500(client, world):
    login(client, world, "economist")
    response = client.post("/plans/load/", {"file": SimpleUploadedFile("plan.xlsx", b"MZ\x90\x00binary")})
    assert response.status_code == 400 and response.context["error"]


def test_a_revision_keeps_the_earlier_estimate(client, world, assert_audited):
    plan = services.load_plan(loading.parse("p.json", json.dumps(DOCUMENT).encode()), actor=None)
    row = plan.rows.get(label="Flere egne botilbud")
    login(client, world, "economist")
    url = f"/plans/{plan.pk}/rows/{row.pk}/"
    bad = client.post(url, {"kind": "effect", "year": "2026", "amount": "mange", "note": ""})
    assert bad.status_code == 400 and set(bad.context["errors"]) == {"amount"}
    no_reason = client.post(url, {"kind": "effect", "year": "2026", "amount": "-1.800,5", "note": " "})
    assert no_reason.status_code == 400 and set(no_reason.context["errors"]) == {"note"}
    assert no_reason.context["posted"]["amount"] == "-1.800,5"  # what was typed stays
    ok = client.post(url, {"kind": "effect", "year": "2026", "amount": "-1.800,5", "note": "Senere indflytning"})
    assert ok.status_code == 302
    revisions = list(Estimate.objects.filter(row=row, kind="effect", year=2026).order_by("revision"))
    assert [e.amount for e in revisions] == [Decimal("-1600000.00"), Decimal("-1800500.00")]
    assert revisions[1].entered_by == world.users["economist"] and revisions[1].note == "Senere indflytning"
    assert_audited(AuditAction.CHANGE, world.users["economist"], obj=revisions[1])
    page = client.get(url).content.decode()
    assert "<s>−1.600</s>" in page and "−1.800,5" in page


def test_readers_read_and_only_the_economist_writes(client, world):
    plan = services.load_plan(loading.parse("p.json", json.dumps(DOCUMENT).encode()), actor=None)
    row = plan.rows.first()
    for persona in ("committee", "centre_leader"):
        client.logout()
        login(client, world, persona)
        assert client.get(f"/plans/{plan.pk}/").status_code == 200
        assert "Save the revision" not in client.get(f"/plans/{plan.pk}/rows/{row.pk}/").content.decode()
        response = client.post(f"/plans/{plan.pk}/rows/{row.pk}/",
                               {"kind": "effect", "year": "2026", "amount": "-1", "note": "x"})
        assert response.status_code == 404
        assert client.post(f"/plans/{plan.pk}/adopt/", {"adopted_by": "X", "adopted_on": "2026-01-01"}).status_code == 403
    assert Estimate.objects.count() == 9 and Plan.objects.get().status == PlanStatus.DRAFT
    client.logout()
    login(client, world, "caseworker")
    assert client.get("/plans/").status_code == 403


def test_adoption_is_recorded(client, world):
    plan = services.load_plan(loading.parse("p.json", json.dumps(DOCUMENT).encode()), actor=None)
    login(client, world, "economist")
    bad = client.post(f"/plans/{plan.pk}/adopt/", {"adopted_by": "X", "adopted_on": "20. januar"}, follow=True)
    plan.refresh_from_db()
    assert bad.status_code == 200 and plan.status == PlanStatus.DRAFT and plan.adopted_on is None
    client.post(f"/plans/{plan.pk}/adopt/", {"adopted_by": "Social- og Sundhedsudvalget", "adopted_on": "2025-01-20"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ADOPTED and str(plan.adopted_on) == "2025-01-20"


def test_a_huge_amount_is_a_message_not_a_500(client, world):
    plan = services.load_plan(loading.parse("p.json", json.dumps(DOCUMENT).encode()), actor=None)
    row = plan.rows.first()
    login(client, world, "economist")
    response = client.post(f"/plans/{plan.pk}/rows/{row.pk}/",
                           {"kind": "effect", "year": "2026", "amount": "1e999", "note": "Forkert"})
    assert response.status_code == 400 and set(response.context["errors"]) == {"amount"}
    assert Estimate.objects.count() == 9
