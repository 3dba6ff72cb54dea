"""Journal pages: a citizen's journal (search, category filter, corrections shown), writing a note,
correcting a note, and correcting a recorded field of a case with its history. Thin: parse,
authorise through the gate, call a service, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from roret.citizens import services as citizen_services
from roret.citizens.models import Citizen
from roret.core import audit, permissions
from roret.core.access import role_required
from roret.core.forms import apply_errors
from roret.core.permissions import CASE_ROLES, CASEWORKERS, RECORD, VIEW
from roret.journal import corrections, services
from roret.journal.forms import CorrectNoteForm, NoteForm, SearchForm, TariffCorrectionForm, correction_form
from roret.journal.models import JournalNote

#: The most notes one page shows (the newest; a search narrows them).
NOTES_SHOWN = 200


def _may(user, action: str, citizen_id: int) -> bool:
    return Citizen.objects.filter(pk=citizen_id).filter(permissions.citizen_scope(user, action)).exists()


@role_required(CASE_ROLES)
def journal(request, citizen_id):
    citizen = citizen_services.get_citizen(request.user, citizen_id, summary="Journal vist")
    # The search posts, so what was searched for (words about a person's life) stays out of URLs
    # and access logs; the category may also come as ?category= (a link from a note's tag).
    data = request.POST if request.method == "POST" else request.GET
    search = SearchForm(data)
    query, category = "", ""
    if search.is_valid():
        query, category = search.cleaned_data["q"].strip(), search.cleaned_data["category"]
    rows = services.notes(request.user, citizen, query=query, category=category)
    total = rows.count()
    return render(request, "journal/journal.html", {
        "citizen": citizen, "notes": list(rows[:NOTES_SHOWN]), "total": total, "shown_max": NOTES_SHOWN,
        "search": search, "query": query, "category": category,
        "may_write": _may(request.user, RECORD, citizen.pk),
    })


@role_required(CASE_ROLES)
def add(request, citizen_id):
    citizen = citizen_services.get_citizen(request.user, citizen_id, action=RECORD, summary="Nyt journalnotat")
    form = NoteForm(request.POST or None, inquiries=citizen.inquiries.order_by("-received_on"),
                    initial={"noted_on": datetime.date.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_note(citizen, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The note was written in the journal."))
            return redirect("journal:citizen", citizen_id=citizen.pk)
    return render(request, "journal/note_form.html", {"citizen": citizen, "form": form})


@role_required(CASE_ROLES)
def correct(request, note_pk):
    note = citizen_services.get_record(
        request.user, JournalNote.objects.select_related("citizen", "author", "inquiry", "corrects"), note_pk,
        action=RECORD, summary="Journalnotat åbnet til rettelse")
    corrected_by = JournalNote.objects.filter(corrects=note).first()
    form = CorrectNoteForm(request.POST or None,
                           initial={"noted_on": note.noted_on, "category": note.category, "text": note.text})
    if request.method == "POST" and corrected_by is None and form.is_valid():
        try:
            services.correct_note(note, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The note was corrected; the corrected note stays in the journal, marked."))
            return redirect("journal:citizen", citizen_id=note.citizen_id)
    return render(request, "journal/correct_note.html", {
        "citizen": note.citizen, "note": note, "corrected_by": corrected_by, "form": form})


# --- corrections of recorded case data ---------------------------------------------------------

def _record(request, kind: str, pk):
    """The record ``pk`` of ``kind`` if the user may see its citizen (else 404, audited as refused),
    the read audited; and whether the user may correct it."""
    if kind == "tariff":
        from roret.placements.models import PlacementTariff

        source, via, action = PlacementTariff.history.select_related("placement__offer"), "placement__citizen", \
            permissions.CHANGE
    else:
        spec = corrections.KINDS[kind]
        source, via, action = spec.model.objects.all(), "citizen", spec.action
    try:
        obj = permissions.fetch(request.user, VIEW, source, pk, via=via)
    except permissions.NotInScope:
        audit.refused(request.user, source.model, pk, action=VIEW, via=via)
        raise
    citizen_id = obj.placement.citizen_id if kind == "tariff" else obj.citizen_id
    with translation.override("da"):  # the audit log is written in Danish
        summary = f"{str(obj._meta.verbose_name).capitalize()} åbnet til rettelse"
    audit.read(request.user, "view", citizen_id=citizen_id, obj=obj, summary=summary)
    return obj, citizen_id, _may(request.user, action, citizen_id)


def _back(request, kind: str, obj, citizen_id: int) -> str:
    caseworker = permissions.has_role(request.user, CASEWORKERS)
    if kind == "inquiry" and caseworker:
        return reverse("visitation:inquiry", kwargs={"inquiry_pk": obj.pk})
    if kind == "decision" and caseworker:
        return reverse("visitation:decision", kwargs={"decision_pk": obj.pk})
    if kind == "goal":
        return reverse("outcomes:citizen", kwargs={"citizen_id": citizen_id})
    if kind == "tariff":
        return reverse("journal:correct_placement", kwargs={"object_id": obj.placement_id})
    return reverse("citizens:detail", kwargs={"pk": citizen_id})


SERVICES = {"inquiry": corrections.correct_inquiry, "decision": corrections.correct_decision,
            "placement": corrections.correct_placement, "goal": corrections.correct_goal,
            "relative": corrections.correct_relative}


@role_required(CASE_ROLES)
def correct_record(request, object_id, kind):
    obj, citizen_id, may_correct = _record(request, kind, object_id)
    if request.method == "POST" and not may_correct:
        raise permissions.NotInScope("may not correct this record")
    data = request.POST if request.method == "POST" else None
    if kind == "tariff":
        form = TariffCorrectionForm(data, initial={"amount": obj.amount, "unit": obj.unit})
        fields = []
    else:
        fields = corrections.KINDS[kind].fields
        form = correction_form(type(obj), fields, data, instance=obj)
    if data is not None and form.is_valid():
        try:
            if kind == "tariff":
                corrections.correct_placement_tariff(obj, actor=request.user, **form.cleaned_data)
            else:
                values = dict(form.cleaned_data)
                reason = values.pop("reason")
                SERVICES[kind](obj, actor=request.user, reason=reason, **values)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The correction was recorded; the old value stays in the history."))
            return redirect(request.path)
    subject = obj.placement if kind == "tariff" else obj
    context = {
        "citizen": Citizen.objects.get(pk=citizen_id), "kind": kind, "obj": obj, "form": form,
        "may_correct": may_correct, "back": _back(request, kind, obj, citizen_id),
        "values": [(obj._meta.get_field(n).verbose_name, corrections.shown(obj, n)) for n in fields],
        "history": corrections.history(subject),
    }
    if kind == "placement":
        from roret.placements.models import PlacementTariff

        context["tariffs"] = list(PlacementTariff.history.filter(placement=obj).select_related("corrected_by"))
    if kind == "tariff":
        context["already_corrected"] = hasattr(obj, "corrected_by")
    return render(request, "journal/correct_record.html", context)
