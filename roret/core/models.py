"""Organisation, users and roles, KL reference terms and the append-only audit log."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker (visitation)")
    CENTRE_STAFF = "centre_staff", _("Centre staff")
    CENTRE_LEADER = "centre_leader", _("Centre leader")
    ECONOMIST = "economist", _("Economist (secretariat)")
    COMMITTEE = "committee", _("Committee member")
    ADMIN = "admin", _("Administrator")
    LEADER = "leader", _("Department leader")
    #: The citizen themself, signed in to their own page (roret.helm): their scope is exactly themselves.
    CITIZEN = "citizen", _("Citizen (own page)")


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
    #: Raised to end every session of the user at once (log out everywhere, deactivation, a reset
    #: of the second factor): it is part of the hash each session is checked against.
    session_generation = models.PositiveIntegerField(_("session generation"), default=0, editable=False)

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

    def _get_session_auth_hash(self, secret=None):
        """Django checks every request's session against this hash: it changes with the password,
        as in Django, and with ``session_generation``, so raising that ends all the user's sessions."""
        from django.utils.crypto import salted_hmac

        return salted_hmac("roret.core.User.session_auth_hash", f"{self.password}\x00{self.session_generation}",
                           secret=secret, algorithm="sha256").hexdigest()


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
    LIST = "list", _("Listed")
    EXPORT = "export", _("Exported")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    DELETE = "delete", _("Deleted")
    REFUSED = "refused", _("Refused")
    ALARM = "alarm", _("Alarm")
    ANONYMISE = "anonymise", _("Anonymised")
    LOGIN_FAILED = "login_fail", _("Login failed")
    LOCKED = "locked", _("Locked out")


#: Actions that read (or try to read) and change nothing.
READ_ACTIONS = frozenset({AuditAction.VIEW, AuditAction.SEARCH, AuditAction.LIST, AuditAction.REFUSED})

CHANNELS = {"web": _("in roret"), "api": _("through the API"), "cli": _("from the command line"),
            "task": _("in a background job")}

#: The lists that name citizens, audited with one row per list shown (``audit.listed``): the
#: row's object is ``list`` with the list's key as its id, and ``citizen_count`` says how many.
LISTS = {
    "work_list": _("the overview's work list"),
    "cases": _("open cases"),
    "transitions": _("transitions"),
    "follow_ups_due": _("follow-ups due"),
    "compliance": _("quality-of-life measurements missing"),
    "offer_people": _("an offer's residents and waiting list"),
    "name_search": _("name search"),
    "meeting_agenda": _("a visitation meeting's agenda"),
    "meetings_unscheduled": _("proposed decisions waiting for a visitation meeting"),
    "citizens": _("citizens"),
    "dst_problems": _("problems in the reporting to Statistics Denmark"),
}


class AuditEntryManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        """Many entries at once (the demo's), chained in list order like single ones."""
        from roret.core import audit_chain

        return audit_chain.append_many(self, list(objs), *args, **kwargs)


