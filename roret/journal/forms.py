"""The journal's forms: a note, a correction of a note, and a correction of a recorded field. The
forms parse what was typed; the services decide (and their refusals are put back on the form)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from roret.core.forms import DanishChoicesMixin, danish_empty_choices
from roret.journal.models import NoteCategory
from roret.journal.services import REASON_MAX, TEXT_MAX, date_error

DATE = forms.DateInput(attrs={"type": "date", "class": "form-input"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"class": "form-input", "rows": 8})
REASON = forms.Textarea(attrs={"class": "form-input", "rows": 2})
SELECT = forms.Select(attrs={"class": "form-select"})
TEXT = forms.TextInput(attrs={"class": "form-input"})


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the notes"), required=False, max_length=100, widget=TEXT)
    category = forms.ChoiceField(label=_("Category"), required=False, widget=SELECT,
                                 choices=[("", _("All categories")), *NoteCategory.choices])


class NoteDate:
    def clean_noted_on(self):
        day = self.cleaned_data["noted_on"]
        error = date_error(day)
        if error:
            raise forms.ValidationError(error)
        return day


class NoteForm(NoteDate, DanishChoicesMixin, forms.Form):
    noted_on = forms.DateField(label=_("Date"), widget=DATE)
    category = forms.ChoiceField(label=_("Category"), choices=[("", ""), *NoteCategory.choices], widget=SELECT)
    inquiry = forms.ModelChoiceField(label=_("Case"), queryset=None, required=False, widget=SELECT,
                                     empty_label=_("– no particular case –"))
    text = forms.CharField(label=_("The note"), max_length=TEXT_MAX, widget=TEXTAREA)

    def __init__(self, *args, inquiries=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inquiry"].queryset = inquiries
        self.fields["category"].choices = [("", _("– choose –")), *NoteCategory.choices]


class CorrectNoteForm(NoteDate, DanishChoicesMixin, forms.Form):
    noted_on = forms.DateField(label=_("Date"), widget=DATE)
    category = forms.ChoiceField(label=_("Category"), choices=NoteCategory.choices, widget=SELECT)
    text = forms.CharField(label=_("The corrected note"), max_length=TEXT_MAX, widget=TEXTAREA)
    reason = forms.CharField(label=_("Why is the note corrected?"), max_length=REASON_MAX, widget=REASON)


def _widget(field):
    if isinstance(field, forms.DateField):
        return DATE
    if isinstance(field, forms.ChoiceField):
        return SELECT
    if isinstance(field, forms.BooleanField):
        return forms.CheckboxInput(attrs={"class": "form-checkbox"})
    if isinstance(field.widget, forms.Textarea):
        return forms.Textarea(attrs={"class": "form-input", "rows": 4})
    return TEXT


def correction_form(model, fields, data=None, *, instance):
    """A form for correcting ``fields`` of ``instance``, with the reason; the fields start from what
    is recorded. Only parses: the correction service checks the whole record."""
    form = forms.Form(data)
    for name in fields:
        field = model._meta.get_field(name).formfield()
        field.widget = _widget(field)
        field.widget.attrs.update(field.widget_attrs(field.widget))  # maxlength, as the field's own widget had
        form.fields[name] = field
        value = getattr(instance, name)
        form.initial[name] = value.pk if hasattr(value, "pk") else value
    form.fields["reason"] = forms.CharField(label=_("Why is it corrected?"), max_length=REASON_MAX, widget=REASON)
    return danish_empty_choices(form)


class TariffCorrectionForm(DanishChoicesMixin, forms.Form):
    amount = forms.DecimalField(label=_("Amount (kr.)"), min_value=0, max_digits=12, decimal_places=2,
                                widget=forms.NumberInput(attrs={"class": "form-input", "step": "0.01"}))
    unit = forms.ChoiceField(label=_("Unit"), widget=SELECT)
    reason = forms.CharField(label=_("Why is it corrected?"), max_length=REASON_MAX, widget=REASON)

    def __init__(self, *args, **kwargs):
        from roret.offers.models import TariffUnit

        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = TariffUnit.choices
