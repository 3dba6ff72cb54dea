"""The upload history: one row per file someone staged for import, with its counts and errors."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    STAGED = "staged", _("Checked, ready to import")
    CHECKED = "checked", _("Checked only")
    RUNNING = "running", _("Running in the background")
    COMMITTED = "committed", _("Imported")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Not imported in time: the file is deleted")


def upload_storage() -> FileSystemStorage:
    """Staged files wait here, outside static and media, until they are imported or refused; the
    file (which may hold CPR numbers) is deleted then, and only its checksum stays."""
    return FileSystemStorage(location=settings.VAR_DIR / "imports")


class ImportBatch(models.Model):
    """One staged spreadsheet: who uploaded it, what kind, what it would change and what is wrong."""

    kind = models.CharField(_("kind"), max_length=30)
    file_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    upload = models.FileField(_("staged file"), storage=upload_storage, upload_to="%Y/%m/", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.STAGED)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    new = models.PositiveIntegerField(_("new"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    #: [[sheet, row, column letter, header, message], ...]: the error report, in file order.
    errors = models.JSONField(_("error report"), default=list, blank=True)
    job = models.ForeignKey("core.Job", models.SET_NULL, null=True, blank=True, related_name="+",
                            verbose_name=_("background job"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("uploaded by"))
    channel = models.CharField(_("channel"), max_length=10, default="web")
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)
    committed = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["created_by", "created"], name="import_batch_user_created")]
        constraints = [
            models.CheckConstraint(name="import_batch_committed_has_time",
                                   condition=~Q(status="committed") | Q(committed__isnull=False)),
        ]

    def __str__(self):
        return f"{self.kind}: {self.file_name} ({self.get_status_display()})"

    @property
    def kind_label(self) -> str:
        """The kind as people read it ("Borgere"), not its code ("citizens")."""
        from roret.imports.kinds import KINDS, load

        load()
        kind = KINDS.get(self.kind)
        return str(kind.label) if kind is not None else self.kind
