"""A form sent twice writes once (roret.core.form_tokens): the token is taken from the page the user
sees, the form is posted twice with it, and the second answer is the first one's redirect."""

import datetime
import re
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from roret.core import form_tokens
from roret.core.models import FormSubmission
from roret.outcomes.models import Measurement
from roret.visitation.models import Inquiry
from tests.factories import make_cpr

TODAY = datetime.date.today()
ALREADY_SENT = "Formularen var allerede sendt; den er kun gemt én gang."
FORM = re.compile(r"<form\b[^>]*>(.*?)</form>", re.DOTALL)


def token_in(html: str, field: str) -> str:
    """The form token of the page's POST form that has ``field`` (a name="..." in the form)."""
    for body in FORM.findall(html):
        if f'name="{field}"' in body:
            return re.search(r'name="form_token" value="([^"]+)"', body)[1]
    raise AssertionError(f"no form with a {field!r} field on the page")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_twice(client, page: str, action: str, field: str, data: dict):
    """Open ``page``, take the token of its form with ``field``, and post the form to ``action`` twice."""
    token = token_in(client.get(page).content.decode(), field)
    data = {**data, form_tokens.FIELD: token}
    return client.post(action, data), client.post(action, data)


def assert_second_shows_the_first(client, first, second):
    assert first.status_code == 302, first.content[:500]
    assert second.status_code == first.status_code
    assert second["Location"] == first["Location"]
    shown = client.get(second["Location"]).content.decode()
    assert ALREADY_SENT in shown


def decided_grant(world, citizen):
    from roret.visitation import services
    from tests.visitation.helpers import term, theme_id

    cw = world.users["caseworker"]
    inquiry = services.register_inquiry(actor=cw, citizen=citizen, source="relative", received_on=TODAY,
                                        about="Ønsker aktivitetstilbud", paragraph="SEL104")
    services.screen(inquiry, actor=cw, outcome="in", reason="I målgruppen")
    assessment = services.assess(citizen, actor=cw, inquiry=inquiry, hopes="Komme ud blandt andre",
                                 support_need=term("Moderat støttebehov"), levels={theme_id("Relationer"): 2})
    return services.decide(citizen, actor=cw, kind="grant", paragraph="SEL104", justification="Behov for fællesskab",
                           assessment=assessment, offer=world.day_offer, start=TODAY)


def test_a_placement_posted_twice_with_one_token_is_made_once(world):
    citizen = world.citizen(first_name="Dobbelt")
    decision = decided_grant(world, citizen)
    client = logged_in(world.users["caseworker"])
    page = reverse("visitation:decision", kwargs={"decision_pk": decision.pk})
    first, second = post_twice(client, page, page, "start",
                               {"offer": world.day_offer.pk, "start": TODAY.isoformat()})
    assert decision.grant.placements.count() == 1
    assert_second_shows_the_first(client, first, second)


def test_a_relative_posted_twice_with_one_token_is_added_once(world):
    citizen = world.citizen(first_name="Dobbelt")
    client = logged_in(world.users["caseworker"])
    first, second = post_twice(client, reverse("citizens:detail", kwargs={"pk": citizen.pk}),
                               reverse("citizens:add_relative", kwargs={"pk": citizen.pk}), "relation",
                               {"name": "Søster Hansen", "relation": "sibling"})
    assert citizen.relatives.count() == 1
    assert_second_shows_the_first(client, first, second)


def test_a_who5_measurement_posted_twice_with_one_token_is_recorded_once(world):
    citizen = world.citizen(first_name="Dobbelt")
    world.place(citizen, world.residential)
    client = logged_in(world.users["caseworker"])
    page = reverse("outcomes:citizen", kwargs={"citizen_id": citizen.pk})
    answers = {f"who5_{i}": "3" for i in range(1, 6)}
    first, second = post_twice(client, page, page, "who5_1",
                               {"action": "measure", "occasion": "other", "measured_on": TODAY.isoformat(), **answers})
    assert Measurement.objects.filter(citizen=citizen).count() == 1
    assert_second_shows_the_first(client, first, second)


