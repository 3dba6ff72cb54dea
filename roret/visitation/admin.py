from django.contrib import admin

from roret.visitation.models import CaseDeadline


@admin.register(CaseDeadline)
class CaseDeadlineAdmin(admin.ModelAdmin):
    """The municipality's case-processing deadlines per service type (weeks), kept by the administrator."""

    list_display = ["paragraph", "weeks"]
    ordering = ["paragraph"]
