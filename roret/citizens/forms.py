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


# --- relatives at meetings (follow-ups and network meetings) and as goal supporters -------------
# The pages' hand-built fields: ``relative`` (a select of the citizen's relatives), ``role`` (or
# ``how``), and ``took_part_<participant id>`` per invited relative. Parsed here, decided by the
# services (outcomes.services.invite_to_follow_up, visitation.services.invite_to_meeting, ...).


def chosen_relative(post, relatives, errors, field: str = "relative"):
    """The relative chosen among the citizen's own ``relatives`` (a relative of another citizen is
    never among them), or None with the error noted on ``field``."""
    from django.utils.translation import gettext as _

    from roret.core.parsing import id_or_none

    wanted = id_or_none(post.get(field))
    found = next((r for r in relatives if r.pk == wanted), None)
    if found is None:
        errors.add(field, _("Choose one of the citizen's own relatives or network persons."))
    return found


def attendance_rows(participants, post) -> list[dict]:
    """Each invited relative with the answer shown in its select: what was posted (kept after an
    error), else what is recorded."""
    return [{"participant": p, "name": f"took_part_{p.pk}", "chosen": post.get(f"took_part_{p.pk}") or p.took_part}
            for p in participants]


def posted_attendance(post, participants) -> dict:
    """{participant id: answer} of the took_part selects posted (the service checks the answers)."""
    return {p.pk: post[f"took_part_{p.pk}"] for p in participants if post.get(f"took_part_{p.pk}")}
