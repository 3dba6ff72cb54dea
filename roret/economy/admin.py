"""Reference data the administrator keeps: §176 reimbursement levels and self-sufficiency targets.
(Budgets are the economist's, on the budget page; cost segments are derived and not edited.)"""

from django.contrib import admin

from roret.economy.models import ReimbursementLevel, SelfSufficiencyTarget


@admin.register(ReimbursementLevel)
class ReimbursementLevelAdmin(admin.ModelAdmin):
    list_display = ["year", "threshold", "rate"]
    list_filter = ["year"]


@admin.register(SelfSufficiencyTarget)
class SelfSufficiencyTargetAdmin(admin.ModelAdmin):
    list_display = ["year", "target"]
