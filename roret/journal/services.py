"""Writing and reading the citizen's journal. A note is written once and never edited or deleted; a
wrong note is corrected by a new note that points to it, with the reason.

Who may: the ``record`` action of the gate (roret/core/permissions.py): a caseworker for the team's
caseload, centre staff and centre leaders for the citizens placed in their centre's offers (the
role table: caseworkers change "journal notes", centre staff "notes"). Reading the journal is a
read of the record (``view``), audited by the page through ``citizens.services.get_citizen``.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from roret.citizens.models import Citizen
from roret.core import audit, permissions, text_limits
from roret.core.permissions import RECORD, VIEW
from roret.journal.models import JournalNote, NoteCategory

TEXT_MAX = text_limits.LONG
REASON_MAX = text_limits.REASON
SEARCH_MAX = 100


class JournalError(ValidationError):
    """A note that cannot be written as given; the messages say which field and why."""


def date_error(noted_on, today: datetime.date | None = None) -> str | None:
    """Why ``noted_on`` cannot be a note's date, or None (the forms ask too, so a person sees every
    error of the form at once)."""
    if not isinstance(noted_on, datetime.date):
        return _("Give the date the note is about.")
    if noted_on > (today or datetime.date.today()):
        return _("A note is about something that has happened: the date cannot be in the future.")
    return None


def _check(*, noted_on, category, text, today: datetime.date) -> tuple[datetime.date, str, str]:
    errors = {}
    if date_error(noted_on, today):
        errors["noted_on"] = date_error(noted_on, today)
    if category not in NoteCategory.values:
        errors["category"] = _("Choose a category.")
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Write the note.")
    elif len(text) > TEXT_MAX:
        errors["text"] = text_limits.message(_("note"), len(text), TEXT_MAX)
    if errors:
        raise JournalError(errors)
    return noted_on, category, text


def _summary(note: JournalNote) -> dict:
    # The note's text is not copied into the audit log, which is kept longer than the case.
    return {"noted_on": str(note.noted_on), "category": note.category, "inquiry": note.inquiry_id,
            "corrects": note.corrects_id}


@transaction.atomic
def add_note(citizen: Citizen, *, actor, noted_on: datetime.date, category: str, text: str, inquiry=None,
             channel: str = "web", today: datetime.date | None = None) -> JournalNote:
    """Write a note in ``citizen``'s journal, perhaps about one of the citizen's cases (``inquiry``)."""
    citizen = permissions.fetch(actor, RECORD, Citizen, citizen.pk)
    noted_on, category, text = _check(noted_on=noted_on, category=category, text=text,
                                      today=today or datetime.date.today())
    if inquiry is not None and inquiry.citizen_id != citizen.pk:
        raise JournalError({"inquiry": _("Choose one of the citizen's own cases.")})
    note = JournalNote.objects.create(citizen=citizen, noted_on=noted_on, category=category, text=text,
                                      inquiry=inquiry, author=actor)
    audit.record(actor, "create", citizen=citizen, obj=note, channel=channel, after=_summary(note),
                 summary=f"Journalnotat skrevet: {note.get_category_display()} {noted_on:%d.%m.%Y}")
    return note


@transaction.atomic
def correct_note(note: JournalNote, *, actor, text: str, reason: str, noted_on: datetime.date | None = None,
                 category: str | None = None, channel: str = "web",
                 today: datetime.date | None = None) -> JournalNote:
    """Correct ``note`` with a new note that points to it, with ``reason``; ``note`` stays as it was,
    shown as corrected. A note already corrected is corrected through the note that corrects it."""
    note = permissions.fetch(actor, RECORD, JournalNote.objects.select_related("citizen"), note.pk, lock=True)
    if JournalNote.objects.filter(corrects=note).exists():
        raise JournalError(_("This note has already been corrected; correct the note that corrects it."))
    noted_on = note.noted_on if noted_on is None else noted_on
    category = note.category if category is None else category
    noted_on, category, text = _check(noted_on=noted_on, category=category, text=text,
                                      today=today or datetime.date.today())
    reason = (reason or "").strip()
    if not reason:
        raise JournalError({"reason": _("Say why the note is corrected.")})
    if len(reason) > REASON_MAX:
        raise JournalError({"reason": text_limits.message(_("reason for the correction"), len(reason), REASON_MAX)})
    if (noted_on, category, text) == (note.noted_on, note.category, note.text):
        raise JournalError({"text": _("The correction is the same as the note it corrects.")})
    correction = JournalNote.objects.create(citizen=note.citizen, noted_on=noted_on, category=category, text=text,
                                            inquiry=note.inquiry, author=actor, corrects=note,
                                            correction_reason=reason)
    audit.record(actor, "create", citizen=note.citizen, obj=correction, channel=channel, reason=reason,
                 before=_summary(note), after=_summary(correction),
                 summary=f"Journalnotat rettet: {note.get_category_display()} {note.noted_on:%d.%m.%Y} "
                         f"(notat #{note.pk} rettet af #{correction.pk})")
    return correction


def notes(user, citizen: Citizen, *, query: str = "", category: str = ""):
    """The notes of ``citizen`` ``user`` may read, newest first, each with the note that corrects it:
    those whose text (or correction reason) holds ``query``, of ``category`` if given. The caller has
    fetched (and audited) the citizen; asking the gate again keeps this safe to call from anywhere."""
    citizen = permissions.fetch(user, VIEW, Citizen, citizen.pk)
    rows = (JournalNote.objects.filter(citizen=citizen)
            .select_related("author", "inquiry", "corrects", "corrected_by", "corrected_by__author"))
    query = (query or "").strip()[:SEARCH_MAX]
    if query:
        # A regular expression of the escaped words, not icontains: SQLite's LIKE folds only ASCII
        # letters, so "SØSTER" would not find "søster"; Django's REGEXP on SQLite is Python's re, and
        # PostgreSQL's ~* folds by the database's locale.
        pattern = re.escape(query)
        rows = rows.filter(Q(text__iregex=pattern) | Q(correction_reason__iregex=pattern))
    if category in NoteCategory.values:
        rows = rows.filter(category=category)
    return rows.order_by("-noted_on", "-pk")
