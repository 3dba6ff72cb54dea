"""The user's own account: the second factor (set up, give the code) and logging out everywhere.
Thin: roret.core.two_factor and roret.core.sessions decide and audit."""

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from roret.core import forms, sessions, two_factor


class CodeForm(django_forms.Form):
    token = django_forms.CharField(
        label=gettext_lazy("Code from the app"), max_length=12,
        widget=django_forms.TextInput(attrs={"class": "form-input input-width-xs", "autocomplete": "one-time-code",
                                             "inputmode": "numeric", "autofocus": True}),
        help_text=gettext_lazy("6 digits; a new code comes every 30 seconds."))


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return "/"


@login_required
def account(request):
    return render(request, "core/account.html", {
        "has_device": bool(two_factor.devices(request.user)), "required": two_factor.required(request.user),
        "verified": two_factor.is_verified(request),
    })


@require_POST
@login_required
def logout_everywhere(request):
    sessions.logout_everywhere(request)
    messages.success(request, _("You are logged out on every computer and phone. Log in again."))
    return redirect("login")


@login_required
def two_factor_setup(request):
    has_device = bool(two_factor.devices(request.user))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.confirm_setup(request, form.cleaned_data["token"])
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("Two-factor login is set up. Next time you log in, you give a code "
                                        "from the app after the password."))
            return redirect(_next(request))
    context = {"form": form, "has_device": has_device, "next": _next(request),
               "required": two_factor.required(request.user)}
    if not has_device:
        device = two_factor.pending_device(request)
        context.update(qr=two_factor.qr_svg(device), secret=two_factor.base32_secret(device))
    return render(request, "core/two_factor_setup.html", context, status=400 if form.errors else 200)


@login_required
def two_factor_verify(request):
    if two_factor.is_verified(request):
        return redirect(_next(request))
    if not two_factor.devices(request.user):
        return redirect(f"{reverse('core:two_factor_setup')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.verify(request, form.cleaned_data["token"])
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            return redirect(_next(request))
    return render(request, "core/two_factor_verify.html", {"form": form, "next": _next(request)},
                  status=400 if form.errors else 200)
