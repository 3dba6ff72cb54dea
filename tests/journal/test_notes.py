"""Journal notes: written once, never edited or deleted (also not past the ORM: a trigger), corrected
by a note that points to the one it corrects; the journal page, its search and its forms."""

import datetime
import re

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from roret.core import form_tokens
from roret.core.models import AuditEntry
from roret.core.permissions import NotInScope
from roret.journal import services
from roret.journal.models import JournalNote

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def placed(world):
    """A citizen of the caseworker's team living in Center A's residential offer."""
    return world.place(world.citizen(first_name="Journal"), world.residential).citizen


def write(citizen, actor, text="Samtale med borgeren om indkøb.", category="conversation", noted_on=None):
    return services.add_note(citizen, actor=actor, noted_on=noted_on or TODAY - DAY, category=category, text=text)


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- never edited, never deleted --------------------------------------------------------------


def refused(sql_or_callable, params=()):
    """Run a change in a savepoint and say whether the database refused it (PostgreSQL aborts the
    transaction on an error, so the savepoint keeps the test's own transaction usable)."""
    try:
        with transaction.atomic():
            if callable(sql_or_callable):
                sql_or_callable()
            else:
                with connection.cursor() as cursor:
                    cursor.execute(sql_or_callable, params)
    except DatabaseError as exc:
        return "never edited or deleted" in str(exc)
    return False


def test_a_note_cannot_be_edited_or_deleted_through_the_orm(world, placed):
    note = write(placed, world.users["caseworker"])

    def edit():
        note.text = "Noget andet"
        note.save()

    assert refused(edit)
    assert refused(lambda: JournalNote.objects.filter(pk=note.pk).update(category="phone"))
    assert refused(note.delete)
    assert refused(lambda: JournalNote.objects.filter(pk=note.pk).delete())
    assert JournalNote.objects.get(pk=note.pk).text == "Samtale med borgeren om indkøb."


def test_a_note_cannot_be_edited_or_deleted_from_the_database_shell(world, placed):
    note = write(placed, world.users["caseworker"])
    assert refused("UPDATE journal_journalnote SET text = %s WHERE id = %s", ["Omskrevet", note.pk])
    assert refused("UPDATE journal_journalnote SET noted_on = %s WHERE id = %s", [TODAY - 9 * DAY, note.pk])
    assert refused("UPDATE journal_journalnote SET author_id = NULL WHERE id = %s", [note.pk])
    assert refused("DELETE FROM journal_journalnote WHERE id = %s", [note.pk])
    assert JournalNote.objects.filter(pk=note.pk, text="Samtale med borgeren om indkøb.").exists()


def test_only_retention_may_redact_a_notes_text(world, placed):
    """The one UPDATE the trigger lets through: the free text replaced by [anonymiseret], nothing else."""
    note = write(placed, world.users["caseworker"])
    assert refused("UPDATE journal_journalnote SET text = %s, category = %s WHERE id = %s",
                   ["[anonymiseret]", "phone", note.pk])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE journal_journalnote SET text = %s WHERE id = %s", ["[anonymiseret]", note.pk])
    assert JournalNote.objects.get(pk=note.pk).text == "[anonymiseret]"


# --- corrections of notes ---------------------------------------------------------------------


def test_a_correcting_note_points_to_the_corrected_one_with_its_reason(world, placed, assert_audited):
    cw = world.users["caseworker"]
    note = write(placed, cw, text="Borgeren ringede om bussen.", category="phone")
    correction = services.correct_note(note, actor=cw, text="Borgeren ringede om toget.",
                                       reason="Forkert transportmiddel")
    assert correction.corrects == note and correction.correction_reason == "Forkert transportmiddel"
    assert (correction.citizen, correction.category, correction.noted_on) == (placed, "phone", note.noted_on)
    note.refresh_from_db()
    assert note.text == "Borgeren ringede om bussen." and note.corrected_by == correction
    entry = assert_audited("create", cw, citizen=placed, obj=correction)
    assert entry.reason == "Forkert transportmiddel"
    assert "toget" not in str(entry.after) and "bussen" not in str(entry.before)  # the text stays out of the log


def test_a_note_is_corrected_once_and_a_correction_needs_a_reason(world, placed):
    cw = world.users["caseworker"]
    note = write(placed, cw)
    with pytest.raises(services.JournalError) as reason_missing:
        services.correct_note(note, actor=cw, text="Rettet tekst", reason="  ")
    assert "reason" in reason_missing.value.message_dict
    with pytest.raises(services.JournalError):
        services.correct_note(note, actor=cw, text=note.text, reason="Ingen ændring")
    first = services.correct_note(note, actor=cw, text="Rettet tekst", reason="Stavefejl")
    with pytest.raises(services.JournalError):
        services.correct_note(note, actor=cw, text="Endnu en", reason="Igen")
    second = services.correct_note(first, actor=cw, text="Endnu en", reason="Igen")  # correct the correction
    assert second.corrects == first
    assert JournalNote.objects.filter(citizen=placed).count() == 3


