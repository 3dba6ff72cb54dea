"""Every free-text field has a limit of its own (roret/core/text_limits.py), and a text one character
over it gets a page that names the field, with nothing written.

The forms are found as the fuzz test finds them (tests/test_fuzz.py: every page as every persona,
each ``<form>`` read). A text field's limit is the ``maxlength`` the page gives it, which the form
field or the model field behind it sets: a field without one fails, so a new form inherits the test.
Each field then gets ``maxlength`` + 1 characters (refused: a 200 page whose error says the length,
the database as it was) and ``maxlength`` characters (kept or refused for another reason, never a
500). The services are tested directly too, since the API and the management commands call them
without a form.
"""

import datetime
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client

from roret.core import text_limits
from roret.core.input_guard import MAX_TEXT
from roret.journal import services as journal_services
from roret.visitation import services as visitation_services
from roret.visitation.models import Decision, Inquiry
from tests.test_fuzz import POSTS, Fuzzer, _short, body_with, claimed_forms, defaults, ignored
from tests.test_url_walker import url_world  # noqa: F401 (a fixture)

# Text fields whose page gives no maxlength, and why that is right: (URL name, field name pattern, why).
NO_LIMIT = [
    (r".*", r"q", "a search: nothing is saved, and the search cuts what it looks for"),
    (r"login", r"username", "nothing typed at the login is saved; the input gate's 10,000 applies"),
    (r"meetings:meeting", r"reason", "the meeting page's own form (roret/meetings/forms.py) limits it to 2,000"),
]
# Model text fields without a limit of their own, and why: "app.Model.field" -> why.
UNLIMITED_MODEL_FIELDS = {
    "core.IdempotencyKey.body": "written by roret (the API's answer to a request, kept for a day), never typed",
    "citizens.Citizen.cpr_encrypted": "written by roret (the encrypted CPR number), never typed",
    "journal.Correction.old_value": "a copy of a corrected field's value, which has its own limit",
    "journal.Correction.new_value": "a copy of a corrected field's value, which has its own limit",
    "plans.StatusReportFile.html": "the status report roret renders",
    "plans.Plan.description": "read from the plan file, which has its own size limits (plans/loading.py)",
    "plans.Initiative.description": "read from the plan file, which has its own size limits (plans/loading.py)",
    "core.Term.definition": "the KL terminology, loaded from its published fixture",
    "core.Job.error": "written by roret (a failed job's exception, cut to 2,000)",
    "meetings.Proposal.justification": "copied from the decision form (limited there to text_limits.LONG)",
    "meetings.Proposal.intrusive_reason": "copied from the decision form (limited there to text_limits.NOTE)",
    "meetings.Proposal.reason": "the meeting's forms limit it (2,000)",
}


def _without_limit(name: str, field: str) -> bool:
    return any(re.fullmatch(n, name) and re.fullmatch(f, field) for n, f, _why in NO_LIMIT)


def _said(length: int) -> list[str]:
    """How a page says a text's length: Django's message (``den har 201``) or roret's (``8.001``)."""
    return [f"den har {length})", f"er på {length:,} tegn".replace(",", ".")]


def _names(page: str, field: dict, length: int) -> bool:
    """Whether ``page`` says ``length`` in a message that names the field: roret's own message quotes
    the field's name (“Begrundelse” er på ...), a Django form's error list links the field's label to
    the field (<a href="#id_reason">Begrundelse</a>: ...), a form without a list shows it under the
    field's own label (<label for="id_name">)."""
    for said in _said(length):
        for found in re.finditer(re.escape(said), page):
            near = page[max(0, found.start() - 300):found.start()]
            if "“" in near or (field.get("id") and (f'href="#{field["id"]}"' in near or f'for="{field["id"]}"' in near)):
                return True
    return False


def test_every_typed_model_text_has_a_limit():
    """A model's TextField is limited (``text_limits.text_field``) unless roret writes it itself."""
    missing = [f"{m._meta.app_label}.{m.__name__}.{f.name}" for m in apps.get_app_configs() and apps.get_models()
               if m.__module__.startswith("roret.")
               for f in m._meta.get_fields() if isinstance(f, models.TextField) and not f.max_length]
    unexplained = sorted(set(missing) - set(UNLIMITED_MODEL_FIELDS))
    assert not unexplained, f"free text without a limit (roret/core/text_limits.py): {unexplained}"
    assert not set(UNLIMITED_MODEL_FIELDS) - set(missing), "an exception that is no longer needed"


def test_the_limits_fit_inside_the_input_gate():
    """The gate's 10,000 stays the outer backstop: every field's own limit is below it, so a text
    over a field's limit reaches the form or service that names the field."""
    longest = max(f.max_length for m in apps.get_models() if m.__module__.startswith("roret.")
                  for f in m._meta.get_fields() if isinstance(f, models.CharField | models.TextField) and f.max_length)
    assert longest < MAX_TEXT
    assert text_limits.SHORT < text_limits.REASON < text_limits.NOTE < text_limits.LONG < MAX_TEXT


