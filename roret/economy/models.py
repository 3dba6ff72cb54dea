"""Economy: the materialised cost segments the KPIs sum, and the municipality's economic settings
kept as dated data (reimbursement levels, self-sufficiency targets, budgets).

A :class:`CostSegment` is one linear piece of one placement's cumulative cost: on the days
[start_day, end_day) the exact cumulative cost grows by ``rate`` a day from ``cum0`` (both in
units of 1/``roret.economy.engine.Q`` øre). The engine writes them; the KPI layer sums them in
SQL. See docs/economy.md.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from roret.offers.models import AccountFunction, LegalBasis


class CostSegment(models.Model):
    """One linear piece of a placement's cumulative cost, with the placement's dimension keys."""

    placement = models.ForeignKey("placements.Placement", models.CASCADE, related_name="cost_segments",
                                  verbose_name=_("placement"))
    citizen = models.ForeignKey("citizens.Citizen", models.CASCADE, related_name="+", verbose_name=_("citizen"))
    offer = models.ForeignKey("offers.Offer", models.CASCADE, related_name="+", verbose_name=_("offer"))
    provider = models.ForeignKey("offers.Provider", models.CASCADE, related_name="+", verbose_name=_("provider"))
    centre = models.ForeignKey("core.Centre", models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("centre"))
    offer_type = models.ForeignKey("core.Term", models.PROTECT, related_name="+", verbose_name=_("offer type (FFB)"))
    target_group = models.ForeignKey("core.Term", models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("target group (FFB)"))
    own = models.BooleanField(_("own offer"))
    sold = models.BooleanField(_("sold place"))
    residential = models.BooleanField(_("residential"))
    paragraph = models.CharField(_("legal basis"), max_length=10, choices=LegalBasis.choices)
    account_function = models.CharField(_("account function"), max_length=7, choices=AccountFunction.choices)
    # Days as proleptic ordinals (date.toordinal()), so periods clip with integer MIN/MAX on any database.
    start_day = models.IntegerField(_("from (day number)"))
    end_day = models.IntegerField(_("until (day number)"))
    placement_start = models.IntegerField(_("placement start (day number)"))
    placement_end = models.IntegerField(_("placement end (day number)"), null=True, blank=True)
    cum0 = models.BigIntegerField(_("cumulative cost at start (1/Q øre)"))
    rate = models.BigIntegerField(_("cost a day (1/Q øre)"))

    class Meta:
        verbose_name = _("cost segment")
        verbose_name_plural = _("cost segments")
        indexes = [
            # Covers a period's distinct own citizens (COUNT(DISTINCT citizen_id) without reading rows).
            models.Index(fields=["end_day", "start_day", "sold", "citizen"], name="costsegment_period_citizens"),
            models.Index(fields=["placement", "start_day"], name="costsegment_placement"),
        ]
        constraints = [
            models.CheckConstraint(name="costsegment_days_ordered", condition=Q(end_day__gt=F("start_day"))),
            models.CheckConstraint(name="costsegment_not_negative", condition=Q(cum0__gte=0) & Q(rate__gte=0)),
            models.UniqueConstraint(fields=["placement", "start_day"], name="costsegment_one_per_start"),
        ]

    def __str__(self):
        return f"{self.placement_id}: {self.start_day}–{self.end_day}"


class PendingRecost(models.Model):
    """A placement whose cost segments must be rebuilt: written in the same transaction as the
    change that made them stale, and removed by the re-costing that runs after the commit. Rows
    left behind (a process that died in between) are picked up by the next re-costing or by
    ``roret economy_refresh``."""

    placement_id = models.BigIntegerField(_("placement"), db_index=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("placement waiting to be re-costed")
        verbose_name_plural = _("placements waiting to be re-costed")

    def __str__(self):
        return str(self.placement_id)


class MonthFigure(models.Model):
    """The additive figures of one calendar month for one breakdown key: the rollup.

    Summed from the cost segments (``roret.economy.rollup``): cost in whole øre by the engine's
    cumulative rounding (so months add up to any month-aligned period to the øre), place-days,
    placements that start in the month, placements whose last day is in the month, and
    placements running at the month's first day (started before it, not yet ended). The key is
    the finest grain of the period tables (an offer fixes provider, centre, own/external, offer
    type and account function) plus sold/own citizen. Kept current by the re-costing service for
    exactly the months a change touches; ``roret economy_refresh`` rebuilds it, ``roret
    economy_refresh --check`` compares it with the cost segments."""

    month = models.IntegerField(_("month (year * 12 + month - 1)"))
    offer = models.ForeignKey("offers.Offer", models.CASCADE, related_name="+", verbose_name=_("offer"))
    paragraph = models.CharField(_("legal basis"), max_length=10, choices=LegalBasis.choices)
    target_group = models.ForeignKey("core.Term", models.SET_NULL, null=True, blank=True, related_name="+",
                                     db_index=False, verbose_name=_("target group (FFB)"))
    provider = models.ForeignKey("offers.Provider", models.CASCADE, related_name="+", db_index=False,
                                 verbose_name=_("provider"))
    centre = models.ForeignKey("core.Centre", models.SET_NULL, null=True, blank=True, related_name="+",
                               db_index=False, verbose_name=_("centre"))
    offer_type = models.ForeignKey("core.Term", models.PROTECT, related_name="+", db_index=False,
                                   verbose_name=_("offer type (FFB)"))
    account_function = models.CharField(_("account function"), max_length=7, choices=AccountFunction.choices)
    own = models.BooleanField(_("own offer"))
    sold = models.BooleanField(_("sold place"))
    ore = models.BigIntegerField(_("cost (øre)"))
    days = models.BigIntegerField(_("place-days"))
    new = models.IntegerField(_("placements started"))
    ended = models.IntegerField(_("placements ended"))
    running = models.IntegerField(_("placements running at the month's start"))

    class Meta:
        verbose_name = _("month figure")
        verbose_name_plural = _("month figures (rollup)")
        indexes = [models.Index(fields=["month", "offer"], name="monthfigure_month_offer")]

    def __str__(self):
        return f"{self.month // 12}-{self.month % 12 + 1:02d} {self.offer_id} {self.paragraph}"


class MonthVersion(models.Model):
    """When a month's cost segments last changed: a counter that grows with every change, so a
    stored figure of a period is current while no month of the period has a newer version."""

    month = models.IntegerField(_("month (year * 12 + month - 1)"), primary_key=True)
    version = models.BigIntegerField(_("version"))

    class Meta:
        verbose_name = _("month version")
        verbose_name_plural = _("month versions")

    def __str__(self):
        return f"{self.month // 12}-{self.month % 12 + 1:02d}: {self.version}"


class StoredFigure(models.Model):
    """A figure of a period that is not additive over months (distinct citizens, citizen costs,
    length-of-stay counts), stored with the version of the period's months it was computed at
    and used while none of them has changed (``roret.economy.rollup.FigureStore``)."""

    scope = models.CharField(_("period and filter (hash)"), max_length=64)
    question = models.CharField(_("question"), max_length=200)
    version = models.BigIntegerField(_("version of the period's months"))
    value = models.BinaryField(_("value"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored figure")
        verbose_name_plural = _("stored figures")
        constraints = [models.UniqueConstraint(fields=["scope", "question"], name="storedfigure_one_per_question")]

    def __str__(self):
        return f"{self.scope[:8]} {self.question}"


class EconomyState(models.Model):
    """When the cost segments were last rebuilt and how far ahead open placements reach."""

    refreshed_at = models.DateTimeField(_("refreshed at"))
    horizon = models.DateField(_("segments reach until"))
    segments = models.PositiveIntegerField(_("segments"), default=0)
    missing_hours = models.PositiveIntegerField(_("hourly placements without weekly hours"), default=0)
    missing_tariff = models.PositiveIntegerField(_("placements with days before any tariff"), default=0)

    class Meta:
        verbose_name = _("economy state")
        verbose_name_plural = _("economy state")

    def __str__(self):
        return f"{self.refreshed_at:%Y-%m-%d %H:%M} → {self.horizon}"


class ReimbursementLevel(models.Model):
    """One step of the state reimbursement for expensive single cases (Serviceloven §176):
    from ``year`` on, ``rate`` of a citizen's yearly cost above ``threshold`` is reimbursed.
    A later year's levels are added as rows; a year uses the newest levels of a year ≤ it."""

    year = models.PositiveSmallIntegerField(_("from year"))
    threshold = models.DecimalField(_("threshold (kr.)"), max_digits=12, decimal_places=2,
                                    validators=[MinValueValidator(Decimal("0"))])
    rate = models.DecimalField(_("rate"), max_digits=4, decimal_places=3,
                               validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
                               help_text=_("Share reimbursed of the cost above the threshold, e.g. 0.250."))

    class Meta:
        verbose_name = _("reimbursement level")
        verbose_name_plural = _("reimbursement levels (SEL §176)")
        ordering = ["year", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["year", "threshold"], name="reimbursement_one_rate_per_threshold"),
            models.CheckConstraint(name="reimbursement_rate_share", condition=Q(rate__gte=0) & Q(rate__lte=1)),
        ]

    def __str__(self):
        return f"{self.year}: {self.rate:.0%} > {self.threshold} kr."


class SelfSufficiencyTarget(models.Model):
    """The municipality's target for the self-sufficiency rate in a year (e.g. 43 % → 51 %)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    target = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])

    class Meta:
        verbose_name = _("self-sufficiency target")
        verbose_name_plural = _("self-sufficiency targets")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(name="selfsufficiency_target_percent", condition=Q(target__gte=0) & Q(target__lte=100)),
        ]

    def __str__(self):
        return f"{self.year}: {self.target} %"


class Budget(models.Model):
    """The budget for one chart-of-accounts function and year (entered or imported)."""

    year = models.PositiveSmallIntegerField(_("year"))
    account_function = models.CharField(_("account function"), max_length=7, choices=AccountFunction.choices)
    amount = models.DecimalField(_("budget (kr.)"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["year", "account_function"]
        constraints = [
            models.UniqueConstraint(fields=["year", "account_function"], name="budget_one_per_function_and_year"),
            models.CheckConstraint(name="budget_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self):
        return f"{self.year} {self.account_function}: {self.amount} kr."
