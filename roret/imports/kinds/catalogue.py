"""The offer catalogue's places and tariffs over time: per offer (by name) and date, the number of
places and the standard tariff with its unit. Each is a dated row, never an overwrite, written
through the offers' services (``set_places``, ``add_tariff``, ``correct_tariff``), which check,
audit and re-cost the offer's placements."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from roret.core import permissions
from roret.imports.kinds import register
from roret.imports.kinds.base import Kind, Plan, amount, cell, choice, date, whole
from roret.imports.kinds.placements import offer_of, offers_by_name
from roret.imports.reading import Row, Table
from roret.offers.models import PlaceChange, Tariff, TariffUnit

#: Tariff.amount holds 12 digits, two of them decimals.
TARIFF_MAX = Decimal("9999999999.99")
REASON = "Importeret fra regneark"
#: The short Danish names a sheet often has for the units, beside the labels ("per dag").
UNITS = {"dag": TariffUnit.DAY, "måned": TariffUnit.MONTH, "time": TariffUnit.HOUR, "modul": TariffUnit.MODULE}


class CatalogueKind(Kind):
    name = "catalogue"
    label = gettext_lazy("Offer catalogue: places and tariffs")
    roles = permissions.CATALOGUE_EDITORS
    sheet_names = ("tilbud", "catalogue")
    columns = {
        "offer": ("tilbud", "offer"),
        "valid_from": ("gælder fra", "fra", "valid from"),
        "places": ("pladser", "places"),
        "tariff": ("takst", "tariff"),
        "unit": ("enhed", "takstenhed", "unit"),
    }
    required = ("offer", "valid_from")
    example = ("Bostedet", "01-01-2026", 12, "2250,00", "per dag")

    def prepare(self, table: Table, *, actor, plan: Plan) -> None:
        self.offers = offers_by_name()
        self.tariffs = {(t.offer_id, t.valid_from): t for t in Tariff.objects.all()}
        self.changes: dict[int, list[tuple]] = {}
        for offer_id, day, change in PlaceChange.objects.values_list("offer_id", "valid_from", "change"):
            self.changes.setdefault(offer_id, []).append((day, change))
        self.seen: dict[tuple, int] = {}

    def check(self, row: Row, plan: Plan, *, actor) -> None:
        errors = len(plan.errors)
        offer = offer_of(row, plan, self.offers)
        day = date(row, "valid_from", plan, required=True)
        places = whole(row, "places", plan, low=0, high=10_000)
        tariff = amount(row, "tariff", plan, maximum=TARIFF_MAX)
        unit = UNITS.get(str(cell(row, "unit", plan) or "").strip().casefold()) or choice(row, "unit", plan, TariffUnit)
        if tariff is not None and unit == "" and "unit" in row.cells and not row.cells["unit"].formula:
            plan.error(row, "unit", _("Give the tariff's unit (per day, month, hour or module)."))
        if unit and "tariff" in row.cells and str(row.get("tariff") or "").strip() == "":
            plan.error(row, "tariff", _("A unit without a tariff: give the tariff too."))
        if places is None and tariff is None and len(plan.errors) == errors:
            plan.error(row, "places", _("Give the places, the tariff, or both."))
        if offer and day and (offer.pk, day) in self.seen:
            plan.error(row, "valid_from", _("%(offer)s from %(day)s is also on row %(row)d.")
                       % {"offer": offer.name, "day": f"{day:%d-%m-%Y}", "row": self.seen[(offer.pk, day)]})
        if offer and day:
            self.seen.setdefault((offer.pk, day), row.number)
        if len(plan.errors) > errors:
            return
        statuses = []
        if places is not None:
            now = sum(c for d, c in self.changes.get(offer.pk, []) if d <= day)
            dated = any(d == day for d, _c in self.changes.get(offer.pk, []))
            statuses.append("unchanged" if now == places else "changed" if dated else "new")
            if now != places:
                plan.actions.append(("places", offer, day, places))
        if tariff is not None:
            row_now = self.tariffs.get((offer.pk, day))
            same = row_now is not None and (row_now.amount, row_now.unit) == (tariff, unit)
            statuses.append("unchanged" if same else "new" if row_now is None else "changed")
            if not same:
                plan.actions.append(("tariff", offer, day, (tariff, unit, row_now)))
        plan.count("new" if "new" in statuses else "changed" if "changed" in statuses else "unchanged")

    def apply(self, plan: Plan, *, actor, channel: str, progress=None) -> None:
        from roret.offers import services

        # Places in date order per offer, so each row's difference is counted from the one before.
        for what, offer, day, value in sorted(plan.actions, key=lambda a: (a[1].pk, a[2], a[0])):
            if what == "places":
                services.set_places(offer, valid_from=day, places=value, actor=actor, reason=REASON, channel=channel)
            elif value[2] is None:
                services.add_tariff(offer, valid_from=day, amount=value[0], unit=value[1], actor=actor,
                                    reason=REASON, channel=channel)
            else:
                services.correct_tariff(value[2], amount=value[0], unit=value[1], actor=actor, reason=REASON,
                                        channel=channel)


register(CatalogueKind())
