"""What every roret form shares: an empty choice that speaks Danish."""

from django import forms
from django.utils.translation import gettext_lazy as _

EMPTY_CHOICE = _("– choose –")
DJANGO_BLANK = "---------"


def danish_empty_choices(form: forms.BaseForm) -> forms.BaseForm:
    """Replace Django's "---------" empty choice on every choice field of ``form`` with "– vælg –"
    (a field that names its own empty label keeps it)."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and field.empty_label == DJANGO_BLANK:
            field.empty_label = EMPTY_CHOICE
        elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            choices = list(field.choices)
            if choices and choices[0] == ("", DJANGO_BLANK):
                field.choices = [("", EMPTY_CHOICE), *choices[1:]]
    return form


class DanishChoicesMixin:
    """A form whose empty choices read "– vælg –" instead of "---------"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        danish_empty_choices(self)
