"""The administrator's users page: list, create, change access, deactivate and reactivate, set a
password. Thin: the forms parse, roret.core.services decides and audits."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roret.core import forms, login_guard, services, two_factor
from roret.core.access import role_required
from roret.core.models import AuditEntry, Role, User
from roret.core.permissions import ADMINS

PAGE_SIZE = 100


def staff_users():
    """The users the administrator manages: staff. Citizens' own accounts (roret.helm) have no
    password and no role to change, and are left to the citizen's caseworker."""
    return User.objects.exclude(role=Role.CITIZEN)


@role_required(ADMINS)
def user_list(request):
    users = staff_users().select_related("team", "centre").order_by("-is_active", "last_name", "first_name",
                                                                    "username")
    role = request.GET.get("role", "")
    if role in Role.values:
        users = users.filter(role=role)
    status = request.GET.get("status", "active")
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    text = request.GET.get("q", "").strip()
    if text:
        users = users.filter(Q(username__icontains=text) | Q(first_name__icontains=text)
                             | Q(last_name__icontains=text) | Q(email__icontains=text))
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/users.html", {
        "lockouts": login_guard.lockouts(), "citizen_accounts": User.objects.filter(role=Role.CITIZEN).count(),
        "page": page, "roles": [(v, label) for v, label in Role.choices if v != Role.CITIZEN], "role": role,
        "status": status, "q": text, "query": query.urlencode(),
    })


@role_required(ADMINS)
def user_create(request):
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(actor=request.user, username=data["username"], first_name=data["first_name"],
                                        last_name=data["last_name"], email=data["email"], role=data["role"],
                                        team=data["team"], centre=data["centre"], password=data.get("password1", ""),
                                        reason=data["reason"])
        except ValidationError as exc:
            forms.apply_errors(form, exc, rename={"password": "password1"})
        else:
            messages.success(request, _("%(user)s is created and can log in.") % {"user": user.get_username()})
            return redirect("core:user_detail", user_pk=user.pk)
    return render(request, "core/user_new.html", {"form": form}, status=400 if form.errors else 200)


def _detail(request, person, *, access=None, active=None, password=None, reset=None, lift=None, status=200):
    access = access or forms.AccessForm(prefix="access", initial={"role": person.role, "team": person.team_id,
                                                                  "centre": person.centre_id})
    active = active or forms.ActiveForm(prefix="active", initial={"active": "0" if person.is_active else "1"})
    history = (AuditEntry.objects.filter(object_type=User._meta.label_lower, object_id=str(person.pk))
               .order_by("-at", "-id")[:50])
    return render(request, "core/user_detail.html", {
        "person": person, "access_form": access, "active_form": active, "staff_sso": settings.RORET_STAFF_OIDC,
        "password_form": password or forms.PasswordForm(prefix="password"), "history": history,
        "lockout": login_guard.is_locked(person.username), "has_device": bool(two_factor.devices(person)),
        "reset_form": reset or forms.TwoFactorResetForm(prefix="reset"),
        "lift_form": lift or forms.LockoutLiftForm(prefix="lift", initial={"kind": "username",
                                                                           "value": person.username}),
    }, status=status)


@role_required(ADMINS)
def user_detail(request, user_pk):
    return _detail(request, get_object_or_404(staff_users().select_related("team", "centre"), pk=user_pk))


def _post(view):
    """A form on the user's page: a GET goes back to the page; a refusal shows the page with the
    form's errors (400); success goes back to the page with a message."""

    @role_required(ADMINS)
    def wrapped(request, user_pk):
        person = get_object_or_404(staff_users().select_related("team", "centre"), pk=user_pk)
        if request.method != "POST":
            return _back(person, "")
        return view(request, person)

    wrapped.__name__ = view.__name__
    return wrapped


def _back(person, anchor: str):
    return redirect(reverse("core:user_detail", kwargs={"user_pk": person.pk}) + anchor)


@_post
def user_access(request, person):
    form = forms.AccessForm(request.POST, prefix="access")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.change_access(person, actor=request.user, role=data["role"], team=data["team"],
                                   centre=data["centre"], reason=data["reason"])
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("The access of %(user)s is changed.") % {"user": person.get_username()})
            return _back(person, "")
    return _detail(request, person, access=form, status=400)


@_post
def user_active(request, person):
    form = forms.ActiveForm(request.POST, prefix="active")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_active(person, actor=request.user, active=data["active"], reason=data["reason"])
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, (_("%(user)s is reactivated and can log in again.") if data["active"] else
                                       _("%(user)s is deactivated and can no longer log in."))
                             % {"user": person.get_username()})
            return _back(person, "")
    return _detail(request, person, active=form, status=400)


@_post
def user_password(request, person):
    form = forms.PasswordForm(request.POST, prefix="password")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_password(person, actor=request.user, password=data["password1"], reason=data["reason"])
        except ValidationError as exc:
            forms.apply_errors(form, exc, rename={"password": "password1"})
        else:
            messages.success(request, _("%(user)s has a new password.") % {"user": person.get_username()})
            return _back(person, "")
    return _detail(request, person, password=form, status=400)


@_post
def user_two_factor_reset(request, person):
    form = forms.TwoFactorResetForm(request.POST, prefix="reset")
    if form.is_valid():
        try:
            two_factor.reset(person, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("The authenticator of %(user)s is removed; they set up a new one at their "
                                        "next login.") % {"user": person.get_username()})
            return _back(person, "")
    return _detail(request, person, reset=form, status=400)


@require_POST
@role_required(ADMINS)
def lockout_lift(request):
    """Lift a lockout: from a user's page (by user name) or from the users list (a name or an address)."""
    form = forms.LockoutLiftForm(request.POST, prefix="lift")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.lift_lockout(actor=request.user, kind=data["kind"], value=data["value"], reason=data["reason"])
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("%(value)s can log in again.") % {"value": data["value"]})
            return redirect(request.POST.get("back") if request.POST.get("back", "").startswith("/users/")
                            else "core:users")
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{form.fields[field].label or field}: {error}" if field != "__all__" else error)
    return redirect(request.POST.get("back") if request.POST.get("back", "").startswith("/users/") else "core:users")
