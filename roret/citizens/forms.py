"""Forms for the citizen record's relatives and consents."""

from django import forms

from roret.citizens.models import Consent, Relative
from roret.core.forms import DanishChoicesMixin

# The design system's classes: without them DKFDS's reset (appearance: none) draws a bare checkbox
# as nothing at all, and inputs and selects without their frame.
TEXT = forms.TextInput(attrs={"class": "form-input"})
SELECT = forms.Select(attrs={"class": "form-select"})
DATE = forms.DateInput(attrs={"type": "date", "class": "form-input"})


class RelativeForm(DanishChoicesMixin, forms.ModelForm):
    class Meta:
        model = Relative
        fields = ["name", "relation", "phone", "email", "is_network_person"]
        widgets = {"name": TEXT, "relation": SELECT, "phone": TEXT,
                   "email": forms.EmailInput(attrs={"class": "form-input"}),
                   "is_network_person": forms.CheckboxInput(attrs={"class": "form-checkbox"})}


class ConsentForm(DanishChoicesMixin, forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["subject", "description", "given_on", "given_by", "expires_on"]
        widgets = {"subject": SELECT, "description": TEXT, "given_on": DATE, "given_by": TEXT, "expires_on": DATE}
