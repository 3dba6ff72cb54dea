"""The economy's reference rows in Django admin, read-only: budgets (the economist's budget page),
§176 reimbursement levels and self-sufficiency targets touch money, so admin shows them and does not
change them; cost segments are derived and not shown."""

from django.contrib import admin

from roret.core.admin import ReadOnlyAdmin
from roret.economy.models import Budget, ReimbursementLevel, SelfSufficiencyTarget


@admin.register(ReimbursementLevel)
class ReimbursementLevelAdmin(ReadOnlyAdmin):
    list_display = ["year", "threshold", "rate"]
    list_filter = ["year"]


@admin.register(SelfSufficiencyTarget)
class SelfSufficiencyTargetAdmin(ReadOnlyAdmin):
    list_display = ["year", "target"]


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ["year", "account_function", "amount", "note", "updated"]
    list_filter = ["year", "account_function"]
