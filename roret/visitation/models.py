"""Visitation: inquiry, screening (step 1), assessment with FFB themes and levels (step 2),
network meetings, decisions, case-processing deadlines and transitions."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from roret.citizens.models import Citizen, MeetingParticipant, Relative
from roret.core.models import Team, Term
from roret.core.text_limits import LONG, NOTE, text_field
from roret.offers.models import LegalBasis, Offer
from roret.placements.models import Grant


class CaseDeadline(models.Model):
    """The municipality's case-processing deadline for one service type, in weeks (configurable)."""

    paragraph = models.CharField(_("service type (legal basis)"), max_length=10, choices=LegalBasis.choices,
                                 unique=True)
    weeks = models.PositiveSmallIntegerField(_("deadline in weeks"))

    class Meta:
        verbose_name = _("case-processing deadline")
        verbose_name_plural = _("case-processing deadlines")
        ordering = ["paragraph"]
        constraints = [models.CheckConstraint(name="case_deadline_positive", condition=Q(weeks__gt=0))]

    def __str__(self):
        return f"{self.get_paragraph_display()}: {self.weeks} uger"


class InquirySource(models.TextChoices):
    CITIZEN = "citizen", _("The citizen")
    RELATIVE = "relative", _("Relatives")
    HOSPITAL = "hospital", _("Hospital or psychiatry")
    SINGLE_ENTRY = "single_entry", _("En Indgang (single entry)")
    CHILDREN = "children", _("Children's services")
    OTHER = "other", _("Other")


class InquiryStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SCREENED_OUT = "screened_out", _("Screened out")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Inquiry(models.Model):
    """The first contact about a citizen; starts the case-processing deadline."""

    citizen = models.ForeignKey(Citizen, models.PROTECT, related_name="inquiries", verbose_name=_("citizen"))
    source = models.CharField(_("who asked"), max_length=20, choices=InquirySource.choices)
    source_detail = models.CharField(_("name or unit of who asked"), max_length=200, blank=True)
    received_on = models.DateField(_("received on"))
    about = text_field(_("what it is about"), LONG)
    paragraph = models.CharField(_("service type asked about"), max_length=10, choices=LegalBasis.choices)
    deadline = models.DateField(_("case-processing deadline"), db_index=True)
    # None while a routed inquiry waits for a caseworker of the responsible team to take it.
    caseworker = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("caseworker"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("registered by"))
    team = models.ForeignKey(Team, models.PROTECT, related_name="+", verbose_name=_("responsible team"))
    status = models.CharField(_("status"), max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(name="inquiry_deadline_after_received", condition=Q(deadline__gt=F("received_on"))),
            models.CheckConstraint(name="inquiry_closed_when_not_open",
                                   condition=Q(status="open", closed_on__isnull=True)
                                   | ~Q(status="open") & Q(closed_on__isnull=False)),
        ]

    def __str__(self):
        return f"Henvendelse {self.received_on:%d.%m.%Y} ({self.get_source_display()})"


class ScreeningOutcome(models.TextChoices):
    IN = "in", _("In the target group and within the service level")
    OUT = "out", _("Outside the target group or the service level")


class GuidedTo(models.TextChoices):
    NORMAL = "normal", _("Normal services (general offers)")
    SINGLE_ENTRY = "single_entry", _("En Indgang (single entry)")
    OTHER_DEPARTMENT = "other_department", _("Another department")


class Screening(models.Model):
    """Step 1: is the citizen in the department's target group and within the service level?"""

    inquiry = models.OneToOneField(Inquiry, models.PROTECT, related_name="screening", verbose_name=_("inquiry"))
    screened_on = models.DateField(_("screened on"))
    outcome = models.CharField(_("outcome"), max_length=5, choices=ScreeningOutcome.choices)
    reason = text_field(_("reason"), NOTE)
    guided_to = models.CharField(_("guided to"), max_length=20, choices=GuidedTo.choices, blank=True)
    guided_to_detail = models.CharField(_("guided to (details)"), max_length=200, blank=True)
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("screened by"))

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        constraints = [
            models.CheckConstraint(name="screening_out_says_where",
                                   condition=Q(outcome="in", guided_to="") | Q(outcome="out") & ~Q(guided_to=""),
                                   violation_error_message=_("A citizen screened out is guided somewhere.")),
        ]

    def __str__(self):
        return f"Screening {self.screened_on:%d.%m.%Y}: {self.get_outcome_display()}"