def test_a_note_refuses_a_future_date_an_unknown_category_and_an_empty_text(world, placed):
    with pytest.raises(services.JournalError) as exc:
        services.add_note(placed, actor=world.users["caseworker"], noted_on=TODAY + DAY, category="gossip", text=" ")
    assert set(exc.value.message_dict) == {"noted_on", "category", "text"}
    assert not JournalNote.objects.exists()


def test_a_note_about_a_case_must_be_about_one_of_the_citizens_cases(world, placed):
    from roret.visitation import services as case_services

    cw = world.users["caseworker"]
    other = world.citizen(first_name="Anden")
    inquiry = case_services.register_inquiry(actor=cw, citizen=other, source="relative", received_on=TODAY,
                                             about="Ønsker bostøtte", paragraph="SEL85")
    with pytest.raises(services.JournalError):
        services.add_note(placed, actor=cw, noted_on=TODAY, category="meeting", text="Møde", inquiry=inquiry)
    own = case_services.register_inquiry(actor=cw, citizen=placed, source="relative", received_on=TODAY,
                                         about="Ønsker bostøtte", paragraph="SEL85")
    assert services.add_note(placed, actor=cw, noted_on=TODAY, category="meeting", text="Møde", inquiry=own).inquiry == own


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona, may", [("caseworker", True), ("centre_staff", True), ("centre_leader", True),
                                          ("outsider", False), ("economist", False), ("committee", False),
                                          ("admin", False)])
def test_who_may_write_and_correct_a_note(world, placed, persona, may, assert_audited):
    actor = world.users[persona]
    note = write(placed, world.users["caseworker"])
    if may:
        written = write(placed, actor, text="Observation i fællesskabet", category="observation")
        assert written.author == actor
        assert_audited("create", actor, citizen=placed, obj=written)
        assert services.correct_note(note, actor=actor, text="Rettet", reason="Fejl").author == actor
    else:
        with pytest.raises(NotInScope):
            write(placed, actor)
        with pytest.raises(NotInScope):
            services.correct_note(note, actor=actor, text="Rettet", reason="Fejl")
        assert JournalNote.objects.count() == 1


def test_centre_staff_of_another_centre_see_no_journal(world, placed):
    other_staff = world.user("other_staff", "centre_staff", centre=world.other_centre)
    write(placed, world.users["caseworker"])
    assert client_of(other_staff).get(reverse("journal:citizen", args=[placed.pk])).status_code == 404
    assert client_of(world.users["outsider"]).get(reverse("journal:citizen", args=[placed.pk])).status_code == 404
    assert AuditEntry.objects.filter(actor=other_staff, action="refused", citizen_id=placed.pk).exists()


# --- the journal page ---------------------------------------------------------------------------


def test_the_journal_lists_newest_first_and_reading_it_is_audited(world, placed):
    cw = world.users["caseworker"]
    write(placed, cw, text="Ældste notat", noted_on=TODAY - 10 * DAY)
    write(placed, cw, text="Nyeste notat", noted_on=TODAY)
    page = client_of(cw).get(reverse("journal:citizen", args=[placed.pk])).content.decode()
    assert page.index("Nyeste notat") < page.index("Ældste notat")
    assert AuditEntry.objects.filter(actor=cw, action="view", citizen_id=placed.pk, summary="Journal vist").exists()


def test_the_search_finds_the_citizens_notes_on_the_server(world, placed):
    cw = world.users["caseworker"]
    write(placed, cw, text="Borgeren talte om sin søster i Aarhus.")
    write(placed, cw, text="Ringede om medicinen.", category="phone")
    other = world.citizen(first_name="Anden")
    write(other, cw, text="Også en søster her.")
    client = client_of(cw)
    found = client.post(reverse("journal:citizen", args=[placed.pk]), {"q": "SØSTER"}).content.decode()
    assert "sin søster i Aarhus" in found and "medicinen" not in found and "Også en søster" not in found
    by_category = client.get(reverse("journal:citizen", args=[placed.pk]), {"category": "phone"}).content.decode()
    assert "medicinen" in by_category and "Aarhus" not in by_category


