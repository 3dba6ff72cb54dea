from django.contrib import admin

from roret.offers.models import Offer, PlaceChange, Provider, Tariff


class PlaceChangeInline(admin.TabularInline):
    model = PlaceChange
    extra = 0


class TariffInline(admin.TabularInline):
    model = Tariff
    extra = 0


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "legal_basis", "staircase_step", "account_function", "is_residential"]
    list_filter = ["legal_basis", "provider__kind", "account_function", "staircase_step"]
    search_fields = ["name", "provider__name"]
    filter_horizontal = ["target_groups"]
    inlines = [PlaceChangeInline, TariffInline]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality_code", "cvr"]
    list_filter = ["kind"]
    search_fields = ["name"]
