"""Forms for the case-flow pages; they parse and validate input, the services decide."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from roret.core.models import Term
from roret.core.text_limits import of
from roret.offers.models import LegalBasis, Offer, StaircaseStep
from roret.placements.models import ExternalReason
from roret.visitation.models import (
    Decision,
    DecisionKind,
    GuidedTo,
    Inquiry,
    InquirySource,
    Screening,
    ScreeningOutcome,
)

DATE = forms.DateInput(attrs={"type": "date", "class": "form-input"})
TEXT = forms.TextInput(attrs={"class": "form-input"})
AREA = forms.Textarea(attrs={"class": "form-input", "rows": 3})
SELECT = forms.Select(attrs={"class": "form-select"})


def _paragraph_choices():
    return [("", _("– choose –"))] + list(LegalBasis.choices)


class InquiryForm(forms.Form):
    cpr = forms.CharField(label=_("CPR number"), max_length=11, widget=TEXT)
    first_name = forms.CharField(label=_("First name (if the citizen is not known)"), max_length=100, required=False,
                                 widget=TEXT)
    last_name = forms.CharField(label=_("Last name (if the citizen is not known)"), max_length=100, required=False,
                                widget=TEXT)
    source = forms.ChoiceField(label=_("Who asked"), choices=[("", _("– choose –"))] + list(InquirySource.choices),
                               widget=SELECT)
    source_detail = forms.CharField(label=_("Name or unit of who asked"), max_length=200, required=False, widget=TEXT)
    received_on = forms.DateField(label=_("Received on"), initial=datetime.date.today, widget=DATE)
    paragraph = forms.ChoiceField(label=_("Service type asked about"), choices=_paragraph_choices(), widget=SELECT)
    about = forms.CharField(label=_("What it is about"), max_length=of(Inquiry, "about"), widget=AREA)
    # Asked for only when the CPR number belongs to a citizen known to the department without a
    # responsible team: taking them into the team's caseload is an explicit step with a reason.
    take_reason = forms.CharField(label=_("Why the citizen is your team's case"), required=False, max_length=300,
                                  widget=AREA)


class ScreeningForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ScreeningOutcome.choices, widget=forms.RadioSelect(attrs={"class": "form-radio"}))
    reason = forms.CharField(label=_("Reason"), max_length=of(Screening, "reason"), widget=AREA)
    guided_to = forms.ChoiceField(label=_("Guided to (when out)"), required=False,
                                  choices=[("", "–")] + list(GuidedTo.choices), widget=SELECT)
    guided_to_detail = forms.CharField(label=_("Guided to (details)"), max_length=200, required=False, widget=TEXT)
    screened_on = forms.DateField(label=_("Screened on"), initial=datetime.date.today, widget=DATE)


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Decision"), choices=DecisionKind.choices, widget=forms.RadioSelect(attrs={"class": "form-radio"}),
                             initial=DecisionKind.GRANT)
    paragraph = forms.ChoiceField(label=_("Legal basis"), choices=_paragraph_choices(), required=False, widget=SELECT)
    offer = forms.ModelChoiceField(label=_("Offer"), required=False, queryset=Offer.objects.none(), widget=SELECT,
                                   empty_label=_("– no named offer –"),
                                   help_text=_("The offers are grouped by the step of the staircase, from the least "
                                               "intrusive; the proposal's lowest adequate step is marked."))
    offer_type = forms.ModelChoiceField(label=_("Offer type (FFB), when no offer is named"), required=False,
                                        queryset=Term.objects.filter(group="offer_type").order_by("display"),
                                        widget=SELECT, empty_label=_("– choose –"))
    scope = forms.CharField(label=_("Scope"), max_length=300, required=False, widget=TEXT)
    hours_per_week = forms.DecimalField(label=_("Hours per week"), required=False, min_value=0, max_digits=6,
                                        decimal_places=2, widget=forms.NumberInput(attrs={"class": "form-input"}))
    start = forms.DateField(label=_("Start"), required=False, widget=DATE)
    review_on = forms.DateField(label=_("Review date"), required=False, widget=DATE)
    justification = forms.CharField(label=_("Justification"), required=False, max_length=of(Decision, "justification"),
                                    widget=AREA)
    intrusive_reason = forms.CharField(label=_("Reason for a more intrusive step than the lowest adequate one"),
                                       required=False, max_length=of(Decision, "intrusive_reason"), widget=AREA)

    def __init__(self, *args, offers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers if offers is not None else Offer.objects.all()


def offers_by_step(form: DecisionForm, lowest: int) -> DecisionForm:
    """The decision's offer choice as steps of the staircase, least intrusive first: one group of
    offers per step, headed by the step's name, the lowest adequate step (the proposal's) marked."""
    field = form.fields["offer"]
    steps: dict[int, list] = {}
    for offer in field.queryset.order_by("staircase_step", "name"):
        steps.setdefault(int(offer.staircase_step), []).append((offer.pk, offer.name))
    groups = []
    for step, offers in sorted(steps.items()):
        label = str(StaircaseStep(step).label) if step in StaircaseStep.values else str(step)
        if step == lowest:
            label = _("%(step)s – proposed: the lowest adequate step") % {"step": label}
        groups.append((label, offers))
    field.choices = [("", field.empty_label), *groups]
    return form


def decision_fields(data: dict) -> dict:
    """The decision form's cleaned ``data`` as the decision service (and a proposal to the
    visitation meeting) takes it: the paragraph from the offer when none is chosen, dates only on a grant."""
    grant = data["kind"] == DecisionKind.GRANT
    return {"kind": data["kind"], "paragraph": data["paragraph"] or (data["offer"].legal_basis if data["offer"] else ""),
            "justification": data["justification"], "offer": data["offer"], "offer_type": data["offer_type"],
            "scope": data["scope"], "hours_per_week": data["hours_per_week"],
            "start": data["start"] if grant else None, "review_on": data["review_on"] if grant else None,
            "intrusive_reason": data["intrusive_reason"]}


class PlacementForm(forms.Form):
    offer = forms.ModelChoiceField(label=_("Offer"), queryset=Offer.objects.none(), widget=SELECT,
                                   empty_label=_("– choose –"))
    start = forms.DateField(label=_("Start"), widget=DATE)
    agreed_amount = forms.DecimalField(label=_("Agreed tariff (kr., external offers)"), required=False, min_value=0,
                                       max_digits=12, decimal_places=2,
                                       widget=forms.NumberInput(attrs={"class": "form-input"}))
    over_occupancy_reason = forms.CharField(label=_("Reason for over-occupancy (only if the offer is full)"),
                                            required=False, max_length=300, widget=TEXT)
    # Required for external offers by the service (start_placement), which knows the offer's kind.
    external_reason = forms.ChoiceField(label=_("Why an external offer (only for external offers)"), required=False,
                                        choices=[("", _("– own offer –"))] + list(ExternalReason.choices),
                                        widget=SELECT)

    # Optional: the development-plan initiative this placement realises (an alternative solution, a
    # step down, a placement brought home), linked when the placement is made (docs/plans.md).
    initiative = forms.ChoiceField(label=_("Realises the initiative (development plan)"), required=False,
                                   choices=[], widget=SELECT)

    def __init__(self, *args, offers=None, initiatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers if offers is not None else Offer.objects.all()
        self.fields["initiative"].choices = [("", _("– none –"))] + [(str(i.pk), f"{i.plan}: {i}") for i in initiatives]
        if not initiatives:
            del self.fields["initiative"]


def show_take_reason(form: InquiryForm) -> InquiryForm:
    """The reason for taking a citizen without a team into the caseload is asked for only when
    the service has asked for it (or it has been given): otherwise the field stays hidden."""
    if not form.errors.get("take_reason") and not (form.data.get("take_reason") or "").strip():
        form.fields["take_reason"].widget = forms.HiddenInput()
    else:
        form.fields["take_reason"].help_text = _(
            "The citizen is known to the department but has no responsible team. Registering the inquiry takes "
            "the citizen into your team's caseload; this is logged with your reason.")
    return form
