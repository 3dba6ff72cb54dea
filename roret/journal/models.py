"""The citizen's journal (dated notes that are never edited or deleted; a wrong note is corrected by
a new note that points to it) and the history of corrections of recorded case data.

Both tables are append-only in the database itself (triggers, migration 0001), as the audit log is:
an UPDATE or DELETE is refused whoever sends it. The one exception is retention's anonymisation of a
closed case, which may replace the free text with ``[anonymiseret]`` and nothing else
(roret/citizens/retention.py, docs/journal.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roret.citizens.models import Citizen
from roret.core.text_limits import LONG, text_field


class NoteCategory(models.TextChoices):
    CONVERSATION = "conversation", _("Conversation")
    PHONE = "phone", _("Phone call")
    MEETING = "meeting", _("Meeting")
    OBSERVATION = "observation", _("Observation")
    CORRESPONDENCE = "correspondence", _("Correspondence")
    DECISION_NOTE = "decision_note", _("Decision note")


class JournalNote(models.Model):
    """One dated note in a citizen's journal, by its author, perhaps about one case (an inquiry).

    Never edited and never deleted: a correction is a new note with ``corrects`` pointing to the
    note it puts right and a reason; the corrected note stays, shown as corrected."""

    citizen = models.ForeignKey(Citizen, models.PROTECT, related_name="journal_notes", verbose_name=_("citizen"))
    noted_on = models.DateField(_("date"))
    category = models.CharField(_("category"), max_length=20, choices=NoteCategory.choices)
    text = text_field(_("note"), LONG)
    inquiry = models.ForeignKey("visitation.Inquiry", models.PROTECT, null=True, blank=True,
                                related_name="journal_notes", verbose_name=_("case"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("author"))
    corrects = models.OneToOneField("self", models.PROTECT, null=True, blank=True, related_name="corrected_by",
                                    verbose_name=_("corrects"))
    correction_reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)
    created = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("journal note")
        verbose_name_plural = _("journal notes")
        ordering = ["-noted_on", "-pk"]
        indexes = [models.Index(fields=["citizen", "noted_on"], name="journalnote_citizen_day")]
        constraints = [
            models.CheckConstraint(
                name="journalnote_correction_has_reason",
                condition=(Q(corrects__isnull=True, correction_reason="")
                           | (Q(corrects__isnull=False) & ~Q(correction_reason=""))),
                violation_error_message=_("A correction needs a reason, and only a correction has one."),
            ),
            models.CheckConstraint(name="journalnote_has_text", condition=~Q(text=""),
                                   violation_error_message=_("A note needs a text.")),
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.noted_on:%d.%m.%Y}"

    @property
    def author_name(self) -> str:
        user = self.author
        return (user.get_full_name() or user.get_username()) if user else ""


class Correction(models.Model):
    """One corrected field of a recorded object (an inquiry, a decision, a placement, an agreed
    tariff, a goal, a relative): the value before and after, who corrected it, when and why.

    The object itself holds the new value (a dated tariff: a new row that points to the old one);
    this row keeps the old value visible in the record's history."""

    citizen = models.ForeignKey(Citizen, models.PROTECT, related_name="corrections", verbose_name=_("citizen"))
    object_type = models.CharField(_("kind of record"), max_length=60)   # a model label: placements.placement
    object_id = models.PositiveBigIntegerField(_("record"))
    field = models.CharField(_("field"), max_length=60)
    field_label = models.CharField(_("field name"), max_length=120)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("corrected by"))
    at = models.DateTimeField(_("corrected"), default=timezone.now)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="correction_object"),
                   models.Index(fields=["citizen", "at"], name="correction_citizen_at")]
        constraints = [models.CheckConstraint(name="correction_has_reason", condition=~Q(reason=""))]

    def __str__(self):
        return f"{self.field_label}: {self.old_value} -> {self.new_value}"

    @property
    def actor_name(self) -> str:
        user = self.actor
        return (user.get_full_name() or user.get_username()) if user else _("the system")