class Assessment(models.Model):
    """Step 2 (VUM): the citizen's own perspective first, then functional level per FFB theme.

    Versioned: a re-assessment is a new row with the next version; the earlier one is kept."""

    citizen = models.ForeignKey(Citizen, models.PROTECT, related_name="assessments", verbose_name=_("citizen"))
    inquiry = models.ForeignKey(Inquiry, models.SET_NULL, null=True, blank=True, related_name="assessments",
                                verbose_name=_("inquiry"))
    version = models.PositiveSmallIntegerField(_("version"))
    assessed_on = models.DateField(_("assessed on"))
    hopes = text_field(_("hopes, wishes and dreams (in the citizen's own words)"), NOTE)
    what_matters = text_field(_("what matters to the citizen"), NOTE, blank=True)
    wished_offer_types = models.ManyToManyField(Term, blank=True, related_name="+",
                                                verbose_name=_("kinds of offer the citizen wishes"),
                                                limit_choices_to={"group": "offer_type"})
    support_need = models.ForeignKey(Term, models.PROTECT, related_name="+", verbose_name=_("overall support need"),
                                     limit_choices_to={"group": "support_need"})
    target_groups = models.ManyToManyField(Term, blank=True, related_name="+", verbose_name=_("target groups"),
                                           limit_choices_to={"group": "target_group"})
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("assessed by"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["citizen", "version"]
        constraints = [models.UniqueConstraint(fields=["citizen", "version"], name="assessment_version_unique")]

    def __str__(self):
        return f"Udredning v{self.version} {self.assessed_on:%d.%m.%Y}"


class ThemeAssessment(models.Model):
    """The functional level (0 none .. 4 complete; empty = not assessed) and notes for one FFB theme."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="themes", verbose_name=_("assessment"))
    theme = models.ForeignKey(Term, models.PROTECT, related_name="+", verbose_name=_("theme (FFB)"),
                              limit_choices_to={"group": "theme"})
    level = models.PositiveSmallIntegerField(_("functional level"), null=True, blank=True)
    notes = text_field(_("notes"), NOTE, blank=True)

    class Meta:
        verbose_name = _("theme assessment")
        verbose_name_plural = _("theme assessments")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "theme"], name="theme_once_per_assessment"),
            models.CheckConstraint(name="theme_level_0_to_4", condition=Q(level__isnull=True) | Q(level__lte=4)),
        ]

    def __str__(self):
        return f"{self.theme}: {self.level if self.level is not None else '-'}"


class NetworkMeeting(models.Model):
    """A network meeting (Open Dialogue): who took part and what was agreed."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="meetings", verbose_name=_("assessment"))
    held_on = models.DateField(_("held on"))
    citizen_took_part = models.BooleanField(_("the citizen took part"), default=True)
    relatives = models.CharField(_("relatives and network"), max_length=300, blank=True)
    providers = models.CharField(_("providers"), max_length=300, blank=True)
    others = models.CharField(_("others"), max_length=300, blank=True)
    notes = text_field(_("what was said and agreed"), LONG, blank=True)

    class Meta:
        verbose_name = _("network meeting")
        verbose_name_plural = _("network meetings")
        ordering = ["held_on"]

    def __str__(self):
        return f"Netværksmøde {self.held_on:%d.%m.%Y}"


class NetworkMeetingParticipant(MeetingParticipant):
    """A relative or network person invited to a network meeting, and whether they took part (the
    meeting's free-text fields keep providers and others; roret.citizens.models.MeetingParticipant;
    invited by visitation.services.invite_to_meeting)."""

    meeting_field = "meeting"
    citizen_path = "assessment__citizen"

    meeting = models.ForeignKey(NetworkMeeting, models.CASCADE, related_name="participants",
                                verbose_name=_("network meeting"))
    relative = models.ForeignKey(Relative, models.PROTECT, related_name="network_meetings",
                                 verbose_name=_("relative or network person"))

    class Meta(MeetingParticipant.Meta):
        verbose_name = _("participant in a network meeting")
        verbose_name_plural = _("participants in network meetings")
        constraints = [models.UniqueConstraint(fields=["meeting", "relative"], name="network_meeting_participant_once")]


class DecisionKind(models.TextChoices):
    GRANT = "grant", _("Grant")
    REFUSAL = "refusal", _("Refusal")


class Decision(models.Model):
    """The formal decision: a grant or a refusal under a legal paragraph, with justification."""

    citizen = models.ForeignKey(Citizen, models.PROTECT, related_name="decisions", verbose_name=_("citizen"))
    inquiry = models.ForeignKey(Inquiry, models.SET_NULL, null=True, blank=True, related_name="decisions",
                                verbose_name=_("inquiry"))
    assessment = models.ForeignKey(Assessment, models.PROTECT, null=True, blank=True, related_name="decisions",
                                   verbose_name=_("assessment"))
    kind = models.CharField(_("decision"), max_length=10, choices=DecisionKind.choices)
    paragraph = models.CharField(_("legal basis"), max_length=10, choices=LegalBasis.choices)
    offer_type = models.ForeignKey(Term, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("offer type (FFB)"), limit_choices_to={"group": "offer_type"})
    offer = models.ForeignKey(Offer, models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("chosen offer"))
    scope = models.CharField(_("scope"), max_length=300, blank=True)
    hours_per_week = models.DecimalField(_("hours per week"), max_digits=6, decimal_places=2, null=True, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    justification = text_field(_("justification"), LONG)
    lowest_adequate_step = models.PositiveSmallIntegerField(_("lowest adequate staircase step"), null=True, blank=True)
    chosen_step = models.PositiveSmallIntegerField(_("chosen staircase step"), null=True, blank=True)
    intrusive_reason = text_field(_("reason for a more intrusive step"), NOTE, blank=True)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    grant = models.OneToOneField(Grant, models.PROTECT, null=True, blank=True, related_name="decision",
                                 verbose_name=_("grant"))

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="decision_refusal_has_no_grant",
                                   condition=Q(kind="grant") | Q(grant__isnull=True)),
            models.CheckConstraint(name="decision_intrusive_step_has_reason",
                                   condition=Q(chosen_step__isnull=True) | Q(lowest_adequate_step__isnull=True)
                                   | Q(chosen_step__lte=F("lowest_adequate_step")) | ~Q(intrusive_reason=""),
                                   violation_error_message=_("A more intrusive step needs a written reason.")),
            models.CheckConstraint(name="decision_has_justification", condition=~Q(justification="")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.get_paragraph_display()} {self.decided_on:%d.%m.%Y}"


class TransitionKind(models.TextChoices):
    YOUTH = "youth", _("Youth to adult (16-17 years)")
    ELDERLY = "elderly", _("To elderly care (65+)")


YOUTH_CHECKLIST = [
    ("consent", "Samtykke til at børneområdet videregiver oplysninger"),
    ("case_files", "Børnesagens relevante akter er overleveret"),
    ("action_plan", "Børneområdets handleplan og seneste børnefaglige undersøgelse er modtaget"),
    ("meeting", "Overleveringsmøde holdt med den unge, forældre og børnesagsbehandler"),
    ("guardian", "Behov for værgemål fra 18 år er vurderet"),
    ("education", "Uddannelse, beskæftigelse og forsørgelse efter 18 år er afklaret"),
    ("screening", "Screening (trin 1) er planlagt før det fyldte 18. år"),
]


class Transition(models.Model):
    """A citizen crossing an age border: a young person known from children's services who may
    need adult help at 18, or a citizen of 65+ whose needs may fit elderly care better."""

    citizen = models.ForeignKey(Citizen, models.PROTECT, related_name="transitions", verbose_name=_("citizen"))
    kind = models.CharField(_("kind"), max_length=10, choices=TransitionKind.choices)
    opened_on = models.DateField(_("opened on"))
    expected_need = text_field(_("expected need"), NOTE, blank=True)
    checklist = models.JSONField(_("checklist (item -> done on)"), default=dict, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["opened_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["citizen", "kind"], condition=Q(closed_on__isnull=True),
                                    name="transition_one_open_per_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.opened_on:%d.%m.%Y})"
