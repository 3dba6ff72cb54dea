"""The citizen at the helm: the citizen's own account, the one-time invitations that open it, and
what the citizen enters themself (their own rating of a goal, a comment on the action plan).

Self-reported measurements are ordinary measurements (roret.outcomes) marked ``self_reported``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roret.citizens.models import Citizen
from roret.core.text_limits import NOTE, text_field
from roret.outcomes.models import Goal


class CitizenAccount(models.Model):
    """The user a citizen signs in as (role "citizen"), tied to exactly one citizen: the scope of
    the citizen role is this link (roret.core.permissions, ``SELF``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.PROTECT, related_name="citizen_account",
                                verbose_name=_("user"))
    citizen = models.OneToOneField(Citizen, models.PROTECT, related_name="account", verbose_name=_("citizen"))
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("citizen account")
        verbose_name_plural = _("citizen accounts")

    def __str__(self):
        return f"{self.user} → {self.citizen_id}"


class InvitationState(models.TextChoices):
    OPEN = "open", _("Waiting to be used")
    USED = "used", _("Used")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    BLOCKED = "blocked", _("Blocked after wrong codes")


class Invitation(models.Model):
    """A one-time invitation the caseworker gives the citizen in person: a link and a short code.

    Only digests are kept (the link's token and the code, each SHA-256 with the secret key), so
    neither can be read back from the database. It opens the citizen's page once, until
    ``expires``, unless revoked or blocked after too many wrong codes."""

    citizen = models.ForeignKey(Citizen, models.PROTECT, related_name="invitations", verbose_name=_("citizen"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                  verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires = models.DateTimeField(_("expires"))
    token_digest = models.CharField(_("link digest"), max_length=64)
    code_digest = models.CharField(_("code digest"), max_length=64)
    failed_attempts = models.PositiveSmallIntegerField(_("wrong codes"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("revoked by"))

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["token_digest"], name="invitation_token_unique"),
            models.CheckConstraint(condition=Q(expires__gt=models.F("issued_at")),
                                   name="invitation_expires_after_issued"),
        ]

    def __str__(self):
        return f"{self.citizen_id} {self.issued_at:%d.%m.%Y %H:%M}"

    def state(self, now=None) -> str:
        if self.used_at is not None:
            return InvitationState.USED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.failed_attempts >= settings.HELM_CODE_ATTEMPTS:
            return InvitationState.BLOCKED
        if self.expires <= (now or timezone.now()):
            return InvitationState.EXPIRED
        return InvitationState.OPEN

    @property
    def state_label(self) -> str:
        return InvitationState(self.state()).label


class RedeemFailure(models.Model):
    """A wrong code or an unknown link tried from an address: counted to throttle the address
    (``HELM_ADDRESS_ATTEMPTS`` in ``HELM_ADDRESS_MINUTES``). The audit log keeps the attempt; this
    row is only a counter, and rows older than a day are deleted at the next failure."""

    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("failed invitation attempt")
        verbose_name_plural = _("failed invitation attempts")
        indexes = [models.Index(fields=["ip", "at"], name="redeem_failure_ip_at")]

    def __str__(self):
        return f"{self.ip} {self.at:%Y-%m-%d %H:%M}"


class GoalRating(models.Model):
    """The citizen's own view of a goal before a follow-up: how far it has come (1-10), what has
    gone well and what matters now, in their own words. Beside the staff's progress, never in
    place of it."""

    goal = models.ForeignKey(Goal, models.PROTECT, related_name="citizen_ratings", verbose_name=_("goal"))
    citizen = models.ForeignKey(Citizen, models.PROTECT, related_name="+", verbose_name=_("citizen"))
    rating = models.PositiveSmallIntegerField(_("rating (1-10)"))
    went_well = text_field(_("what has gone well"), NOTE, blank=True)
    matters_now = text_field(_("what matters now"), NOTE, blank=True)
    rated_on = models.DateField(_("rated on"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("entered by"))

    class Meta:
        verbose_name = _("citizen's rating of a goal")
        verbose_name_plural = _("citizen's ratings of goals")
        ordering = ["-rated_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=10),
                                              name="goal_rating_1_to_10")]

    def __str__(self):
        return f"{self.goal_id}: {self.rating}/10"


class PlanResponse(models.Model):
    """The citizen's comment on their action plan, and whether they agree to it (or say nothing)."""

    citizen = models.ForeignKey(Citizen, models.PROTECT, related_name="plan_responses", verbose_name=_("citizen"))
    comment = text_field(_("comment"), NOTE, blank=True)
    agrees = models.BooleanField(_("agrees to the plan"), null=True, blank=True)
    created = models.DateTimeField(_("written"), default=timezone.now)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("entered by"))

    class Meta:
        verbose_name = _("citizen's response to the action plan")
        verbose_name_plural = _("citizen's responses to the action plan")
        ordering = ["-created", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(comment="") | Q(agrees__isnull=False),
                                              name="plan_response_says_something")]

    def __str__(self):
        return f"{self.citizen_id} {self.created:%d.%m.%Y}"
