"""Django admin for the administrator's reference data.

Admin is read-only for what touches money or the gate: those change through services that check
the actor, keep dated rows and write the audit log (the offer catalogue's pages, the budget page,
the users page). ``ReadOnlyAdmin`` is that rule for a model; on User, the role, team, centre, active
and admin flags, groups and permissions are shown read-only, and a password may still be set.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

from roret.core.models import Centre, Department, Team, Term, Unit, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted here: the rows touch money or access, and change
    through roret's own pages and services, audited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


#: The fields on a user that decide what the gate lets through; changed on the users page only.
ACCESS_FIELDS = ("role", "team", "centre", "is_active", "is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class RoretUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "team", "centre", "is_active"]
    list_filter = ["role", "team", "centre", "is_active"]
    readonly_fields = ACCESS_FIELDS + ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Access (changed on roret's users page, with a reason)"), {"fields": ACCESS_FIELDS}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def has_add_permission(self, request):
        return False  # users are created on roret's users page, audited

    def has_delete_permission(self, request, obj=None):
        return False  # a user who leaves is deactivated: the audit log keeps pointing to them


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["display", "group", "code", "version"]
    list_filter = ["group"]
    search_fields = ["display", "code"]
    readonly_fields = ["code", "version"]


admin.site.register(Department)
admin.site.register(Centre)
admin.site.register(Unit)
admin.site.register(Team)

# roret gives access by role, not by Django's groups and permissions (read-only on the user above).
admin.site.unregister(Group)
# The task queue's own rows are technical (arguments and tracebacks, with English labels); a
# background job's progress and result are shown on roret's own job pages.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
# Authenticators hold their users' TOTP secrets, and lifting a lockout is audited: both are done on
# roret's users page (services with a reason), not by editing rows here.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
