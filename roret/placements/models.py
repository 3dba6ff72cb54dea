"""Grants (what a citizen is entitled to) and placements (a citizen in a specific offer for a
period, at a tariff). A grant not yet placed is on the waiting list."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, ExpressionWrapper, F, IntegerField, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from roret.citizens.models import Citizen
from roret.core.models import Team, Term
from roret.core.periods import holds, in_force_on, overlapping
from roret.offers.models import LegalBasis, Offer, TariffUnit


class GrantQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        return self.filter(in_force_on(day))

    def waiting_on(self, day: datetime.date):
        """Granted, in force, and not placed on ``day``: the waiting list."""
        placed = Placement.objects.filter(grant_id=OuterRef("pk")).active_on(day)
        return self.active_on(day).filter(~Exists(placed))

    def of_citizens(self, citizens, *, many: bool = False):
        """Grants of ``citizens`` (a queryset of citizen ids, such as a caseload).

        ``many``: the citizens are so many (LARGE_CASELOAD) that reading the grants in force from
        their index (``grant_in_force``) and looking each citizen up in the list, read once, is
        cheaper than two index ranges per citizen (``grant_citizen_in_force``): 0.09 s against
        0.15 s for a team of 53,669 of 104,392 citizens, 0.04 s against 0.02 s for one of 7,659.
        The citizen is then compared as ``citizen_id + 0``, which no index serves, so SQLite
        plans the first way; the rows are the same."""
        if not many:
            return self.filter(citizen__in=citizens)
        key = ExpressionWrapper(F("citizen_id") + 0, output_field=IntegerField())
        return self.alias(citizen_key=key).filter(citizen_key__in=citizens)


#: Citizens from which a caseload's waiting list reads the grants in force rather than each
#: citizen's grants (GrantQuerySet.of_citizens): between the demo's teams of 7,659 and 40,604.
LARGE_CASELOAD = 15_000


class Grant(models.Model):
    """What a decision grants: an offer type under a paragraph, scope, start and review date."""

    citizen = models.ForeignKey(Citizen, models.PROTECT, related_name="grants", verbose_name=_("citizen"))
    paragraph = models.CharField(_("legal basis"), max_length=10, choices=LegalBasis.choices)
    offer_type = models.ForeignKey(
        Term, models.PROTECT, related_name="+", verbose_name=_("offer type (FFB)"),
        limit_choices_to={"group": "offer_type"},
    )
    scope = models.CharField(_("scope"), max_length=300, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=6, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    preferred_offer = models.ForeignKey(
        Offer, models.SET_NULL, null=True, blank=True, related_name="waiting_grants",
        verbose_name=_("wished offer"),
    )
    team = models.ForeignKey(Team, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("team"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-start"]
        # The waiting list of a caseload (grants in force without a placement in force): the
        # in-force test read from the index, not from each of the caseload's grants (issue 9).
        indexes = [models.Index(fields=["citizen", "end", "start"], name="grant_citizen_in_force"),
                   # Every grant in force, read as two ranges of the index (end IS NULL, end > day)
                   # instead of the whole table: the waiting list by legal basis (capacity) and of a
                   # large caseload (the overview: a team's 50,000 citizens are more index lookups
                   # than the grants in force; GrantQuerySet.waiting_of).
                   models.Index(fields=["end", "start", "paragraph", "citizen"], name="grant_in_force")]
        constraints = [
            models.CheckConstraint(
                name="grant_end_after_start",
                condition=Q(end__isnull=True) | Q(end__gt=F("start")),
                violation_error_message=_("A grant must end after it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.get_paragraph_display()} {self.offer_type} fra {self.start:%d.%m.%Y}"


class EndReason(models.TextChoices):
    GOAL_ACHIEVED = "goal_achieved", _("Goals achieved, less support needed")
    MOVED_OFFER = "moved_offer", _("Moved to another offer")
    ELDERLY_CARE = "elderly_care", _("Moved to elderly care")
    MOVED_MUNICIPALITY = "moved_municipality", _("Moved to another municipality")
    CITIZEN_WISH = "citizen_wish", _("At the citizen's own wish")
    HOSPITAL = "hospital", _("Admitted long-term to hospital or psychiatry")
    DIED = "died", _("Died")
    OTHER = "other", _("Other")


class ExternalReason(models.TextChoices):
    """Why a citizen is placed in an external (bought) offer rather than an own one.

    The capacity plan counts only the reasons in :data:`DISPLACEABLE` as demand that an own
    place could have served (docs/capacity.md).
    """

    NO_VACANCY = "no_vacancy", _("No own vacancy at the time")
    SPECIALISED = "specialised", _("Needs a specialised offer we do not run")
    FREE_CHOICE = "free_choice", _("The citizen's free choice of offer")
    NETWORK = "network", _("Close to the citizen's network")
    UNKNOWN = "unknown", _("Not recorded")


# An own place would have served these citizens: the external placement was for lack of room,
# or (conservatively) nobody recorded why. Specialised need, free choice and network are not
# demand on our own places, however many we ran.
DISPLACEABLE = (ExternalReason.NO_VACANCY, ExternalReason.UNKNOWN)


class PlacementQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        return self.filter(in_force_on(day))

    def overlapping(self, start: datetime.date, end: datetime.date | None):
        return self.filter(overlapping(start, end))

    def counting_as_own_demand(self):
        """Placements an own place could have served: in an own offer, or external for lack of
        room (or for a reason nobody recorded; ``DISPLACEABLE``). The capacity plan's one rule."""
        return self.filter(Q(is_external=False) | Q(external_reason__in=DISPLACEABLE))


