"""The offer catalogue: providers, offers with legal basis and staircase step, places and
tariffs over time (dated rows, never overwritten)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roret.core.models import Centre, Term, Unit
from roret.core.text_limits import NOTE, text_field
from roret.economy import engine


class LegalBasis(models.TextChoices):
    """Legal paragraphs (Serviceloven unless said) that grants and offers stand on."""

    SEL_82A = "SEL82a", _("SEL §82a (early group-based support)")
    SEL_82B = "SEL82b", _("SEL §82b (early individual support)")
    SEL_84 = "SEL84", _("SEL §84 (respite)")
    SEL_85 = "SEL85", _("SEL §85 (socio-pedagogical support)")
    SEL_97 = "SEL97", _("SEL §97 (companion scheme)")
    SEL_99 = "SEL99", _("SEL §99 (contact person)")
    SEL_102 = "SEL102", _("SEL §102 (treatment)")
    SEL_103 = "SEL103", _("SEL §103 (sheltered employment)")
    SEL_104 = "SEL104", _("SEL §104 (activity and social offer)")
    SEL_107 = "SEL107", _("SEL §107 (temporary residential offer)")
    SEL_108 = "SEL108", _("SEL §108 (long-term residential offer)")
    SEL_110 = "SEL110", _("SEL §110 (shelter)")
    ABL_105 = "ABL105", _("ABL §105 with SEL §85 (housing with support)")


RESIDENTIAL_BASES = {LegalBasis.SEL_107, LegalBasis.SEL_108, LegalBasis.SEL_110, LegalBasis.ABL_105}


class StaircaseStep(models.IntegerChoices):
    """The intervention staircase, least to most intrusive."""

    ADVICE = 1, _("1. Advice and early group support")
    EARLY_INDIVIDUAL = 2, _("2. Early individual support")
    HOME_SUPPORT = 3, _("3. Support in own home")
    DAY_OFFER = 4, _("4. Day offer or treatment")
    HOUSING_WITH_SUPPORT = 5, _("5. Housing with support")
    TEMPORARY_RESIDENTIAL = 6, _("6. Temporary residential offer")
    LONG_TERM_RESIDENTIAL = 7, _("7. Long-term residential offer")


DEFAULT_STEP = {
    LegalBasis.SEL_82A: StaircaseStep.ADVICE,
    LegalBasis.SEL_82B: StaircaseStep.EARLY_INDIVIDUAL,
    LegalBasis.SEL_84: StaircaseStep.HOME_SUPPORT,
    LegalBasis.SEL_85: StaircaseStep.HOME_SUPPORT,
    LegalBasis.SEL_97: StaircaseStep.HOME_SUPPORT,
    LegalBasis.SEL_99: StaircaseStep.HOME_SUPPORT,
    LegalBasis.SEL_102: StaircaseStep.DAY_OFFER,
    LegalBasis.SEL_103: StaircaseStep.DAY_OFFER,
    LegalBasis.SEL_104: StaircaseStep.DAY_OFFER,
    LegalBasis.ABL_105: StaircaseStep.HOUSING_WITH_SUPPORT,
    LegalBasis.SEL_107: StaircaseStep.TEMPORARY_RESIDENTIAL,
    LegalBasis.SEL_110: StaircaseStep.TEMPORARY_RESIDENTIAL,
    LegalBasis.SEL_108: StaircaseStep.LONG_TERM_RESIDENTIAL,
}


class AccountFunction(models.TextChoices):
    """The municipal chart of accounts functions (5.38.xx) the department's costs book to."""

    F_5_38_39 = "5.38.39", _("5.38.39 Personal support and care for people with disabilities")
    F_5_38_42 = "5.38.42", _("5.38.42 Residential offers for people with special social problems")
    F_5_38_50 = "5.38.50", _("5.38.50 Long-term residential offers")
    F_5_38_52 = "5.38.52", _("5.38.52 Temporary residential offers")
    F_5_38_53 = "5.38.53", _("5.38.53 Contact person and companion schemes")
    F_5_38_58 = "5.38.58", _("5.38.58 Sheltered employment")
    F_5_38_59 = "5.38.59", _("5.38.59 Activity and social offers")


