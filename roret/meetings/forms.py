"""Forms for the visitation meeting's pages; they parse, the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from roret.core.models import Role, User
from roret.offers.models import LegalBasis
from roret.visitation.forms import AREA, DATE, SELECT, DecisionForm


class PlanForm(forms.Form):
    held_on = forms.DateField(label=_("Date of the meeting"), widget=DATE)
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants (at least one department leader)"), queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = (User.objects.filter(is_active=True, role__in=[Role.LEADER, Role.CASEWORKER])
                                                .order_by("role", "first_name", "last_name", "username"))
        # A person by name and role (the user name says little at a meeting).
        self.fields["participants"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username} · {user.get_role_display()}")


class AnswerForm(forms.Form):
    reason = forms.CharField(label=_("The meeting's reason (required to change or send back)"), required=False,
                             max_length=2000, widget=AREA)


class ChangeForm(DecisionForm):
    """The proposal's decision fields as the meeting changes them, and why."""

    reason = forms.CharField(label=_("Why the meeting changes the proposal"), max_length=2000, widget=AREA)


class ScheduleForm(forms.Form):
    meeting = forms.ChoiceField(label=_("Meeting"), widget=SELECT)


class RuleForm(forms.Form):
    paragraphs = forms.MultipleChoiceField(label=_("Grants under these paragraphs go to the meeting"),
                                           choices=LegalBasis.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}))
    external_offers = forms.BooleanField(label=_("Every grant of an external offer goes to the meeting"),
                                         required=False, widget=forms.CheckboxInput(attrs={"class": "form-checkbox"}))
    yearly_cost_above = forms.DecimalField(label=_("Every grant whose yearly cost is above (kr.)"), required=False,
                                           min_value=0, max_digits=12, decimal_places=2,
                                           widget=forms.NumberInput(attrs={"class": "form-input"}))
