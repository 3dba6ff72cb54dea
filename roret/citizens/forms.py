"""Forms for the citizen record's relatives and consents."""

from django import forms

from roret.citizens.models import Consent, Relative
from roret.core.forms import DanishChoicesMixin


class RelativeForm(DanishChoicesMixin, forms.ModelForm):
    class Meta:
        model = Relative
        fields = ["name", "relation", "phone", "email", "is_network_person"]


class ConsentForm(DanishChoicesMixin, forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["subject", "description", "given_on", "given_by", "expires_on"]
        widgets = {"given_on": forms.DateInput(attrs={"type": "date"}),
                   "expires_on": forms.DateInput(attrs={"type": "date"})}
