"""The balance model's own data: staff figures per centre and month (imported from the HR
system's export), the history of those imports, and the dated targets the balance page measures
against. Everything else the balance page shows is computed from the case record
(roret.balance.figures)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roret.core.models import Centre

#: The staff figures of a month, in the order of the import file's columns.
STAFF_FIELDS = ("fte_employed", "fte_budgeted", "sickness_days", "working_days", "leavers", "vacancies")


class StaffMonth(models.Model):
    """One centre's staff figures for one month, as the HR system reports them."""

    centre = models.ForeignKey(Centre, models.PROTECT, related_name="staff_months", verbose_name=_("centre"))
    month = models.DateField(_("month (first day)"))
    fte_employed = models.DecimalField(_("FTEs employed"), max_digits=8, decimal_places=2,
                                       validators=[MinValueValidator(Decimal("0"))])
    fte_budgeted = models.DecimalField(_("FTEs budgeted (staffing norm)"), max_digits=8, decimal_places=2,
                                       validators=[MinValueValidator(Decimal("0"))])
    sickness_days = models.DecimalField(_("sickness absence days"), max_digits=10, decimal_places=2,
                                        validators=[MinValueValidator(Decimal("0"))])
    working_days = models.DecimalField(_("working days"), max_digits=10, decimal_places=2,
                                       validators=[MinValueValidator(Decimal("0"))])
    leavers = models.PositiveIntegerField(_("leavers"))
    vacancies = models.PositiveIntegerField(_("vacant positions"))

    class Meta:
        verbose_name = _("staff month")
        verbose_name_plural = _("staff months")
        ordering = ["centre", "month"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "month"], name="staff_month_one_per_centre_and_month"),
            # As text, not month__day: SQLite would need Django's date function inside the CHECK, which a
            # plain sqlite3 connection (a backup's integrity check, the sqlite3 shell) does not have.
            models.CheckConstraint(name="staff_month_first_of_month", condition=Q(month__endswith="-01")),
            models.CheckConstraint(name="staff_month_not_negative",
                                   condition=Q(fte_employed__gte=0, fte_budgeted__gte=0, sickness_days__gte=0,
                                               working_days__gte=0, leavers__gte=0, vacancies__gte=0)),
            models.CheckConstraint(name="staff_month_sickness_within_working_days",
                                   condition=Q(sickness_days__lte=models.F("working_days"))),
        ]

    def __str__(self):
        return f"{self.centre} {self.month:%Y-%m}"


class StaffImport(models.Model):
    """One import of the HR system's staff figures: the history, with what it changed."""

    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("imported by"))
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    new = models.PositiveIntegerField(_("new months"))
    changed = models.PositiveIntegerField(_("changed months"))
    unchanged = models.PositiveIntegerField(_("unchanged months"))
    channel = models.CharField(_("channel"), max_length=10, default="web")

    class Meta:
        verbose_name = _("staff figures import")
        verbose_name_plural = _("staff figures imports")
        ordering = ["-imported_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.imported_at:%d.%m.%Y %H:%M})"


class StaffUpload(models.Model):
    """An uploaded HR file waiting for its preview to be confirmed: kept server-side, keyed by its
    SHA-256, so the import commits exactly the file that was previewed. Deleted when imported."""

    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    file_name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("uploaded staff file")
        verbose_name_plural = _("uploaded staff files")
        constraints = [models.UniqueConstraint(fields=["uploaded_by", "sha256"], name="staff_upload_once_per_user")]

    def __str__(self):
        return self.file_name


class TargetKind(models.TextChoices):
    SICKNESS = "sickness", _("Sickness absence (%, at most)")
    WHO5_LOW = "who5_low", _("WHO-5 share in the low band (%, at most)")
    WHO5_MEASURED = "who5_measured", _("WHO-5 share measured in the last 12 months (%, at least)")
    FOLLOW_UPS = "follow_ups", _("Follow-ups held on time (%, at least)")
    OCCUPANCY = "occupancy", _("Occupancy of own places (%, at least)")


#: Kinds where a value at or below the target is met (the rest: at or above).
AT_MOST = frozenset({TargetKind.SICKNESS, TargetKind.WHO5_LOW})


class BalanceTarget(models.Model):
    """A target for one balance figure, from a date on, for the department (no centre) or one
    centre. A new target is a new row; the earlier one stays, so past half-years keep theirs."""

    kind = models.CharField(_("figure"), max_length=20, choices=TargetKind.choices)
    centre = models.ForeignKey(Centre, models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("centre (empty: the department)"))
    value = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=2)
    valid_from = models.DateField(_("from"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("set by"))
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("balance target")
        verbose_name_plural = _("balance targets")
        ordering = ["kind", "centre", "valid_from", "pk"]
        constraints = [
            models.CheckConstraint(name="balance_target_percent", condition=Q(value__gte=0) & Q(value__lte=100)),
        ]
        indexes = [models.Index(fields=["kind", "valid_from"], name="balance_target_kind_from")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value} % fra {self.valid_from:%d.%m.%Y}"


class StoredFigures(models.Model):
    """The balance figures counted from the case record (WHO-5, goals, follow-ups, assessments,
    deadlines) of one completed half-year, for the department (scope 0) or a centre (its id),
    kept so the balance page need not count them again at every request. Used while ``signature``
    (the newest row of each source table) is unchanged and the row is younger than
    roret.balance.figures.MAX_AGE; ``roret balance_refresh`` counts them again."""

    scope = models.BigIntegerField(_("scope (0: the department, else the centre)"))
    half_start = models.DateField(_("half-year from"))
    signature = models.CharField(_("signature of the source tables"), max_length=200)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    values = models.JSONField(_("values"))

    class Meta:
        verbose_name = _("stored balance figures")
        verbose_name_plural = _("stored balance figures")
        constraints = [models.UniqueConstraint(fields=["scope", "half_start"], name="stored_balance_once_per_half")]

    def __str__(self):
        return f"{self.scope} {self.half_start}"