class Placement(models.Model):
    """A citizen occupying a place in a specific offer for the period [start, end)."""

    grant = models.ForeignKey(Grant, models.PROTECT, related_name="placements", verbose_name=_("grant"))
    citizen = models.ForeignKey(Citizen, models.PROTECT, related_name="placements", verbose_name=_("citizen"))
    offer = models.ForeignKey(Offer, models.PROTECT, related_name="placements", verbose_name=_("offer"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    is_residential = models.BooleanField(_("residential"), editable=False)
    # Copied from the offer's provider when the placement starts (like is_residential), so the
    # database can hold the rule that external placements, and only they, carry a reason.
    is_external = models.BooleanField(_("external offer"), editable=False, default=False)
    external_reason = models.CharField(_("reason for an external placement"), max_length=20,
                                       choices=ExternalReason.choices, blank=True)
    acting_municipality = models.CharField(_("acting municipality"), max_length=4)
    paying_municipality = models.CharField(_("paying municipality"), max_length=4)
    end_reason = models.CharField(_("end reason"), max_length=20, choices=EndReason.choices, blank=True)
    over_occupancy = models.BooleanField(_("over-occupancy"), default=False)
    over_occupancy_reason = models.CharField(_("reason for over-occupancy"), max_length=300, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-start"]
        indexes = [
            # The end before the start: "in force on a day" (end IS NULL OR end > day) then reads
            # only the placements still running, not every placement the offer has ever had; the
            # paying municipality and the citizen make the sold-places count and the centre scope
            # (citizens placed in a centre's offers) covered (docs/benchmarks.md, issue 9).
            models.Index(fields=["offer", "end", "start", "paying_municipality", "citizen"],
                         name="placement_offer_in_force"),
            # A citizen's placements, and "has the citizen a placement in force?" answered from the
            # index without reading the rows (the transitions list counts a team's ~5,000 citizens
            # of 65 or more with one: 37 -> 9 ms at 100,000 citizens).
            models.Index(fields=["citizen", "start", "end"], name="placement_citizen_in_force"),
            # "Has the grant a placement in force?" (the waiting list), answered from the index.
            models.Index(fields=["grant", "end", "start"], name="placement_grant_in_force"),
            # Own citizens in bought places by reason (the committee's capacity overview): now and
            # started in the last years, both read from the index (0.1 s each from the table).
            models.Index(fields=["offer", "paying_municipality", "start", "end", "external_reason"],
                         name="placement_offer_paying_start"),
            # Every placement in force in a month, whatever the offer (the DST page's 81,000 rows at
            # 100,000 citizens): read from the index with what the page asks of each, not the rows
            # (0.55 -> 0.26 s for the query on a loaded machine; docs/benchmarks.md, issue 9).
            models.Index(fields=["end", "start", "acting_municipality", "citizen", "grant", "offer",
                                 "paying_municipality"], name="placement_month_report"),
        ]
        constraints = [
            models.CheckConstraint(
                name="placement_end_after_start",
                condition=Q(end__isnull=True) | Q(end__gt=F("start")),
                violation_error_message=_("A placement must end after it starts."),
            ),
            models.CheckConstraint(
                name="placement_over_occupancy_has_reason",
                condition=Q(over_occupancy=False) | ~Q(over_occupancy_reason=""),
                violation_error_message=_("An over-occupancy needs a reason."),
            ),
            models.CheckConstraint(
                name="placement_end_reason_only_when_ended",
                condition=Q(end__isnull=False) | Q(end_reason=""),
                violation_error_message=_("Only an ended placement has an end reason."),
            ),
            models.CheckConstraint(
                name="placement_external_reason_iff_external",
                condition=(Q(is_external=True, external_reason__in=ExternalReason.values)
                           | Q(is_external=False, external_reason="")),
                violation_error_message=_("An external placement needs a reason, and a placement in an own "
                                          "offer has none."),
            ),
        ]

    def __str__(self):
        end = f"{self.end:%d.%m.%Y}" if self.end else "…"
        return f"{self.offer} {self.start:%d.%m.%Y}–{end}"

    @property
    def is_sold(self) -> bool:
        """An own place used by a citizen another municipality pays for."""
        return self.paying_municipality != settings.RORET["MUNICIPALITY_CODE"]

    def is_active_on(self, day: datetime.date) -> bool:
        return holds(day, self.start, self.end)


class PlacementTariffQuerySet(models.QuerySet):
    def in_force(self):
        """Rows not corrected by a later row: the one agreed tariff of a placement from each date."""
        return self.filter(corrected_by__isnull=True)


class PlacementTariffInForceManager(models.Manager.from_queryset(PlacementTariffQuerySet)):
    def get_queryset(self):
        return super().get_queryset().in_force()


class PlacementTariff(models.Model):
    """The agreed tariff of one placement from a date, when it differs from the offer's standard
    tariff (purchased places are often priced per citizen; renegotiations add rows).

    Rows are never overwritten: a wrong row is corrected by a new row for the same date that points
    to it (``corrects``, roret/journal/corrections.py). ``PlacementTariff.objects`` (and
    ``placement.tariffs``) are the rows in force; ``PlacementTariff.history`` is every row."""

    placement = models.ForeignKey(Placement, models.CASCADE, related_name="tariffs", verbose_name=_("placement"))
    valid_from = models.DateField(_("from"))
    amount = models.DecimalField(
        _("amount (kr.)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    unit = models.CharField(_("unit"), max_length=10, choices=TariffUnit.choices)
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=6, decimal_places=2, null=True, blank=True,
        help_text=_("For hourly tariffs: the weekly scope that is paid for."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    corrects = models.OneToOneField("self", models.PROTECT, null=True, blank=True, related_name="corrected_by",
                                    verbose_name=_("corrects"))

    objects = PlacementTariffInForceManager()
    history = PlacementTariffQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreed tariff")
        verbose_name_plural = _("agreed tariffs")
        ordering = ["placement", "valid_from", "pk"]
        default_manager_name = "objects"
        constraints = [
            # One original row per placement and date; its corrections chain from it one by one.
            models.UniqueConstraint(fields=["placement", "valid_from"], condition=Q(corrects__isnull=True),
                                    name="placement_tariff_one_per_date"),
            models.CheckConstraint(name="placement_tariff_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self):
        return f"{self.amount} kr. {self.get_unit_display()} fra {self.valid_from:%d.%m.%Y}"