class ProviderKind(models.TextChoices):
    OWN = "own", _("Own centre")
    MUNICIPALITY = "municipality", _("Other municipality")
    REGION = "region", _("Region")
    PRIVATE = "private", _("Private provider")


class Provider(models.Model):
    """Who runs an offer."""

    kind = models.CharField(_("kind"), max_length=20, choices=ProviderKind.choices)
    name = models.CharField(_("name"), max_length=200, unique=True)
    centre = models.OneToOneField(
        Centre, models.PROTECT, null=True, blank=True, related_name="provider", verbose_name=_("centre")
    )
    municipality_code = models.CharField(
        _("municipality code"), max_length=4, blank=True,
        validators=[RegexValidator(r"^\d{3,4}$", _("A municipality code has 3 or 4 digits."))],
    )
    cvr = models.CharField(
        _("CVR number"), max_length=8, blank=True,
        validators=[RegexValidator(r"^\d{8}$", _("A CVR number has 8 digits."))],
    )

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                name="provider_own_has_centre",
                condition=~Q(kind="own") | Q(centre__isnull=False),
                violation_error_message=_("An own provider is one of the department's centres."),
            ),
            models.CheckConstraint(
                name="provider_municipality_has_code",
                condition=~Q(kind="municipality") | ~Q(municipality_code=""),
                violation_error_message=_("Another municipality must have its municipality code."),
            ),
            models.CheckConstraint(
                name="provider_private_has_cvr",
                condition=~Q(kind="private") | ~Q(cvr=""),
                violation_error_message=_("A private provider must have its CVR number."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_own(self) -> bool:
        return self.kind == ProviderKind.OWN

    def clean(self):
        from django.core.exceptions import ValidationError
        from stdnum.dk import cvr as stdnum_cvr

        if self.cvr and not stdnum_cvr.is_valid(self.cvr):
            raise ValidationError({"cvr": _("The CVR number fails its check digit.")})
        # The centre gives a centre leader the places of the provider's offers: only own centres have one.
        if self.centre_id and self.kind != ProviderKind.OWN:
            raise ValidationError({"centre": _("Only an own provider is one of the department's centres: leave "
                                               "the centre empty.")})


class Offer(models.Model):
    """A service unit with a legal basis, target groups, places and tariffs."""

    provider = models.ForeignKey(Provider, models.PROTECT, related_name="offers", verbose_name=_("provider"))
    unit = models.ForeignKey(
        Unit, models.SET_NULL, null=True, blank=True, related_name="offers", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=10, choices=LegalBasis.choices)
    offer_type = models.ForeignKey(
        Term, models.PROTECT, related_name="+", verbose_name=_("offer type (FFB)"),
        limit_choices_to={"group": "offer_type"},
    )
    target_groups = models.ManyToManyField(
        Term, blank=True, related_name="+", verbose_name=_("target groups (FFB)"),
        limit_choices_to={"group": "target_group"},
    )
    age_min = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    age_max = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    staircase_step = models.PositiveSmallIntegerField(_("staircase step"), choices=StaircaseStep.choices)
    requires_visitation = models.BooleanField(_("requires visitation"), default=True)
    is_residential = models.BooleanField(_("residential"), default=False, editable=False)
    account_function = models.CharField(_("account function"), max_length=7, choices=AccountFunction.choices)
    strategic_vacancy = models.PositiveSmallIntegerField(
        _("strategic vacancy"), default=0,
        help_text=_("Places deliberately held empty for the municipality's own citizens' urgent needs."),
    )
    description = text_field(_("description"), NOTE, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["provider__kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="offer_name_unique_per_provider"),
            models.CheckConstraint(
                name="offer_age_range",
                condition=Q(age_max__isnull=True) | Q(age_max__gte=models.F("age_min")),
                violation_error_message=_("The maximum age must not be below the minimum age."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.is_residential = self.legal_basis in RESIDENTIAL_BASES
        super().save(*args, **kwargs)

    @property
    def is_own(self) -> bool:
        return self.provider.kind == ProviderKind.OWN

    def clean(self):
        """The constraints' rules again, on the field they concern, so a form shows the message by
        that field (a field with an error here is left out of the constraint checks that follow)."""
        from django.core.exceptions import ValidationError

        errors = {}
        if self.unit_id and self.provider_id and self.unit.centre_id != self.provider.centre_id:
            errors["unit"] = _("The unit must belong to the centre of the offer's provider.")
        if self.age_max is not None and self.age_min is not None and self.age_max < self.age_min:
            errors["age_max"] = _("The maximum age must not be below the minimum age.")
        if self.provider_id and self.name and (Offer.objects.filter(provider_id=self.provider_id, name=self.name)
                                               .exclude(pk=self.pk).exists()):
            errors["name"] = _("%(provider)s already has an offer with this name.") % {"provider": self.provider}
        if errors:
            raise ValidationError(errors)

    def places_on(self, day: datetime.date) -> int:
        return sum(row.change for row in self.place_changes.all() if row.valid_from <= day)

    def tariff_on(self, day: datetime.date):
        """The standard Tariff row in force on ``day`` (None before the first), by the economy
        engine's one rule (corrected rows are left out by the manager)."""
        return engine.in_force(self.tariffs.all(), day)


class PlaceChange(models.Model):
    """A dated change in an offer's number of places (a new build adds 10 places from a date).

    Rows are never edited: a wrong row is corrected by further rows that point to it (``corrects``)
    and add what makes the sum right, so the places on any day stay the sum of the rows up to it."""

    offer = models.ForeignKey(Offer, models.CASCADE, related_name="place_changes", verbose_name=_("offer"))
    valid_from = models.DateField(_("from"))
    change = models.IntegerField(_("change in places"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    corrects = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="corrections",
                                 verbose_name=_("corrects"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("change in places")
        verbose_name_plural = _("places over time")
        ordering = ["offer", "valid_from", "pk"]
        constraints = [
            models.CheckConstraint(name="place_change_not_zero", condition=~Q(change=0)),
        ]

    def __str__(self):
        return f"{self.change:+d} pladser fra {self.valid_from:%d.%m.%Y}"


class TariffUnit(models.TextChoices):
    DAY = "day", _("per day")
    MONTH = "month", _("per month")
    HOUR = "hour", _("per hour")
    MODULE = "module", _("per module (per day)")


class TariffQuerySet(models.QuerySet):
    def in_force(self):
        """Rows not corrected by a later row: the one tariff of an offer from each date."""
        return self.filter(corrected_by__isnull=True)


class TariffInForceManager(models.Manager.from_queryset(TariffQuerySet)):
    def get_queryset(self):
        return super().get_queryset().in_force()


class Tariff(models.Model):
    """An offer's standard tariff from a date until the next row.

    Rows are never edited. A wrong row is corrected by a new row for the same date that points to
    it (``corrects``): ``Tariff.objects`` (and ``offer.tariffs``) are the rows in force, the
    corrected ones left out; ``Tariff.history`` is every row, for the offer's tariff history."""

    offer = models.ForeignKey(Offer, models.CASCADE, related_name="tariffs", verbose_name=_("offer"))
    valid_from = models.DateField(_("from"))
    amount = models.DecimalField(
        _("amount (kr.)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    unit = models.CharField(_("unit"), max_length=10, choices=TariffUnit.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    corrects = models.OneToOneField("self", models.PROTECT, null=True, blank=True, related_name="corrected_by",
                                    verbose_name=_("corrects"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = TariffInForceManager()
    history = TariffQuerySet.as_manager()

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs over time")
        ordering = ["offer", "valid_from", "pk"]
        default_manager_name = "objects"
        constraints = [
            # One original row per offer and date; its corrections chain from it one by one.
            models.UniqueConstraint(fields=["offer", "valid_from"], condition=Q(corrects__isnull=True),
                                    name="tariff_one_per_offer_and_date"),
            models.CheckConstraint(name="tariff_amount_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self):
        return f"{self.amount} kr. {self.get_unit_display()} fra {self.valid_from:%d.%m.%Y}"
