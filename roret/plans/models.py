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
from django.utils.translation import gettext_lazy as _


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
