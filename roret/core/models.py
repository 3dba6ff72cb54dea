"""Organisation, users and roles, KL reference terms and the append-only audit log."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker (visitation)")
    CENTRE_STAFF = "centre_staff", _("Centre staff")
    CENTRE_LEADER = "centre_leader", _("Centre leader")
    ECONOMIST = "economist", _("Economist (secretariat)")
    COMMITTEE = "committee", _("Committee member")
    ADMIN = "admin", _("Administrator")


class Department(models.Model):
    """The municipality's Handicap og Psykiatri department."""

    name = models.CharField(_("name"), max_length=200)
    municipality_code = models.CharField(_("municipality code"), max_length=4)
    municipality_name = models.CharField(_("municipality"), max_length=100)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class Centre(models.Model):
    """One of the department's own organisational units that run offers."""

    department = models.ForeignKey(Department, models.CASCADE, related_name="centres", verbose_name=_("department"))
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("centre")
        verbose_name_plural = _("centres")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Unit(models.Model):
    """A unit within a centre (e.g. the youth unit of social psychiatry)."""

    centre = models.ForeignKey(Centre, models.CASCADE, related_name="units", verbose_name=_("centre"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["centre__name", "name"]
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="unit_name_unique_in_centre")]

    def __str__(self):
        return f"{self.centre.name} / {self.name}"


class Team(models.Model):
    """A visitation team; its caseload is the citizens it is responsible for."""

    department = models.ForeignKey(Department, models.CASCADE, related_name="teams", verbose_name=_("department"))
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A staff member with exactly one role, tied to a team or a centre."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CASEWORKER)
    team = models.ForeignKey(
        Team, models.SET_NULL, null=True, blank=True, related_name="members", verbose_name=_("team")
    )
    centre = models.ForeignKey(
        Centre, models.SET_NULL, null=True, blank=True, related_name="staff", verbose_name=_("centre")
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_caseworker_has_team",
                condition=~models.Q(role="caseworker") | models.Q(team__isnull=False),
                violation_error_message=_("A caseworker must belong to a team."),
            ),
            models.CheckConstraint(
                name="user_centre_role_has_centre",
                condition=~models.Q(role__in=["centre_staff", "centre_leader"]) | models.Q(centre__isnull=False),
                violation_error_message=_("Centre staff and centre leaders must belong to a centre."),
            ),
        ]

    @property
    def role_label(self):
        return Role(self.role).label


class TermGroup(models.TextChoices):
    """Top-level groups of KL's FFB code system that roret uses."""

    SERVICE = "service", _("Service (ydelse)")
    OFFER_TYPE = "offer_type", _("Offer type (tilbud)")
    TARGET_GROUP = "target_group", _("Target group (målgruppe)")
    SUPPORT_NEED = "support_need", _("Support-need level")
    FUNCTIONAL_LEVEL = "functional_level", _("Functional level")
    GOAL_TYPE = "goal_type", _("Goal type")
    FOLLOW_UP_STATUS = "follow_up_status", _("Follow-up status")
    THEME = "theme", _("Assessment theme (FFB tilstand)")
    OTHER = "other", _("Other")


class Term(models.Model):
    """A concept from KL's FFB terminology (urn:oid:1.2.208.176.2.22), keeping KL's code."""

    SYSTEM = "urn:oid:1.2.208.176.2.22"

    code = models.CharField(_("KL code"), max_length=64, unique=True)
    display = models.CharField(_("name"), max_length=300)
    definition = models.TextField(_("definition"), blank=True)
    group = models.CharField(_("group"), max_length=20, choices=TermGroup.choices, db_index=True)
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    version = models.CharField(_("version"), max_length=20)

    class Meta:
        verbose_name = _("FFB term")
        verbose_name_plural = _("FFB terms")
        ordering = ["group", "display"]

    def __str__(self):
        return self.display


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    SEARCH = "search", _("Searched")
    EXPORT = "export", _("Exported")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    DELETE = "delete", _("Deleted")


CHANNELS = {"web": _("in roret"), "api": _("through the API"), "cli": _("from the command line"),
            "task": _("in a background job")}


class AuditEntry(models.Model):
    """One append-only line of the audit log: who did what to which citizen's data, when, and how.

    Rows are never updated or deleted: ``save`` refuses an existing row, ``delete`` refuses always,
    and database triggers (migration 0002) refuse UPDATE and DELETE from any client.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    actor_name = models.CharField(_("user name"), max_length=150)
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices, db_index=True)
    # The citizen whose data was touched, as a plain id: the log outlives the record.
    citizen_id = models.BigIntegerField(_("citizen"), null=True, blank=True, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.CharField(_("what"), max_length=300)
    channel = models.CharField(_("channel"), max_length=10, default="web")  # web, api, cli, task
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["citizen_id", "-at"], name="audit_citizen_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")

    @property
    def who(self) -> str:
        """The person's name as a citizen reads it (the user name when no name is recorded)."""
        if self.actor_id is not None and self.actor is not None:
            return self.actor.get_full_name() or self.actor_name
        return _("the system") if self.actor_name == "system" else self.actor_name

    @property
    def role_label(self) -> str:
        return str(Role(self.actor_role).label) if self.actor_role in Role.values else ""

    @property
    def channel_label(self) -> str:
        return str(CHANNELS.get(self.channel, self.channel))

    @property
    def object_label(self) -> str:
        """What was touched, in words: the model's Danish name and its number ("placering #45")."""
        if not self.object_type:
            return ""
        from django.apps import apps

        try:
            name = apps.get_model(self.object_type)._meta.verbose_name
        except (LookupError, ValueError):
            name = self.object_type
        return f"{name} #{self.object_id}" if self.object_id else str(name)

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field the entry records, changed or new."""
        before = self.before if isinstance(self.before, dict) else {}
        after = self.after if isinstance(self.after, dict) else {}
        return [(key, before.get(key, ""), after.get(key, "")) for key in dict.fromkeys([*before, *after])]


from roret.core.jobs import Job, JobStatus  # noqa: E402,F401  (background jobs, defined beside their task)
