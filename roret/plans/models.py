"""Development plans: a multi-year plan with tracks and initiatives, and per year the investments
and expected economic effects a person estimated (savings negative, as the municipalities write
them).

Amounts are kroner, kept exactly (Decimal). A plan whose unit is "1000 kr" is shown in thousands
and stored in kroner. An estimate is never changed: a revised estimate is a new row with the
next revision number, so the plan's history of estimates stays (docs/plans.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roret.core.text_limits import NOTE, text_field


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")


class PlanUnit(models.TextChoices):
    KR = "kr", _("kr.")
    THOUSAND = "1000 kr", _("1,000 kr.")

    @property
    def factor(self) -> Decimal:
        return Decimal(1000) if self is PlanUnit.THOUSAND else Decimal(1)


class Plan(models.Model):
    """A development plan over a period of years (e.g. 2025-2029), adopted by the committee."""

    title = models.CharField(_("title"), max_length=300, unique=True)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    unit = models.CharField(_("unit"), max_length=10, choices=PlanUnit.choices, default=PlanUnit.THOUSAND)
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    adopted_by = models.CharField(_("adopted by"), max_length=200, blank=True,
                                  help_text=_("The body that adopted the plan, e.g. the social committee."))
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    #: The totals row the source document published, in the plan's unit (a check, not a figure).
    published_total = models.JSONField(_("published totals"), null=True, blank=True)
    source = models.CharField(_("source file"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        ordering = ["-first_year", "title"]
        constraints = [
            models.CheckConstraint(name="plan_years_ordered", condition=Q(last_year__gte=F("first_year"))),
            models.CheckConstraint(name="plan_at_most_fifteen_years",
                                   condition=Q(last_year__lte=F("first_year") + 14)),
            models.CheckConstraint(name="plan_adopted_has_date",
                                   condition=Q(status="draft") | Q(adopted_on__isnull=False)),
        ]

    def __str__(self):
        return self.title

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    @property
    def factor(self) -> Decimal:
        return PlanUnit(self.unit).factor


class Track(models.Model):
    """A track of a plan ("1", "4a"): a direction of work with initiatives under it."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="tracks", verbose_name=_("plan"))
    number = models.CharField(_("number"), max_length=10)
    name = models.CharField(_("name"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["plan", "position", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="track_number_unique_in_plan")]

    def __str__(self):
        return f"{self.number}. {self.name}"


class InitiativeTarget(models.TextChoices):
    """The steering figure an initiative moves (shown beside its effects)."""

    COST = "cost", _("Cost (kr.)")
    SELF_SUFFICIENCY = "self_sufficiency", _("Self-sufficiency rate")
    ELDERLY_MOVES = "elderly_moves", _("Moves to elderly care")
    EXTERNAL_PLACEMENTS = "external_placements", _("External placements")
    WHO5 = "who5", _("Quality of life (WHO-5)")
    OTHER = "other", _("Other")


class Initiative(models.Model):
    """An initiative of a plan, under a track: what is done, who answers for it, what it moves."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="initiatives", verbose_name=_("plan"))
    track = models.ForeignKey(Track, models.CASCADE, null=True, blank=True, related_name="initiatives",
                              verbose_name=_("track"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("responsible person"))
    responsible_centre = models.ForeignKey("core.Centre", models.SET_NULL, null=True, blank=True,
                                           related_name="+", verbose_name=_("responsible centre"))
    target = models.CharField(_("moves"), max_length=20, choices=InitiativeTarget.choices,
                              default=InitiativeTarget.COST)
    target_value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2, null=True, blank=True,
                                       help_text=_("E.g. 51 (%) for the self-sufficiency rate, 4 moves."))
    target_note = models.CharField(_("target"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["plan", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "title"], name="initiative_title_unique_in_plan")]

    def __str__(self):
        return self.title


class PlanRow(models.Model):
    """One line of the plan's table: the investments and effects of an initiative, of a track as a
    whole, or of the plan as a whole (exactly one of the three owns it)."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="rows", verbose_name=_("plan"))
    track = models.ForeignKey(Track, models.CASCADE, null=True, blank=True, related_name="rows",
                              verbose_name=_("track"))
    initiative = models.OneToOneField(Initiative, models.CASCADE, null=True, blank=True, related_name="row",
                                      verbose_name=_("initiative"))
    label = models.CharField(_("text"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("plan row")
        verbose_name_plural = _("plan rows")
        ordering = ["plan", "position", "pk"]
        constraints = [
            # An initiative's row names its track too; a plan-level row names neither.
            models.CheckConstraint(name="planrow_initiative_has_track",
                                   condition=Q(initiative__isnull=True) | Q(track__isnull=False)),
        ]

    def __str__(self):
        return self.label

    @property
    def level(self) -> str:
        return "initiative" if self.initiative_id else "track" if self.track_id else "plan"


class EstimateKind(models.TextChoices):
    INVESTMENT = "investment", _("Investment")
    EFFECT = "effect", _("Expected effect")


class Estimate(models.Model):
    """An amount a person estimated for one row, kind and year: an investment (positive) or an
    expected economic effect (savings negative). Never changed: a revision is a new row."""

    row = models.ForeignKey(PlanRow, models.CASCADE, related_name="estimates", verbose_name=_("plan row"))
    kind = models.CharField(_("kind"), max_length=10, choices=EstimateKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (kr.)"), max_digits=16, decimal_places=2)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    note = models.CharField(_("reason for the estimate"), max_length=500, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("entered by"))
    entered_at = models.DateTimeField(_("entered"), auto_now_add=True)

    class Meta:
        verbose_name = _("estimate")
        verbose_name_plural = _("estimates")
        ordering = ["row", "kind", "year", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["row", "kind", "year", "revision"], name="estimate_one_per_revision"),
            models.CheckConstraint(name="estimate_investment_not_negative",
                                   condition=~Q(kind="investment") | Q(amount__gte=0)),
        ]

    def __str__(self):
        return f"{self.row} {self.get_kind_display()} {self.year}: {self.amount} kr. (rev. {self.revision})"


def _report_storage():
    from roret.core.jobs import job_storage

    return job_storage()


class StatusReportFile(models.Model):
    """A half-yearly status report as it was made: the PDF, the Word document and the HTML the
    browser shows, for the committee (suppressed) or for the department's own use."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="status_reports", verbose_name=_("plan"))
    half = models.CharField(_("half-year"), max_length=7)
    suppressed = models.BooleanField(_("small cells hidden (for the committee)"))
    html = models.TextField(_("content (HTML)"))
    pdf = models.FileField(_("PDF"), storage=_report_storage, upload_to="status/%Y/")
    docx = models.FileField(_("Word document"), storage=_report_storage, upload_to="status/%Y/")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("made by"))
    made = models.DateTimeField(_("made"), auto_now_add=True)
    seconds = models.FloatField(_("time to make (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        ordering = ["-made", "-pk"]

    def __str__(self):
        return f"{self.plan} {self.half}"

    @property
    def filename(self) -> str:
        return f"statusrapport-{self.half}"
# ---- realised effects and traffic lights (docs/plans.md, "Realised effects", "Traffic lights") ----


class EffectKind(models.TextChoices):
    """The kinds of case event that realise an initiative's effect, read from the case record."""

    RENEGOTIATION = "renegotiation", _("Renegotiated tariff")
    ALTERNATIVE = "alternative", _("Alternative solution")
    STEP_DOWN = "step_down", _("Less intrusive step of the staircase")
    ELDERLY_CARE = "elderly_care", _("Move to elderly care")
    BROUGHT_HOME = "brought_home", _("External placement brought home")


class EffectRule(models.Model):
    """Which kind of case event realises an initiative, optionally narrowed to a legal basis, an
    offer type or a centre (of the placement the event saves on, or the one it moves to)."""

    initiative = models.ForeignKey(Initiative, models.CASCADE, related_name="effect_rules",
                                   verbose_name=_("initiative"))
    kind = models.CharField(_("kind of event"), max_length=20, choices=EffectKind.choices)
    paragraph = models.CharField(_("legal basis"), max_length=10, blank=True,
                                 help_text=_("Only events about placements under this paragraph."))
    offer_type = models.ForeignKey("core.Term", models.PROTECT, null=True, blank=True, related_name="+",
                                   limit_choices_to={"group": "offer_type"}, verbose_name=_("offer type (FFB)"))
    centre = models.ForeignKey("core.Centre", models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("centre"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("effect rule")
        verbose_name_plural = _("effect rules")
        # No unique constraint: its nullable narrowings would need NULLS NOT DISTINCT, which SQLite
        # lacks; add_rule refuses a duplicate, and a duplicate rule would change no figure anyway.
        ordering = ["initiative", "kind", "pk"]

    def __str__(self):
        return f"{self.initiative}: {self.get_kind_display()}"


class LinkedAction(models.TextChoices):
    """The case action a caseworker links to an initiative as they make it."""

    RENEGOTIATION = "renegotiation", _("Tariff renegotiation")
    NEW_PLACEMENT = "new_placement", _("New placement")
    ENDED_PLACEMENT = "ended_placement", _("Ended placement")


class EffectLink(models.Model):
    """A caseworker's link of one case action to an initiative: the event it belongs to counts for
    this initiative only (docs/plans.md)."""

    initiative = models.ForeignKey(Initiative, models.CASCADE, related_name="effect_links",
                                   verbose_name=_("initiative"))
    action = models.CharField(_("action"), max_length=20, choices=LinkedAction.choices)
    placement = models.ForeignKey("placements.Placement", models.CASCADE, null=True, blank=True, related_name="+",
                                  verbose_name=_("placement"))
    renegotiation = models.ForeignKey("outcomes.TariffRenegotiation", models.CASCADE, null=True, blank=True,
                                      related_name="+", verbose_name=_("tariff renegotiation"))
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("linked by"))
    linked_at = models.DateTimeField(_("linked"), auto_now_add=True)

    class Meta:
        verbose_name = _("link to an initiative")
        verbose_name_plural = _("links to initiatives")
        ordering = ["-linked_at"]
        constraints = [
            models.CheckConstraint(
                name="effectlink_names_its_action",
                condition=(Q(action="renegotiation", renegotiation__isnull=False, placement__isnull=True)
                           | (~Q(action="renegotiation") & Q(renegotiation__isnull=True, placement__isnull=False)))),
            models.UniqueConstraint(fields=["action", "placement"], name="effectlink_one_per_placement_action",
                                    condition=Q(placement__isnull=False)),
            models.UniqueConstraint(fields=["renegotiation"], name="effectlink_one_per_renegotiation",
                                    condition=Q(renegotiation__isnull=False)),
        ]

    def __str__(self):
        return f"{self.get_action_display()} -> {self.initiative}"


class InvestmentSpent(models.Model):
    """An amount actually spent on an initiative's investment, entered with who and when."""

    initiative = models.ForeignKey(Initiative, models.CASCADE, related_name="investments_spent",
                                   verbose_name=_("initiative"))
    spent_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (kr.)"), max_digits=16, decimal_places=2)
    note = models.CharField(_("what was spent on"), max_length=300)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("entered by"))
    entered_at = models.DateTimeField(_("entered"), auto_now_add=True)

    class Meta:
        verbose_name = _("investment spent")
        verbose_name_plural = _("investments spent")
        ordering = ["initiative", "spent_on", "pk"]
        constraints = [models.CheckConstraint(name="investmentspent_positive", condition=Q(amount__gt=0))]

    def __str__(self):
        return f"{self.initiative}: {self.amount} kr. {self.spent_on:%d.%m.%Y}"


class ManualEffect(models.Model):
    """A realised effect entered by hand where no case event fits, with who entered it and why
    (savings negative)."""

    initiative = models.ForeignKey(Initiative, models.CASCADE, related_name="manual_effects",
                                   verbose_name=_("initiative"))
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (kr.)"), max_digits=16, decimal_places=2,
                                 help_text=_("Savings are negative."))
    reason = models.CharField(_("why no case event fits"), max_length=500)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("entered by"))
    entered_at = models.DateTimeField(_("entered"), auto_now_add=True)

    class Meta:
        verbose_name = _("manual effect")
        verbose_name_plural = _("manual effects")
        ordering = ["initiative", "year", "pk"]
        constraints = [
            models.CheckConstraint(name="manualeffect_has_reason", condition=~Q(reason="")),
            models.CheckConstraint(name="manualeffect_not_zero", condition=~Q(amount=0)),
        ]

    def __str__(self):
        return f"{self.initiative} {self.year}: {self.amount} kr. (manuel)"


class LightColour(models.TextChoices):
    GREEN = "green", _("Green: the effect is achieved")
    YELLOW = "yellow", _("Yellow: the effect is expected to be achieved this year")
    RED = "red", _("Red: the effect is not expected to be achieved this year")


HALF_PATTERN = r"^\d{4}H[12]$"


class Light(models.Model):
    """An initiative's traffic light for a half-year as set by a person (or proposed by roret),
    never changed: a new setting is a new row, the latest is the current one."""

    initiative = models.ForeignKey(Initiative, models.CASCADE, related_name="lights", verbose_name=_("initiative"))
    half = models.CharField(_("half-year"), max_length=6, help_text=_("E.g. 2026H1."))
    colour = models.CharField(_("colour"), max_length=6, choices=LightColour.choices)
    proposed = models.CharField(_("roret's proposal"), max_length=6, choices=LightColour.choices)
    remark = text_field(_("remark"), NOTE, blank=True)
    #: The figures the proposal was made from (kroner as text): expected, realised, committed.
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("set by"))
    set_at = models.DateTimeField(_("set"), default=timezone.now)

    class Meta:
        verbose_name = _("traffic light")
        verbose_name_plural = _("traffic lights")
        ordering = ["initiative", "half", "set_at", "pk"]
        indexes = [models.Index(fields=["initiative", "half", "set_at"], name="light_current")]
        constraints = [
            # Not a regex: SQLite would need Django's REGEXP function in the CHECK, which a plain sqlite3
            # connection (a backup's integrity check) lacks. The services check HALF_PATTERN itself.
            models.CheckConstraint(name="light_half_format",
                                   condition=Q(half__gte="2000H1", half__lte="2100H2")
                                   & (Q(half__endswith="H1") | Q(half__endswith="H2"))),
            models.CheckConstraint(name="light_override_has_remark",
                                   condition=Q(colour=F("proposed")) | ~Q(remark="")),
        ]

    def __str__(self):
        return f"{self.initiative} {self.half}: {self.get_colour_display()}"

    @property
    def is_override(self) -> bool:
        return self.colour != self.proposed
