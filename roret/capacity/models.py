"""Capacity scenarios (edited by the economist) and plan runs (the stored result of a 5-year plan)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from roret.capacity.groups import CHOICES as GROUP_CHOICES
from roret.capacity.groups import get_group
from roret.core.jobs import Job
from roret.core.text_limits import NOTE, text_field

HORIZON = 60  # months: the 5-year plan


class Scenario(models.Model):
    """A named set of changes to a group's plan, compared side by side with the baseline."""

    name = models.CharField(_("name"), max_length=100)
    group = models.CharField(_("capacity group"), max_length=20, choices=GROUP_CHOICES)
    description = text_field(_("description"), NOTE, blank=True)
    reserved_places = models.PositiveSmallIntegerField(
        _("strategic vacancy (places)"), default=0,
        help_text=_("Own places held back for urgent arrivals."),
    )
    reserved_from = models.PositiveSmallIntegerField(
        _("strategic vacancy from month"), default=0, validators=[MaxValueValidator(HORIZON - 1)],
    )
    demand_factor = models.DecimalField(
        _("demand factor"), max_digits=4, decimal_places=2, default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("5"))],
        help_text=_("1.10 means 10 % more citizens granted a place than the trend."),
    )
    demand_from = models.PositiveSmallIntegerField(
        _("demand factor from month"), default=0, validators=[MaxValueValidator(HORIZON - 1)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("capacity scenario")
        verbose_name_plural = _("capacity scenarios")
        ordering = ["group", "name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "name"], name="capacity_scenario_name_unique_in_group"),
            models.CheckConstraint(name="capacity_scenario_demand_factor_range",
                                   condition=Q(demand_factor__gte=0, demand_factor__lte=5)),
            models.CheckConstraint(name="capacity_scenario_months_in_plan",
                                   condition=Q(reserved_from__lt=HORIZON, demand_from__lt=HORIZON)),
        ]

    def __str__(self):
        return self.name

    @property
    def group_obj(self):
        return get_group(self.group)


class EventKind(models.TextChoices):
    PLACE_CHANGE = "place_change", _("Change in own places (new build, closure)")
    ELDERLY_CARE = "elderly_care", _("Residents moving to elderly care (the oldest first)")
    CONVERSION = "conversion", _("Bought places converted to own places")


class ScenarioEvent(models.Model):
    """One row of a scenario: from ``month`` on, ``places`` places change (see EventKind)."""

    scenario = models.ForeignKey(Scenario, models.CASCADE, related_name="events", verbose_name=_("scenario"))
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    month = models.PositiveSmallIntegerField(
        _("from month"), validators=[MaxValueValidator(HORIZON - 1)],
        help_text=_("0 is the plan's first month."),
    )
    places = models.SmallIntegerField(
        _("places"), help_text=_("Negative for a closure; a number of residents or places otherwise."),
    )
    label = models.CharField(_("label"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("scenario event")
        verbose_name_plural = _("scenario events")
        ordering = ["scenario", "month", "pk"]
        constraints = [
            models.CheckConstraint(name="capacity_event_places_not_zero", condition=~Q(places=0)),
            models.CheckConstraint(name="capacity_event_month_in_plan", condition=Q(month__lt=HORIZON)),
            models.CheckConstraint(
                name="capacity_event_only_place_changes_negative",
                condition=Q(kind="place_change") | Q(places__gt=0),
                violation_error_message=_("Only a change in own places can be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.places:+d} fra måned {self.month}"


class PlanRun(models.Model):
    """One run of the 5-year plan for a group: baseline and scenarios, inputs and results stored.

    Scenarios are stored as they were when the run started (``scenarios``), so a later edit
    does not change a result already shown to the committee.
    """

    group = models.CharField(_("capacity group"), max_length=20, choices=GROUP_CHOICES)
    day = models.DateField(_("plan start"))
    seed = models.PositiveIntegerField(_("random seed"))
    replications = models.PositiveIntegerField(_("replications"), default=1000)
    scenario_ids = models.JSONField(_("scenarios (ids)"), default=list, blank=True)
    scenarios = models.JSONField(_("scenarios as run"), default=list, blank=True)
    inputs = models.JSONField(_("inputs"), null=True, blank=True)
    results = models.JSONField(_("results"), null=True, blank=True)
    job = models.OneToOneField(Job, models.SET_NULL, null=True, blank=True, related_name="plan_run",
                               verbose_name=_("job"))
    horizon_months = models.PositiveSmallIntegerField(_("horizon (months)"), default=HORIZON)
    # None for a run started from the command line without a user (the audit row says "cli").
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("started by"),
    )
    channel = models.CharField(_("started from"), max_length=10, default="web")
    created = models.DateTimeField(_("created"), auto_now_add=True)
    seconds = models.FloatField(_("run time (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("capacity plan run")
        verbose_name_plural = _("capacity plan runs")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.get_group_display()} {self.day:%d.%m.%Y} #{self.pk}"

    @property
    def group_obj(self):
        return get_group(self.group)

    @property
    def is_ready(self) -> bool:
        return self.results is not None