def test_an_inquiry_posted_twice_with_one_token_is_registered_once(world):
    client = logged_in(world.users["caseworker"])
    page = reverse("visitation:inquiry_new")
    cpr = make_cpr()
    first, second = post_twice(client, page, page, "cpr", {
        "cpr": cpr, "first_name": "Ny", "last_name": "Borger", "source": "relative", "received_on": TODAY.isoformat(),
        "paragraph": "SEL85", "about": "Ønsker støtte i eget hjem"})
    assert Inquiry.objects.filter(about="Ønsker støtte i eget hjem").count() == 1
    assert_second_shows_the_first(client, first, second)


def test_a_form_with_errors_keeps_its_token_for_the_corrected_submit(world):
    """The form comes back with its errors (not a redirect): the token is not spent, so the
    corrected form, sent with the same token, writes."""
    client = logged_in(world.users["caseworker"])
    page = reverse("visitation:inquiry_new")
    token = token_in(client.get(page).content.decode(), "cpr")
    data = {"cpr": make_cpr(), "first_name": "Ny", "last_name": "Borger", "source": "relative",
            "received_on": TODAY.isoformat(), "paragraph": "SEL85", form_tokens.FIELD: token}
    wrong = client.post(page, {**data, "received_on": "31.02.2026"})
    assert wrong.status_code in (200, 400)
    assert not FormSubmission.objects.filter(token=token).exists()
    fixed = client.post(page, {**data, "about": "Rettet henvendelse"})
    assert fixed.status_code == 302
    assert Inquiry.objects.filter(about="Rettet henvendelse").count() == 1


def test_a_submit_refused_with_a_message_on_the_next_page_keeps_its_token(world):
    """A refusal shown as an error message after a redirect (the budget page's pattern) wrote
    nothing: the token is not spent, so the corrected form, sent with the same token, writes."""
    from roret.economy.models import Budget

    client = logged_in(world.users["economist"])
    token = token_in(client.get(reverse("economy:budget")).content.decode(), "amount")
    data = {"year": str(TODAY.year), "account_function": "5.38.50", "amount": "1.000.000,00",
            form_tokens.FIELD: token}
    refused = client.post(reverse("economy:budget_set"), {**data, "amount": "mange penge"})
    assert refused.status_code == 302 and not Budget.objects.exists()
    assert not FormSubmission.objects.filter(token=token).exists()
    fixed = client.post(reverse("economy:budget_set"), data)
    assert fixed.status_code == 302
    assert Budget.objects.filter(year=TODAY.year, account_function="5.38.50").count() == 1
    assert ALREADY_SENT not in client.get(fixed["Location"]).content.decode()


def test_a_submit_sent_to_the_reason_page_keeps_its_token(world, settings):
    """The view raised (a reason for access is wanted; a middleware answers with a redirect to the
    reason page): nothing was written, so the token is not stored, and the same form sent again
    once the reason is given writes."""
    settings.ACCESS_REASON_ROLES = ["caseworker"]
    citizen = world.citizen(first_name="Grund")
    world.place(citizen, world.residential)
    client = logged_in(world.users["caseworker"])
    action = reverse("outcomes:citizen", kwargs={"citizen_id": citizen.pk})
    data = {"action": "measure", "occasion": "other", "measured_on": TODAY.isoformat(),
            **{f"who5_{i}": "3" for i in range(1, 6)}, form_tokens.FIELD: form_tokens.new_token()}
    asked = client.post(action, data)
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("core:access_reason"))
    assert not FormSubmission.objects.exists() and not Measurement.objects.filter(citizen=citizen).exists()
    client.post(reverse("core:access_reason"), {"citizen": citizen.pk, "reason": "Opfølgningsmøde på torsdag",
                                                "next": action})
    assert client.post(action, data).status_code == 302
    assert Measurement.objects.filter(citizen=citizen).count() == 1


def test_a_new_rendering_of_a_form_has_a_new_token(world):
    client = logged_in(world.users["caseworker"])
    page = reverse("visitation:inquiry_new")
    assert token_in(client.get(page).content.decode(), "cpr") != token_in(client.get(page).content.decode(), "cpr")