def test_a_corrected_note_is_shown_struck_with_a_link_to_its_correction_and_the_reason(world, placed):
    cw = world.users["caseworker"]
    note = write(placed, cw, text="Borgeren ringede om bussen.")
    fix = services.correct_note(note, actor=cw, text="Borgeren ringede om toget.", reason="Forkert transportmiddel")
    page = client_of(cw).get(reverse("journal:citizen", args=[placed.pk])).content.decode()
    assert "<s>Borgeren ringede om bussen.</s>" in page
    assert f'href="#note-{fix.pk}"' in page and "Forkert transportmiddel" in page
    assert reverse("journal:correct", args=[note.pk]) not in page  # a corrected note is not corrected again
    assert reverse("journal:correct", args=[fix.pk]) in page


def test_notes_appear_in_the_timeline(world, placed):
    cw = world.users["caseworker"]
    note = write(placed, cw, text="Netværksmøde med søsteren.", category="meeting")
    services.correct_note(note, actor=cw, text="Netværksmøde med søsteren og bostedet.", reason="Bostedet deltog")
    page = client_of(cw).get(reverse("visitation:timeline", args=[placed.pk])).content.decode()
    assert "Netværksmøde med søsteren og bostedet." in page
    assert "Netværksmøde med søsteren." not in page  # the corrected version stands in the timeline


# --- forms --------------------------------------------------------------------------------------


def test_a_form_with_errors_keeps_what_was_typed_and_lists_every_error(world, placed):
    client = client_of(world.users["centre_staff"])
    url = reverse("journal:add", args=[placed.pk])
    response = client.post(url, {"noted_on": (TODAY + 3 * DAY).isoformat(), "category": "",
                                 "text": "Min lange tekst, som ikke må gå tabt"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Min lange tekst, som ikke må gå tabt" in page
    summary = re.search(r'id="form-errors".*?</ul>', page, re.DOTALL)[0]
    assert 'href="#id_category"' in summary and 'href="#id_noted_on"' in summary  # one link per field in error
    assert f'value="{(TODAY + 3 * DAY).isoformat()}"' in page
    assert not JournalNote.objects.exists()
    bad_date = client.post(url, {"noted_on": "32.13.2024", "category": "phone", "text": "Tekst"})
    assert bad_date.status_code == 200 and 'href="#id_noted_on"' in bad_date.content.decode()


def test_the_correction_form_keeps_what_was_typed_when_the_reason_is_missing(world, placed):
    cw = world.users["caseworker"]
    note = write(placed, cw)
    response = client_of(cw).post(reverse("journal:correct", args=[note.pk]),
                                  {"noted_on": note.noted_on.isoformat(), "category": "conversation",
                                   "text": "Den rettede tekst", "reason": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "Den rettede tekst" in page and 'href="#id_reason"' in page
    assert JournalNote.objects.count() == 1


def test_a_note_sent_twice_is_written_once(world, placed):
    client = client_of(world.users["caseworker"])
    url = reverse("journal:add", args=[placed.pk])
    page = client.get(url).content.decode()
    token = re.search(r'id="note-form".*?name="form_token" value="([^"]+)"', page, re.DOTALL)[1]
    data = {"noted_on": TODAY.isoformat(), "category": "phone", "text": "Ringede", form_tokens.FIELD: token}
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == 302 and second.status_code == 302 and second["Location"] == first["Location"]
    assert JournalNote.objects.filter(citizen=placed).count() == 1


def test_bad_input_never_gives_a_server_error(world, placed):
    client = client_of(world.users["caseworker"])
    for url in (reverse("journal:add", args=[placed.pk]), reverse("journal:citizen", args=[placed.pk])):
        for data in ({"noted_on": "x" * 500, "category": "\x00", "text": "a" * 30_000, "inquiry": "99999999999999"},
                     {"q": "%_'\"; DROP", "category": "nope"}):
            assert client.post(url, data).status_code in (200, 302, 400)  # 400: the input guard (a NUL)
    assert client.get(reverse("journal:correct", args=[999999999])).status_code == 404


def test_the_journal_reads_a_bounded_number_of_queries(world, placed):
    from django.test.utils import CaptureQueriesContext

    cw = world.users["caseworker"]
    client = client_of(cw)
    url = reverse("journal:citizen", args=[placed.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    note = write(placed, cw)
    services.correct_note(note, actor=cw, text="Rettet", reason="Fejl")
    few = count()
    for i in range(15):
        fixed = write(placed, world.users["centre_staff"], text=f"Observation {i}", category="observation")
        if i % 3 == 0:
            services.correct_note(fixed, actor=cw, text=f"Observation {i} (rettet)", reason="Præcisering")
    assert count() == few
