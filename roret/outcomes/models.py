"""Goals and action plans formulated with the citizen, follow-ups on grants, quality-of-life
measurements with standardised instruments, and tariff renegotiations decided at a follow-up."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from roret.citizens.models import Citizen, MeetingParticipant, Relative
from roret.core.models import Term
from roret.core.text_limits import LONG, NOTE, SHORT, text_field
from roret.offers.models import TariffUnit
from roret.placements.models import Grant, Placement


class GoalStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ACHIEVED = "achieved", _("Achieved")
    PARTLY = "partly", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")
    DROPPED = "dropped", _("Dropped by the citizen")


class Goal(models.Model):
    """A goal formulated with the citizen, in the citizen's own words (FFB goal type and theme)."""

    citizen = models.ForeignKey(Citizen, models.PROTECT, related_name="goals", verbose_name=_("citizen"))
    grant = models.ForeignKey(Grant, models.SET_NULL, null=True, blank=True, related_name="goals",
                              verbose_name=_("grant"))
    goal_type = models.ForeignKey(Term, models.PROTECT, related_name="+", verbose_name=_("goal type (FFB)"),
                                  limit_choices_to={"group": "goal_type"})
    theme = models.ForeignKey(Term, models.PROTECT, related_name="+", verbose_name=_("theme (FFB)"),
                              limit_choices_to={"group": "theme"})
    own_words = text_field(_("the goal in the citizen's own words"), NOTE)
    target_date = models.DateField(_("target date"))
    status = models.CharField(_("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    created_on = models.DateField(_("formulated on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["target_date", "pk"]
        constraints = [
            models.CheckConstraint(name="goal_target_after_formulated",
                                   condition=Q(target_date__gt=F("created_on")),
                                   violation_error_message=_("A goal's target date must lie after the day it is set.")),
        ]

    def __str__(self):
        return self.own_words[:80]


class ActionStep(models.Model):
    """One step of the action plan (§141): what, who, by when."""

    goal = models.ForeignKey(Goal, models.CASCADE, related_name="steps", verbose_name=_("goal"))
    what = models.CharField(_("what"), max_length=300)
    who = models.CharField(_("who"), max_length=200)
    due_on = models.DateField(_("by when"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("action-plan step")
        verbose_name_plural = _("action plan")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.what


class GoalSupporter(models.Model):
    """A relative or network person the citizen names as supporting a goal. Naming them puts the
    goal (part of the plan) in their hands, so it needs the citizen's consent to share information
    with relatives (ConsentSubject.SHARE_RELATIVES), checked by outcomes.services.name_supporter."""

    goal = models.ForeignKey(Goal, models.CASCADE, related_name="supporters", verbose_name=_("goal"))
    relative = models.ForeignKey(Relative, models.PROTECT, related_name="supported_goals",
                                 verbose_name=_("relative or network person"))
    how = models.CharField(_("how they support the goal"), max_length=SHORT, blank=True)
    named_on = models.DateField(_("named on"))
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("goal supporter")
        verbose_name_plural = _("goal supporters")
        ordering = ["named_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["goal", "relative"], name="goal_supporter_once")]

    def __str__(self):
        return f"{self.relative.name}: {self.goal}"


class FollowUpOutcome(models.TextChoices):
    """The follow-up's result in FFB's terms (Status på indsats); a change within the grant
    continues the grant in FFB's sense."""

    CONTINUE = "continue", _("Continue the grant")
    CHANGE = "change", _("Change within the grant")
    END = "end", _("End the grant")
    END_REFER = "end_refer", _("End and refer to a new service")


FFB_OUTCOME = {
    FollowUpOutcome.CONTINUE: "Træf afgørelse om fortsættelse af indsats",
    FollowUpOutcome.CHANGE: "Træf afgørelse om fortsættelse af indsats",
    FollowUpOutcome.END: "Træf afgørelse om afslutning af indsats",
    FollowUpOutcome.END_REFER: "Træf afgørelse om afslutning af indsats og visiter til ny",
}


class FollowUp(models.Model):
    """A follow-up on a grant: scheduled with a due date, then held and recorded."""

    citizen = models.ForeignKey(Citizen, models.PROTECT, related_name="follow_ups", verbose_name=_("citizen"))
    grant = models.ForeignKey(Grant, models.PROTECT, related_name="follow_ups", verbose_name=_("grant"))
    due_on = models.DateField(_("due"), db_index=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    held_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("held by"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=FollowUpOutcome.choices, blank=True)
    support_need = models.ForeignKey(Term, models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("assessed support need"),
                                     limit_choices_to={"group": "support_need"})
    need_fallen = models.BooleanField(_("need has fallen"), default=False)
    notes = text_field(_("notes"), LONG, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "pk"]
        # The open follow-ups of a caseload, due by a day: most follow-ups are held, so the index
        # holds only the open ones (follow-ups due, the overview, the compliance list; issue 9).
        indexes = [models.Index(fields=["citizen", "due_on"], condition=Q(held_on__isnull=True),
                                name="follow_up_open_citizen_due"),
                   # The same, in due order: the follow-ups list, a page at a time (issue 14).
                   models.Index(fields=["due_on"], condition=Q(held_on__isnull=True), name="follow_up_open_due")]
        constraints = [
            models.CheckConstraint(name="follow_up_held_has_outcome",
                                   condition=Q(held_on__isnull=True, outcome="") | Q(held_on__isnull=False) & ~Q(outcome=""),
                                   violation_error_message=_("A held follow-up records its outcome.")),
            models.UniqueConstraint(fields=["grant"], condition=Q(held_on__isnull=True),
                                    name="follow_up_one_open_per_grant"),
        ]

    def __str__(self):
        return f"Opfølgning {self.due_on:%d.%m.%Y}"

    @property
    def ffb_outcome(self) -> str:
        return FFB_OUTCOME.get(self.outcome, "")


class FollowUpParticipant(MeetingParticipant):
    """A relative or network person invited to a follow-up meeting, and whether they took part
    (roret.citizens.models.MeetingParticipant; invited by outcomes.services.invite_to_follow_up)."""

    meeting_field = "follow_up"

    follow_up = models.ForeignKey(FollowUp, models.CASCADE, related_name="participants",
                                  verbose_name=_("follow-up"))
    relative = models.ForeignKey(Relative, models.PROTECT, related_name="follow_ups",
                                 verbose_name=_("relative or network person"))

    class Meta(MeetingParticipant.Meta):
        verbose_name = _("participant in a follow-up")
        verbose_name_plural = _("participants in follow-ups")
        constraints = [models.UniqueConstraint(fields=["follow_up", "relative"], name="follow_up_participant_once")]


class GoalProgressLevel(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    PROGRESSING = "progressing", _("Progressing")
    UNCHANGED = "unchanged", _("Unchanged")
    REGRESSED = "regressed", _("Regressed")


class GoalProgress(models.Model):
    """How far a goal has come, as seen at one follow-up."""

    follow_up = models.ForeignKey(FollowUp, models.CASCADE, related_name="progress", verbose_name=_("follow-up"))
    goal = models.ForeignKey(Goal, models.CASCADE, related_name="progress", verbose_name=_("goal"))
    progress = models.CharField(_("progress"), max_length=20, choices=GoalProgressLevel.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("goal progress")
        verbose_name_plural = _("goal progress")
        constraints = [models.UniqueConstraint(fields=["follow_up", "goal"], name="goal_progress_once_per_follow_up")]

    def __str__(self):
        return f"{self.goal}: {self.get_progress_display()}"


class MeasurementOccasion(models.TextChoices):
    MOVE_IN = "move_in", _("At move-in")
    FOLLOW_UP = "follow_up", _("Before a follow-up")
    EXPENSIVE = "expensive", _("Exceptionally expensive case")
    ASSESSMENT = "assessment", _("At assessment")
    OTHER = "other", _("Other")


class Measurement(models.Model):
    """One scored answer set of a standardised instrument (see roret.outcomes.instruments)."""

    citizen = models.ForeignKey(Citizen, models.PROTECT, related_name="measurements", verbose_name=_("citizen"))
    instrument = models.CharField(_("instrument"), max_length=20, db_index=True)
    measured_on = models.DateField(_("measured on"))
    answers = models.JSONField(_("answers"))
    raw = models.PositiveSmallIntegerField(_("raw score"))
    score = models.PositiveSmallIntegerField(_("score"))
    band = models.CharField(_("interpretation"), max_length=20)
    flagged_items = models.JSONField(_("flagged items"), default=list, blank=True)
    occasion = models.CharField(_("occasion"), max_length=20, choices=MeasurementOccasion.choices)
    follow_up = models.ForeignKey(FollowUp, models.SET_NULL, null=True, blank=True, related_name="measurements",
                                  verbose_name=_("follow-up"))
    placement = models.ForeignKey(Placement, models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("placement"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    #: The citizen answered themself (on their own page, or on a tablet with staff beside them).
    self_reported = models.BooleanField(_("self-reported"), default=False)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["measured_on", "pk"]
        indexes = [models.Index(fields=["citizen", "instrument", "measured_on"], name="measurement_citizen_day"),
                   # The KPI report's quality of life and the balance view count a period's measurements.
                   models.Index(fields=["measured_on"], name="measurement_day")]
        constraints = [models.CheckConstraint(name="measurement_score_in_range",
                                              condition=Q(score__lte=100))]

    def __str__(self):
        return f"{self.instrument} {self.score} ({self.measured_on:%d.%m.%Y})"

    @property
    def definition(self):
        from roret.outcomes.instruments import get

        return get(self.instrument)

    @property
    def band_label(self) -> str:
        return next((b.label for b in self.definition.bands if b.key == self.band), self.band)


class TariffRenegotiation(models.Model):
    """A renegotiated tariff for an external placement, recorded when the assessed need has fallen
    (need - intervention - tariff). The new tariff is also written as a dated PlacementTariff."""

    placement = models.ForeignKey(Placement, models.PROTECT, related_name="renegotiations",
                                  verbose_name=_("placement"))
    follow_up = models.ForeignKey(FollowUp, models.SET_NULL, null=True, blank=True, related_name="renegotiations",
                                  verbose_name=_("follow-up"))
    old_amount = models.DecimalField(_("old tariff (kr.)"), max_digits=12, decimal_places=2,
                                     validators=[MinValueValidator(Decimal("0"))])
    new_amount = models.DecimalField(_("new tariff (kr.)"), max_digits=12, decimal_places=2,
                                     validators=[MinValueValidator(Decimal("0"))])
    unit = models.CharField(_("unit"), max_length=10, choices=TariffUnit.choices)
    hours_per_week = models.DecimalField(_("hours per week"), max_digits=6, decimal_places=2, null=True, blank=True)
    valid_from = models.DateField(_("from"))
    yearly_saving = models.DecimalField(_("yearly saving (kr.)"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("tariff renegotiation")
        verbose_name_plural = _("tariff renegotiations")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(name="renegotiation_not_negative",
                                   condition=Q(old_amount__gte=0) & Q(new_amount__gte=0)),
        ]

    def __str__(self):
        return f"{self.old_amount} -> {self.new_amount} kr. fra {self.valid_from:%d.%m.%Y}"


class MissingMeasurement(models.Model):
    """A row of the quality-of-life compliance list, stored (roret.outcomes.compliance): a
    residential move-in or an open follow-up without the measurement its rule asks for, with the
    days it is shown on, or an exceptionally expensive citizen not measured for a year (shown on
    the day it was found). Kept current by the writes that change the rules' inputs, so the list
    is filtered, sorted and paged in the database like the other work lists."""

    citizen = models.ForeignKey(Citizen, models.CASCADE, related_name="+", verbose_name=_("citizen"))
    instrument = models.CharField(_("instrument"), max_length=20)
    reason = models.CharField(_("why a measurement is due"), max_length=20)
    # The placement (move-in) or follow-up the row is about; 0 for an expensive case.
    ref = models.PositiveBigIntegerField(_("placement or follow-up"), default=0)
    day = models.DateField(_("date"))
    shown_from = models.DateField(_("shown from"))
    shown_until = models.DateField(_("shown until"), null=True, blank=True)
    offer = models.ForeignKey("offers.Offer", models.CASCADE, null=True, blank=True, related_name="+",
                              verbose_name=_("offer"))
    kroner = models.DecimalField(_("yearly cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    latest = models.DateField(_("latest measurement"), null=True, blank=True)

    class Meta:
        verbose_name = _("missing measurement")
        verbose_name_plural = _("missing measurements")
        constraints = [models.UniqueConstraint(fields=["instrument", "reason", "citizen", "ref"],
                                               name="missing_measurement_once")]
        indexes = [models.Index(fields=["instrument", "shown_from"], name="missing_measurement_shown")]

    def __str__(self):
        return f"{self.instrument} {self.reason} {self.citizen_id} ({self.day:%d.%m.%Y})"


class ComplianceStale(models.Model):
    """A citizen whose compliance rows must be worked out again: marked in the transaction that
    changed a measurement, follow-up or placement, worked off after it commits (or by the next
    list request, if that did not happen)."""

    citizen_id = models.PositiveBigIntegerField()

    def __str__(self):
        return f"compliance stale {self.citizen_id}"


class ComplianceBuild(models.Model):
    """When the stored compliance rows of an instrument were last built in full: rows that ended
    before ``built_on`` were left out, so a day before it is answered by the rules themselves."""

    instrument = models.CharField(max_length=20, unique=True)
    built_on = models.DateField()
    built_at = models.DateTimeField(auto_now=True)
    # What the stored expensive cases were worked out for: the day, the economy's version and the
    # threshold (roret.outcomes.compliance.expensive_key); worked out again when it changes.
    expensive_day = models.DateField(null=True, blank=True)
    expensive_key = models.CharField(max_length=100, blank=True)

    def __str__(self):
        return f"{self.instrument} built on {self.built_on:%d.%m.%Y}"
