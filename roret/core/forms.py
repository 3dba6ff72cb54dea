"""What roret's forms share (an empty choice that speaks Danish, a service's refusal put onto the
form) and the forms of the administrator's users page. The forms parse what was typed; the
services decide."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from roret.core.models import Centre, Role, Team

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


TEXT = forms.TextInput(attrs={"class": "form-input"})
SELECT = forms.Select(attrs={"class": "form-select"})
REASON = forms.Textarea(attrs={"class": "form-input", "rows": 2})
PASSWORD = forms.PasswordInput(attrs={"class": "form-input", "autocomplete": "new-password"})


def apply_errors(form, exc, rename: dict | None = None) -> None:
    """Put a service's ValidationError onto ``form``: each message on its field where the form has
    that field (by the error dict's keys, or by an error whose code names a field, e.g.
    ``external_reason``; ``rename`` maps a service's field name to the form's), else at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = (rename or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        code = (rename or {}).get(getattr(exc, "code", None), getattr(exc, "code", None))
        form.add_error(code if code in form.fields else None, exc.messages)


def _role_choices():
    # A citizen's own account comes from an invitation (roret.helm), never from this form.
    return [("", _("– choose –"))] + [(v, label) for v, label in Role.choices if v != Role.CITIZEN]


class AccessFields(forms.Form):
    """A user's role, and the team or centre the role needs."""

    role = forms.ChoiceField(label=_("Role"), choices=_role_choices, widget=SELECT)
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.order_by("name"),
                                  widget=SELECT, empty_label=_("– no team –"),
                                  help_text=_("Only for caseworkers: the team gives the caseload they see."))
    centre = forms.ModelChoiceField(label=_("Centre"), required=False, queryset=Centre.objects.order_by("name"),
                                    widget=SELECT, empty_label=_("– no centre –"),
                                    help_text=_("Only for centre staff and centre leaders: the centre gives the "
                                                "residents they see and the places a leader changes."))


class PasswordFields(forms.Form):
    password1 = forms.CharField(label=_("Password"), strip=False, widget=PASSWORD,
                                help_text=_("At least 12 characters, not only digits, not a common password and "
                                            "not like the user's name."))
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=PASSWORD)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords are not the same."))
        return data


class UserCreateForm(AccessFields, PasswordFields):
    username = forms.CharField(label=_("User name"), max_length=150, widget=TEXT,
                               help_text=_("What the person logs in with, e.g. the municipality's initials."))
    first_name = forms.CharField(label=_("First name"), max_length=150, widget=TEXT)
    last_name = forms.CharField(label=_("Last name"), max_length=150, widget=TEXT)
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254,
                             widget=forms.EmailInput(attrs={"class": "form-input"}))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300, widget=REASON)

    field_order = ["username", "first_name", "last_name", "email", "role", "team", "centre", "password1",
                   "password2", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if settings.RORET_STAFF_OIDC:
            # People log in at the municipality's identity provider (roret.core.oidc): no password here.
            del self.fields["password1"], self.fields["password2"]
            self.fields["username"].help_text = _("The person's id at the municipality's login (the claim %(claim)s), "
                                                  "so their first login finds this user.") % {
                                                      "claim": settings.RORET_OIDC_USERNAME_CLAIM}


class AccessForm(AccessFields):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=REASON,
                             help_text=_("Why the access changes, e.g. \"Moved to Team Handicap from 1 March\"."))


class ActiveForm(forms.Form):
    active = forms.TypedChoiceField(choices=[("0", "0"), ("1", "1")], coerce=lambda v: v == "1",
                                    widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=REASON)


class PasswordForm(PasswordFields):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=REASON,
                             help_text=_("E.g. \"Forgot the password; identity checked by phone\"."))


class TwoFactorResetForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=REASON,
                             help_text=_("E.g. \"Lost the phone; identity checked by phone\"."))


class LockoutLiftForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=[("username", _("User name")), ("ip", _("Address"))], widget=forms.HiddenInput)
    value = forms.CharField(label=_("User name or address"), max_length=150, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=REASON,
                             help_text=_("E.g. \"Called the user; it was them, the caps lock was on\"."))


class PageErrors:
    """The errors of a page whose fields are not one Django form (a goal's progress per goal,
    WHO-5's answers as radio groups): each message under the name of the field it belongs to, in
    the order found, so the page lists every one of them in the error summary at the top
    (core/_error_summary.html), each linking to its field, and shows it again at the field.

    ``anchors`` maps a field's name to the id its link goes to when that is not the name itself
    (a radio group's first radio)."""

    def __init__(self, anchors: dict | None = None):
        self.items: list[dict] = []
        self.anchors = anchors or {}

    def add(self, name: str | None, message) -> None:
        self.items.append({"name": name, "anchor": self.anchors.get(name, name) if name else "",
                           "message": str(message)})

    def add_all(self, messages: dict) -> None:
        """Each message of ``{field: message}`` under its field (``text_limits.errors``' answer)."""
        for name, message in messages.items():
            self.add(name, message)

    def add_exc(self, exc, *, fields=(), rename: dict | None = None, default: str | None = None) -> None:
        """Put a ValidationError's messages under their fields: by the error dict's keys (``rename``
        maps a service's name to the page's), else under ``default``; a key that is no field of the
        page (``fields``) is listed at the top without a link."""
        pairs = (exc.message_dict.items() if hasattr(exc, "error_dict") else [(default, exc.messages)])
        for name, messages in pairs:
            name = (rename or {}).get(name, name)
            for message in messages:
                self.add(name if name in fields or name == default else None, message)

    def __bool__(self) -> bool:
        return bool(self.items)

    def of(self, name: str) -> list[str]:
        """The messages of one field (none: an empty list)."""
        return [i["message"] for i in self.items if i["name"] == name]

    def __getitem__(self, name: str) -> list[str]:
        """The messages of one field, for the message beside it (``errors.held_on`` in a template);
        KeyError when it has none, so a template's ``errors.items`` still finds the attribute."""
        found = self.of(name)
        if not found:
            raise KeyError(name)
        return found


class ApiTokenForm(forms.Form):
    """A new API token: what it is for, and how long it lives (roret.core.api_tokens)."""

    name = forms.CharField(label=_("Name"), max_length=100,
                           widget=forms.TextInput(attrs={"class": "form-input", "autocomplete": "off"}),
                           help_text=_("What the token is used for, e.g. \"Report script\". It stands on "
                                       "the audit log entries of every call made with it."))
    days = forms.TypedChoiceField(label=_("Lives for"), coerce=int, choices=(),
                                  widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, **kwargs):
        from roret.core.api_tokens import lifetimes

        super().__init__(*args, **kwargs)
        self.fields["days"].choices = [(d, _("%(days)d days") % {"days": d}) for d in lifetimes()]
        self.fields["days"].initial = lifetimes()[min(1, len(lifetimes()) - 1)]