def test_a_post_without_a_token_or_with_a_malformed_one_is_let_through(world):
    """Old tabs and direct posts are not refused; only a form that carries a token is guarded."""
    citizen = world.citizen(first_name="Uden")
    client = logged_in(world.users["caseworker"])
    action = reverse("citizens:add_relative", kwargs={"pk": citizen.pk})
    for extra in ({}, {form_tokens.FIELD: "x"}, {form_tokens.FIELD: "<script>" * 20}):
        assert client.post(action, {"name": "Bror", "relation": "sibling", **extra}).status_code == 302
    assert citizen.relatives.count() == 3
    assert not FormSubmission.objects.exists()


def test_another_users_token_is_not_replayed(world):
    citizen = world.citizen(first_name="Dobbelt")
    caseworker = logged_in(world.users["caseworker"])
    action = reverse("citizens:add_relative", kwargs={"pk": citizen.pk})
    token = token_in(caseworker.get(reverse("citizens:detail", kwargs={"pk": citizen.pk})).content.decode(), "relation")
    data = {"name": "Søster", "relation": "sibling", form_tokens.FIELD: token}
    assert caseworker.post(action, data).status_code == 302
    other = logged_in(world.users["centre_staff"]).post(action, data)
    assert other.status_code == 409
    assert "en anden bruger" in other.content.decode()
    assert citizen.relatives.count() == 1


def test_tokens_older_than_a_day_go_with_retention(world):
    from django.core.management import call_command
    from django.utils import timezone

    user = world.users["caseworker"]
    old = FormSubmission.objects.create(token="a" * 32, user=user, path="/", status=302, location="/",
                                        created=timezone.now() - datetime.timedelta(hours=25))
    new = FormSubmission.objects.create(token="b" * 32, user=user, path="/", status=302, location="/")
    call_command("retention", only="form_tokens", verbosity=0)
    assert not FormSubmission.objects.filter(pk=old.pk).exists()
    assert FormSubmission.objects.filter(pk=new.pk).exists()


# --- concurrent submits -----------------------------------------------------------------------------


def _in_thread(fn):
    """Run ``fn`` in a thread with its own database connection; returns (thread, result list)."""
    result = []

    def run():
        try:
            result.append(fn())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_of_one_token_write_once(world):
    """A double click: two requests with the same token at the same moment, each on its own
    database connection (SQLite and PostgreSQL: run with DATABASE_URL set for the latter)."""
    citizen = world.citizen(first_name="Samtidig")
    user = world.users["caseworker"]
    action = reverse("citizens:add_relative", kwargs={"pk": citizen.pk})
    token = token_in(logged_in(user).get(reverse("citizens:detail", kwargs={"pk": citizen.pk})).content.decode(),
                     "relation")
    data = {"name": "Søster Hansen", "relation": "sibling", form_tokens.FIELD: token}
    start = threading.Barrier(2)

    def submit():
        client = logged_in(user)
        start.wait()
        return client.post(action, data)

    threads = [_in_thread(submit) for _ in range(2)]
    for thread, _result in threads:
        thread.join(60)
    responses = [result[0] for _thread, result in threads]
    assert citizen.relatives.count() == 1
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]


@pytest.mark.django_db(transaction=True)
def test_a_submit_while_the_first_still_runs_waits_for_its_result(world):
    user = world.users["caseworker"]
    running = FormSubmission.objects.create(token="c" * 32, user=user, path="/")  # the first, not done yet

    def finish():
        time.sleep(0.5)
        FormSubmission.objects.filter(pk=running.pk).update(status=302, location="/citizens/")

    thread, _ = _in_thread(finish)
    began = time.monotonic()
    second = logged_in(user).post(reverse("citizens:search"), {"q": "x", form_tokens.FIELD: "c" * 32})
    thread.join(10)
    assert second.status_code == 302 and second["Location"] == "/citizens/"
    assert time.monotonic() - began >= 0.4


@pytest.mark.django_db(transaction=True)
def test_a_submit_while_the_first_runs_too_long_is_told_so(world, monkeypatch):
    monkeypatch.setattr(form_tokens, "WAIT_SECONDS", 0.3)
    user = world.users["caseworker"]
    FormSubmission.objects.create(token="d" * 32, user=user, path="/")
    second = logged_in(user).post(reverse("citizens:search"), {"q": "x", form_tokens.FIELD: "d" * 32})
    assert second.status_code == 409
    assert "stadig ved at blive gemt" in second.content.decode()