def test_a_text_over_its_fields_limit_gets_a_page_naming_the_field(url_world):  # noqa: F811 (the fixture)
    world, ids = url_world
    client = Client(raise_request_exception=False)
    failures: list[str] = []
    seen_by = claimed_forms(client, world, ids, failures)
    checked = 0
    for persona, form in sorted(seen_by.values(), key=lambda pair: str(pair[1]["key"])):
        if form["method"] != "post":
            continue
        fuzzer = Fuzzer(client, world.users.get(persona), ids)
        client.logout()
        base = defaults(form)
        submit = next((f for f in form["fields"] if f["kind"] == "submit"), None)
        if submit is not None:
            base[submit["name"]] = [submit["value"]]
        post = POSTS.get(form["name"])
        if post is not None and not post.json:
            # The walker's body is for one of the page's forms: another form keeps its own hidden fields.
            names = {f["name"] for f in form["fields"] if f["kind"] != "hidden"}
            base.update({k: v for k, v in post.data(ids).items() if k in names})
        shapes = set()
        for field in form["fields"]:
            if field["kind"] not in ("text", "textarea", "search") or field.get("inputmode") in ("decimal", "numeric"):
                continue
            shape = re.sub(r"\d+", "#", field["name"])
            if shape in shapes or _without_limit(form["name"], field["name"]) or ignored(form["name"], field["name"]):
                continue
            shapes.add(shape)
            where = f"POST {form['path']} [{form['name']}] {field['name']} (as {persona})"
            if not field.get("maxlength", "").isdigit():
                failures.append(f"{where}: no maxlength (give the field a limit from roret/core/text_limits.py)")
                continue
            limit = int(field["maxlength"])
            checked += 1
            # follow: a page that answers with a message after a redirect shows it on the next page.
            over = fuzzer.attempt(f"{where}={_short('x' * (limit + 1))}", "post", form["path"],
                                  body_with(base, field["name"], "x" * (limit + 1)), follow=True)
            page = over.content.decode(errors="replace")
            if over.status_code < 500 and (over.status_code not in (200, 400) or not _names(page, field, limit + 1)):
                shown = re.findall(r'alert-text[^>]*>(.*?)</ul>', page, re.S)
                failures.append(f"{where}: {limit + 1} characters answered {over.status_code} without a message "
                                f"naming the field and the length; the page says {shown[:1]}")
            at = fuzzer.attempt(f"{where}={_short('x' * limit)} (at the limit)", "post", form["path"],
                                body_with(base, field["name"], "x" * limit), may_change=True, follow=True)
            if at.status_code == 200 and any(s in at.content.decode(errors="replace") for s in _said(limit)):
                failures.append(f"{where}: {limit} characters (the limit) refused as too long")
        failures += fuzzer.failures
    assert checked > 20, f"only {checked} text fields checked: are the forms still found?"
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


# --- the services, as the API and the commands call them --------------------------------------------


@pytest.mark.django_db
def test_a_decision_refuses_an_overlong_justification_naming_it(world):
    citizen = world.citizen()
    with pytest.raises(ValidationError) as caught:
        visitation_services.decide(citizen, actor=world.users["caseworker"], kind="refusal", paragraph="SEL107",
                                   justification="x" * (text_limits.LONG + 1))
    assert "8.001" in caught.value.message_dict["justification"][0]
    assert not Decision.objects.filter(citizen=citizen).exists()


@pytest.mark.django_db
def test_a_decision_takes_a_justification_at_the_limit(world):
    citizen = world.citizen()
    decision = visitation_services.decide(citizen, actor=world.users["caseworker"], kind="refusal", paragraph="SEL107",
                                          justification="x" * text_limits.LONG)
    assert len(decision.justification) == text_limits.LONG


@pytest.mark.django_db
def test_a_journal_note_refuses_an_overlong_text_naming_it(world):
    citizen = world.citizen()
    with pytest.raises(ValidationError) as caught:
        journal_services.add_note(citizen, actor=world.users["caseworker"], noted_on=datetime.date.today(),
                                    category="phone", text="x" * (text_limits.LONG + 1))
    message = caught.value.message_dict["text"][0]
    assert "8.001" in message and "8.000" in message
    assert not citizen.journal_notes.exists()


@pytest.mark.django_db
def test_an_inquiry_refuses_an_overlong_about_naming_it(world):
    citizen = world.citizen()
    with pytest.raises(ValidationError) as caught:
        visitation_services.register_inquiry(actor=world.users["caseworker"], source="citizen", citizen=citizen,
                                             received_on=datetime.date.today(), paragraph="SEL107",
                                             about="x" * (text_limits.LONG + 1))
    assert "8.001" in caught.value.message_dict["about"][0]
    assert not Inquiry.objects.filter(about__startswith="xxx").exists()


@pytest.mark.django_db
def test_a_reason_over_the_audit_rows_room_is_refused_not_cut(world):
    """A reason goes into the audit row (300 characters): a longer one is refused, not silently cut."""
    from roret.citizens import services as citizen_services

    citizen = world.citizen()
    with pytest.raises(ValidationError) as caught:
        citizen_services.transfer_case(citizen, world.other_team, actor=world.users["caseworker"], reason="x" * 301)
    assert "301" in caught.value.message_dict["reason"][0]


@pytest.mark.django_db
def test_a_move_to_elderly_care_refuses_a_note_that_would_not_fit_the_end_reason(world):
    """The note is kept after the end reason's label, in a column of 200: a longer one is refused on
    the note, before any placement is ended."""
    citizen = world.citizen()
    placement = world.place(citizen, world.residential, start=datetime.date(2024, 1, 1))
    room = visitation_services.elderly_care_note_limit()
    with pytest.raises(ValidationError) as caught:
        visitation_services.move_to_elderly_care(citizen, actor=world.users["caseworker"],
                                                 on=datetime.date(2025, 1, 1), note="x" * (room + 1))
    assert str(room + 1) in caught.value.message_dict["note"][0]
    placement.refresh_from_db()
    assert placement.end is None
    visitation_services.move_to_elderly_care(citizen, actor=world.users["caseworker"], on=datetime.date(2025, 1, 1),
                                             note="x" * room)
