from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from roret.core.models import Centre, Department, Team, Term, Unit, User


@admin.register(User)
class RoretUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "team", "centre", "is_active"]
    list_filter = ["role", "team", "centre", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("roret", {"fields": ("role", "team", "centre")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("roret", {"fields": ("role", "team", "centre")}),)


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
