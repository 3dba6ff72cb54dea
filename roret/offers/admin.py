"""The offer catalogue in Django admin, read-only: providers, offers, places and tariffs change on
the catalogue's own pages, through roret.offers.services, as dated rows with who and why."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from roret.core.admin import ReadOnlyAdmin, ReadOnlyInline
from roret.offers.models import Offer, PlaceChange, Provider, Tariff


class PlaceChangeInline(ReadOnlyInline):
    model = PlaceChange
    fields = ["valid_from", "change", "reason", "corrects", "recorded_by", "recorded_at"]


class TariffInline(ReadOnlyInline):
    model = Tariff
    fields = ["valid_from", "amount", "unit", "note", "reason", "corrects", "recorded_by", "recorded_at"]

    def get_queryset(self, request):
        # Every row, the corrected ones too: the full history, not only the rows in force.
        return Tariff.history.select_related("recorded_by", "corrects")


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["name", "provider", "legal_basis", "staircase_step", "account_function", "is_residential"]
    list_filter = ["legal_basis", "provider__kind", "account_function", "staircase_step"]
    search_fields = ["name", "provider__name"]
    inlines = [PlaceChangeInline, TariffInline]


@admin.register(Provider)
class ProviderAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "municipality_code", "cvr"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(PlaceChange)
class PlaceChangeAdmin(ReadOnlyAdmin):
    list_display = ["offer", "valid_from", "change", "corrects", "recorded_by", "recorded_at", "reason"]
    list_filter = ["offer__provider__kind"]
    search_fields = ["offer__name", "reason"]
    date_hierarchy = "valid_from"


@admin.register(Tariff)
class TariffAdmin(ReadOnlyAdmin):
    list_display = ["offer", "valid_from", "amount", "unit", "in_force", "corrects", "recorded_by", "recorded_at",
                    "reason"]
    list_filter = ["unit", "offer__provider__kind"]
    search_fields = ["offer__name", "reason", "note"]
    date_hierarchy = "valid_from"

    def get_queryset(self, request):
        return Tariff.history.select_related("offer", "recorded_by", "corrects", "corrected_by")

    @admin.display(boolean=True, description=_("in force"))
    def in_force(self, row):
        return not hasattr(row, "corrected_by")
