"""Forms of the scenario editor and the plan-run launcher."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from roret.capacity.models import Scenario, ScenarioEvent
from roret.capacity.runs import BASELINE
from roret.core.forms import danish_empty_choices


def _dkfds(form):
    """The design system's classes on every widget (inputs, selects, text areas), and Danish empty choices."""
    danish_empty_choices(form)
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-input"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ScenarioForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _dkfds(self)

    class Meta:
        model = Scenario
        fields = ["name", "description", "reserved_places", "reserved_from", "demand_factor", "demand_from"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if name.lower() in {"baseline", str(BASELINE).lower()}:
            raise forms.ValidationError(_("“%(name)s” is the name of the plan without changes."), params={"name": name})
        clash = Scenario.objects.filter(group=self.instance.group, name=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("This group already has a scenario called “%(name)s”."), params={"name": name})
        return name


class EventForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _dkfds(self)

    class Meta:
        model = ScenarioEvent
        fields = ["kind", "month", "places", "label"]


class EventRows(BaseInlineFormSet):
    """The scenario's event rows; row counts sent with the form that no page writes (below zero)
    are refused rather than read as extra rows."""

    def clean(self):
        super().clean()
        counts = self.management_form.cleaned_data
        if any(counts.get(name, 0) < 0 for name in ("TOTAL_FORMS", "INITIAL_FORMS")):
            raise ValidationError(_("The form's rows do not add up; open the page again and enter the events anew."))


EventFormSet = inlineformset_factory(
    Scenario, ScenarioEvent, form=EventForm, formset=EventRows, fields=["kind", "month", "places", "label"], extra=3, can_delete=True,
)


class RunForm(forms.Form):
    """Which saved scenarios to compute beside the baseline, and the simulation's settings."""

    scenarios = forms.ModelMultipleChoiceField(
        queryset=Scenario.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Scenarios beside the baseline"),
    )
    replications = forms.IntegerField(label=_("Replications"), min_value=100, max_value=20_000, initial=1000)
    seed = forms.IntegerField(label=_("Random seed (empty: new)"), min_value=0, max_value=2**31 - 1,
                              required=False)

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        _dkfds(self)
        self.fields["scenarios"].queryset = Scenario.objects.filter(group=group.key).order_by("name")