class AuditEntry(models.Model):
    """One append-only line of the audit log: who did what to which citizen's data, when, and how.

    Rows are never updated or deleted: ``save`` refuses an existing row, ``delete`` refuses always,
    and database triggers (migrations 0003 and 0005) refuse UPDATE and DELETE from any client,
    except that retention may delete the rows up to the chain's checkpoint.

    Each row is a link in a hash chain (roret/core/audit_chain.py): ``row_hash`` is a keyed hash
    (HMAC-SHA256 with ``AUDIT_CHAIN_KEY``) of the row's content and ``prev_hash``, the hash of
    the row before it; ``roret audit verify`` finds an edited, inserted or deleted row.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    actor_name = models.CharField(_("user name"), max_length=150)
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices, db_index=True)
    # The citizen whose data was touched, as a plain id: the log outlives the record.
    citizen_id = models.BigIntegerField(_("citizen"), null=True, blank=True, db_index=True)
    # How many citizens a list named (a "list" entry names no single citizen).
    citizen_count = models.PositiveIntegerField(_("citizens listed"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.CharField(_("what"), max_length=300)
    channel = models.CharField(_("channel"), max_length=10, default="web")  # web, api, cli, task
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(_("previous entry's hash"), max_length=64, blank=True, editable=False)
    row_hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)

    objects = AuditEntryManager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["citizen_id", "-at"], name="audit_citizen_at"),
                   # The mass-read alarm counts one account's reads in the last minutes.
                   models.Index(fields=["actor", "at"], name="audit_actor_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        from roret.core import audit_chain

        audit_chain.append(self, lambda: super(AuditEntry, self).save(*args, **kwargs))

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
        """What was touched, in words: the model's Danish name and its number ("placering #45"),
        or the list that was shown."""
        if not self.object_type:
            return ""
        if self.object_type == "list":
            return str(LISTS.get(self.object_id, self.object_id))
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


GENESIS_HASH = "0" * 64


class AuditChainHead(models.Model):
    """The end of the audit log's hash chain, one row that every append locks: the last entry's id
    and hash, and the checkpoint where the chain starts after retention deleted older entries."""

    last_id = models.BigIntegerField(_("last entry"), default=0)
    last_hash = models.CharField(_("last entry's hash"), max_length=64, default=GENESIS_HASH)
    checkpoint_id = models.BigIntegerField(_("deleted up to entry"), default=0)
    checkpoint_hash = models.CharField(_("hash of the last deleted entry"), max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self):
        return f"#{self.last_id} {self.last_hash[:12]}"


class MassReadAlarm(models.Model):
    """One account opened more citizen records in a short time than the threshold allows
    (``MASS_READ_RECORDS`` in ``MASS_READ_MINUTES``): shown to the administrator until handled."""

    user = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name=_("user"))
    raised_at = models.DateTimeField(_("raised"), default=timezone.now, db_index=True)
    records = models.PositiveIntegerField(_("records opened"))
    refused = models.PositiveIntegerField(_("refused attempts"), default=0)
    threshold = models.PositiveIntegerField(_("threshold"))
    minutes = models.PositiveIntegerField(_("minutes"))
    deactivated = models.BooleanField(_("account deactivated"), default=False)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("handled by")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("mass-read alarm")
        verbose_name_plural = _("mass-read alarms")
        ordering = ["-raised_at", "-id"]

    def __str__(self):
        return f"{self.user} {self.records} / {self.minutes} min"


class KeyRotation(models.Model):
    """How far ``roret keys rotate`` has come re-encrypting a field with the active key, so an
    interrupted run resumes where it stopped (one row per field and active key)."""

    field = models.CharField(_("field"), max_length=60)
    key_id = models.CharField(_("active key"), max_length=16)
    last_pk = models.BigIntegerField(_("done up to row"), default=0)
    checked = models.PositiveIntegerField(_("rows checked"), default=0)
    changed = models.PositiveIntegerField(_("rows re-encrypted"), default=0)
    started = models.DateTimeField(_("started"), default=timezone.now)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("key rotation")
        verbose_name_plural = _("key rotations")
        constraints = [models.UniqueConstraint(fields=["field", "key_id"], name="key_rotation_once_per_key")]

    def __str__(self):
        return f"{self.field} -> {self.key_id}"


class FormSubmission(models.Model):
    """A form token that has been submitted, so the same form sent twice writes once
    (:mod:`roret.core.form_tokens`). ``status`` is empty while the first submit is still running;
    then it and ``location`` hold the redirect that a second submit of the token is answered with."""

    token = models.CharField(_("token"), max_length=64)
    user = models.ForeignKey(User, models.CASCADE, related_name="+", verbose_name=_("user"))
    path = models.CharField(_("address"), max_length=500)
    status = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    location = models.CharField(_("redirected to"), max_length=2000, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        constraints = [models.UniqueConstraint(fields=["token"], name="form_submission_token_unique")]

    def __str__(self):
        return f"{self.path} {self.status or '…'}"



class ApiToken(models.Model):
    """A user's key to the API beside the browser session (:mod:`roret.core.api_tokens`).

    Only the SHA-256 digest of the key is kept; ``prefix`` is the key's non-secret start, for the
    look-up and for showing which key is which. A key works until ``expires`` or until it is
    revoked, and only while its user is active."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16)
    digest = models.CharField(_("digest"), max_length=64)
    created = models.DateTimeField(_("created"), default=timezone.now)
    expires = models.DateTimeField(_("expires"))
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("revoked by"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(fields=["prefix"], name="api_token_prefix_unique"),
            models.CheckConstraint(condition=models.Q(expires__gt=models.F("created")),
                                   name="api_token_expires_after_created"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    def is_usable(self, now=None) -> bool:
        return self.revoked_at is None and self.expires > (now or timezone.now())


class IdempotencyKey(models.Model):
    """An unsafe API request sent with an ``Idempotency-Key`` header, and the answer it got, so the
    same request sent again by the same user is answered the same without writing again
    (:mod:`roret.api.idempotency`). ``status`` is empty only inside the transaction of the first
    request; the row commits with the answer and the write, or not at all."""

    user = models.ForeignKey(User, models.CASCADE, related_name="+", verbose_name=_("user"))
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    body = models.TextField(_("answer"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]

    def __str__(self):
        return f"{self.key} {self.status or '…'}"


from roret.core.jobs import Job, JobStatus  # noqa: E402,F401  (background jobs, defined beside their task)
