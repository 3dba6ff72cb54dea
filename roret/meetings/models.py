"""The visitation meeting: the rule that sends a proposed decision to it, the meetings, and the
proposals on their agenda (the 2015 strategy: decisions on costly and residential offers are taken
in a visitation meeting with the department's management, not by one caseworker alone)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roret.citizens.models import Citizen
from roret.core.models import Term
from roret.offers.models import LegalBasis, Offer
from roret.visitation.models import Assessment, Decision, DecisionKind


class MeetingRule(models.Model):
    """Which proposed grants go to the visitation meeting instead of being decided directly.

    Dated: each setting is a new row and the newest is in force, so which rule sent a proposal
    to the meeting (or let a grant be decided directly) stays readable. A grant goes to the meeting when its paragraph is one of ``paragraphs``, or
    ``external_offers`` is set and its offer is external, or its yearly cost exceeds
    ``yearly_cost_above``. Refusals are decided by the caseworker as before."""

    paragraphs = models.JSONField(_("paragraphs that go to the meeting"), default=list, blank=True)
    external_offers = models.BooleanField(_("every external offer goes to the meeting"), default=False)
    yearly_cost_above = models.DecimalField(_("yearly cost above (kr.)"), max_digits=12, decimal_places=2,
                                            null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("changed by"))
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting rule")
        verbose_name_plural = _("meeting rules")
        ordering = ["-changed_at", "-pk"]
        constraints = [models.CheckConstraint(name="meeting_rule_cost_not_negative",
                                              condition=Q(yearly_cost_above__isnull=True)
                                              | Q(yearly_cost_above__gte=0))]

    def __str__(self):
        return str(_("Meeting rule"))

    @property
    def paragraph_labels(self) -> list[str]:
        return [LegalBasis(p).label for p in self.paragraphs or [] if p in LegalBasis.values]


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")


class Meeting(models.Model):
    """A visitation meeting on a date, with its participants (at least one department leader)."""

    held_on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices,
                              default=MeetingStatus.PLANNED)
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="visitation_meetings",
                                          verbose_name=_("participants"))
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("planned by"))

    class Meta:
        verbose_name = _("visitation meeting")
        verbose_name_plural = _("visitation meetings")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["status", "held_on"], name="meeting_status_date")]

    def __str__(self):
        return f"Visitationsmøde {self.held_on:%d.%m.%Y}"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for the meeting")
    APPROVED = "approved", _("Approved")
    CHANGED = "changed", _("Approved with changes")
    SENT_BACK = "sent_back", _("Sent back")


HANDLED = (ProposalStatus.APPROVED, ProposalStatus.CHANGED, ProposalStatus.SENT_BACK)


class Proposal(models.Model):
    """A proposed decision on a meeting's agenda (or waiting for one): the decision form's fields as
    the caseworker gave them, the staircase step proposed against the lowest adequate one and the
    yearly cost; then the meeting's answer. No Decision exists until it is approved."""

    meeting = models.ForeignKey(Meeting, models.PROTECT, null=True, blank=True, related_name="proposals",
                                verbose_name=_("meeting"))
    citizen = models.ForeignKey(Citizen, models.PROTECT, related_name="proposals", verbose_name=_("citizen"))
    assessment = models.ForeignKey(Assessment, models.PROTECT, related_name="proposals",
                                   verbose_name=_("assessment"))
    kind = models.CharField(_("decision"), max_length=10, choices=DecisionKind.choices)
    paragraph = models.CharField(_("legal basis"), max_length=10, choices=LegalBasis.choices)
    offer_type = models.ForeignKey(Term, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("offer type (FFB)"))
    offer = models.ForeignKey(Offer, models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("proposed offer"))
    scope = models.CharField(_("scope"), max_length=300, blank=True)
    hours_per_week = models.DecimalField(_("hours per week"), max_digits=6, decimal_places=2, null=True, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    justification = models.TextField(_("justification"))
    intrusive_reason = models.TextField(_("reason for a more intrusive step"), blank=True)
    proposed_step = models.PositiveSmallIntegerField(_("staircase step proposed"), null=True, blank=True)
    lowest_adequate_step = models.PositiveSmallIntegerField(_("lowest adequate staircase step"), null=True,
                                                            blank=True)
    yearly_cost = models.DecimalField(_("yearly cost (kr.)"), max_digits=14, decimal_places=2, null=True,
                                      blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=ProposalStatus.choices,
                              default=ProposalStatus.PROPOSED)
    reason = models.TextField(_("the meeting's reason"), blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("handled by"))
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    decision = models.OneToOneField(Decision, models.PROTECT, null=True, blank=True, related_name="proposal",
                                    verbose_name=_("decision"))

    class Meta:
        verbose_name = _("proposed decision")
        verbose_name_plural = _("proposed decisions")
        ordering = ["proposed_at", "pk"]
        indexes = [models.Index(fields=["status", "citizen"], name="proposal_status_citizen")]
        constraints = [
            models.CheckConstraint(name="proposal_decided_only_when_approved",
                                   condition=Q(decision__isnull=True, status__in=["proposed", "sent_back"])
                                   | Q(decision__isnull=False, status__in=["approved", "changed"])),
            models.CheckConstraint(name="proposal_answer_has_reason",
                                   condition=Q(status__in=["proposed", "approved"]) | ~Q(reason="")),
            models.CheckConstraint(name="proposal_has_justification", condition=~Q(justification="")),
        ]

    def __str__(self):
        return f"Indstilling {self.get_kind_display()} {self.paragraph} ({self.get_status_display()})"
