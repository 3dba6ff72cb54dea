"""Citizens, their relatives and network persons, and their consents."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from roret.citizens import cpr as cprlib
from roret.core.models import Team, Term
from roret.core.permissions import citizen_scope
from roret.core.text_limits import SHORT


class CitizenQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Only the citizens ``user`` may ``action``: the one gate every citizen read goes through."""
        return self.filter(citizen_scope(user, action))

    def with_cpr(self, number: str):
        # Under any configured key: during a key rotation a row may still carry an older key's hash.
        return self.filter(cpr_hash__in=cprlib.lookup_hashes(number))


def normalise_name(text: str) -> str:
    return " ".join((text or "").casefold().split())


class Citizen(models.Model):
    """A person who asks for or receives help from the department."""

    cpr_encrypted = models.TextField(_("CPR number (encrypted)"), editable=False)
    cpr_hash = models.CharField(_("CPR lookup hash"), max_length=64, unique=True, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    name_search = models.CharField(max_length=210, db_index=True, editable=False)
    last_name_search = models.CharField(max_length=100, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    team = models.ForeignKey(
        Team, models.PROTECT, null=True, blank=True, related_name="caseload", verbose_name=_("responsible team")
    )
    target_groups = models.ManyToManyField(
        Term, blank=True, related_name="+", verbose_name=_("target groups"),
        limit_choices_to={"group": "target_group"},
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CitizenQuerySet.as_manager()

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        ordering = ["last_name", "first_name"]
        # Name search runs inside a team's caseload: equality on team, range on the name.
        indexes = [
            models.Index(fields=["team", "name_search"], name="citizen_team_name"),
            models.Index(fields=["team", "last_name_search"], name="citizen_team_last_name"),
            # A caseload's oldest citizens (the transitions page: 65 or more, the oldest first).
            models.Index(fields=["team", "birth_date"], name="citizen_team_birth"),
            # A caseload by name, a page at a time (the citizen list, issue 14).
            models.Index(fields=["team", "last_name", "first_name"], name="citizen_team_sort_name"),
            # A caseload's ids from the index alone, for the counts that join a caseload to its
            # grants and follow-ups (the overview's waiting and follow-up counts): PostgreSQL's
            # index holds no id beside the team, so it read the citizen table whole for them
            # (53,669 of 104,392 rows; 74 ms against 31 ms for the follow-up counts).
            models.Index(fields=["team", "id"], name="citizen_team_id"),
        ]

    def __str__(self):
        return f"{self.name} ({self.cpr_masked})"

    def save(self, *args, **kwargs):
        self.name_search = normalise_name(f"{self.first_name} {self.last_name}")
        self.last_name_search = normalise_name(self.last_name)
        super().save(*args, **kwargs)

    def set_cpr(self, number: str) -> None:
        number = cprlib.validate(number)
        self.cpr_encrypted = cprlib.encrypt(number)
        self.cpr_hash = cprlib.lookup_hash(number)
        self.birth_date = cprlib.birth_date(number)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def cpr(self) -> str:
        """The full CPR number: only for pages that audit the view."""
        return cprlib.formatted(cprlib.decrypt(self.cpr_encrypted))

    @property
    def cpr_masked(self) -> str:
        return f"{self.birth_date:%d%m%y}-xxxx"

    def age(self, on: datetime.date | None = None) -> int:
        on = on or datetime.date.today()
        born = self.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class RelationKind(models.TextChoices):
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    CHILD = "child", _("Child")
    PARTNER = "partner", _("Spouse or partner")
    GUARDIAN = "guardian", _("Guardian (værge)")
    FRIEND = "friend", _("Friend")
    PROFESSIONAL = "professional", _("Professional network")
    OTHER = "other", _("Other")


class Relative(models.Model):
    """A relative or network person who matters to the citizen."""

    citizen = models.ForeignKey(Citizen, models.CASCADE, related_name="relatives", verbose_name=_("citizen"))
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=20, choices=RelationKind.choices)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_network_person = models.BooleanField(_("network person"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("relative or network person")
        verbose_name_plural = _("relatives and network persons")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.get_relation_display()})"


class Attendance(models.TextChoices):
    """Whether a relative invited to a meeting took part: unknown until it is recorded after the meeting."""

    UNKNOWN = "unknown", _("Not recorded")
    YES = "yes", _("Took part")
    NO = "no", _("Did not take part")


class MeetingParticipant(models.Model):
    """A relative or network person invited to a meeting about the citizen (a follow-up, a network
    meeting), and whether they took part. Inviting needs the citizen's consent to invite their
    network to meetings (ConsentSubject.NETWORK_MEETING), checked by
    roret.citizens.services.invite_relative.

    Abstract: a meeting's participant adds the foreign key to its meeting, named in
    ``meeting_field`` (with ``citizen_path`` from the meeting to its citizen), and ``relative`` with its own related name (``relative.follow_ups``,
    ``relative.network_meetings``), and a unique constraint on the two."""

    #: The name of the concrete model's foreign key to its meeting, and the path from the meeting to
    #: its citizen (the gate's ``via``).
    meeting_field = ""
    citizen_path = "citizen"

    invited_on = models.DateField(_("invited on"))
    took_part = models.CharField(_("took part"), max_length=10, choices=Attendance.choices,
                                 default=Attendance.UNKNOWN)
    role = models.CharField(_("role at the meeting"), max_length=SHORT, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("invited by"))

    class Meta:
        abstract = True
        ordering = ["invited_on", "pk"]

    def __str__(self):
        return f"{self.relative.name} ({self.get_took_part_display()})"


class ConsentSubject(models.TextChoices):
    SHARE_PROVIDERS = "share_providers", _("Share information with providers")
    SHARE_HEALTH = "share_health", _("Obtain information from health services")
    SHARE_RELATIVES = "share_relatives", _("Share information with relatives")
    NETWORK_MEETING = "network_meeting", _("Invite network to meetings")
    OTHER = "other", _("Other")


class Consent(models.Model):
    """A consent the citizen (or a guardian) has given: what, when, by whom, until when."""

    citizen = models.ForeignKey(Citizen, models.CASCADE, related_name="consents", verbose_name=_("citizen"))
    subject = models.CharField(_("consent to"), max_length=20, choices=ConsentSubject.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    given_on = models.DateField(_("given on"))
    given_by = models.CharField(_("given by"), max_length=200)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on"]
        constraints = [
            models.CheckConstraint(
                name="consent_expires_after_given",
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gt=models.F("given_on")),
                violation_error_message=_("A consent must expire after it was given."),
            ),
        ]

    def __str__(self):
        return f"{self.get_subject_display()} ({self.given_on:%d.%m.%Y})"

    def is_valid_on(self, day: datetime.date) -> bool:
        if self.given_on > day:
            return False
        if self.withdrawn_on and self.withdrawn_on <= day:
            return False
        return not (self.expires_on and self.expires_on <= day)
