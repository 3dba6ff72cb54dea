"""Agreed placement tariffs in Django admin, read-only: they change through the placement services
(start, renegotiate), which re-cost and audit."""

from django.contrib import admin

from roret.core.admin import ReadOnlyAdmin
from roret.placements.models import PlacementTariff


@admin.register(PlacementTariff)
class PlacementTariffAdmin(ReadOnlyAdmin):
    list_display = ["placement", "valid_from", "amount", "unit", "hours_per_week", "note"]
    list_filter = ["unit"]
    date_hierarchy = "valid_from"
    list_select_related = ["placement", "placement__offer"]
