"""Grants and the waiting list: what a citizen (by CPR, in the importer's caseload) is granted,
under which paragraph and offer type, from when, and the offer they wish for. A grant without a
placement in force stands on the waiting list. New grants are written through
``placements.services.create_grant`` (checked and audited); a grant in roret with the same
citizen, paragraph, offer type and start whose end, review date, scope or wished offer differ is
changed, audited with before and after."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from roret.core import audit, permissions
from roret.core.models import Term
from roret.imports.kinds import register
from roret.imports.kinds.base import Kind, Plan, cell, choice, date, text
from roret.imports.kinds.citizens import cpr_of, existing_by_cpr, numbers_in
from roret.imports.kinds.placements import check_citizen_and_period, offer_of, offers_by_name
from roret.imports.reading import Row, Table
from roret.offers.models import LegalBasis
from roret.placements.models import Grant

FIELDS = ("end", "review_on", "scope", "preferred_offer_id")


def paragraph_of(row: Row, plan: Plan) -> str | None:
    """A legal basis written as its code (SEL108), as "§ 108", "108", or as its label."""
    value = cell(row, "paragraph", plan)
    raw = re.sub(r"[\s§.]", "", str(value or "")).casefold()
    codes = {code.casefold(): code for code in LegalBasis.values}
    if not raw:
        if not row.cells["paragraph"].formula:
            plan.error(row, "paragraph", _("This cell must be filled in."))
        return None
    for candidate in (raw, f"sel{raw}"):
        if candidate in codes:
            return codes[candidate]
    return choice(row, "paragraph", plan, LegalBasis) or None


class GrantKind(Kind):
    name = "grants"
    label = gettext_lazy("Grants and the waiting list")
    roles = permissions.CASEWORKERS
    sheet_names = ("bevillinger", "venteliste", "grants")
    columns = {
        "cpr": ("cpr", "cpr-nummer", "cpr nummer"),
        "paragraph": ("paragraf", "lovgrundlag", "legal basis"),
        "offer_type": ("tilbudstype", "offer type"),
        "start": ("start", "startdato", "fra"),
        "end": ("slut", "slutdato", "til", "end"),
        "review_on": ("revurdering", "revurderingsdato", "review date"),
        "scope": ("omfang", "scope"),
        "preferred_offer": ("ønsket tilbud", "wished offer"),
    }
    required = ("cpr", "paragraph", "offer_type", "start")
    example = ("010203-1234", "SEL108", "Almindeligt længerevarende botilbud til voksne", "01-02-2026", "", "01-02-2027",
               "", "Bostedet")

    def prepare(self, table: Table, *, actor, plan: Plan) -> None:
        self.citizens, _outside = existing_by_cpr(numbers_in(table), actor=actor)
        self.offers = offers_by_name()
        self.types = {}
        for term in Term.objects.filter(group="offer_type"):
            self.types[" ".join(term.display.split()).casefold()] = term
            self.types[term.code.casefold()] = term
        ids = sorted(c.pk for c in self.citizens.values())
        self.db = {}
        for start in range(0, len(ids), 500):
            for grant in Grant.objects.filter(citizen_id__in=ids[start:start + 500]).annotate(
                    placed_until=Max("placements__end")):
                self.db[(grant.citizen_id, grant.paragraph, grant.offer_type_id, grant.start)] = grant
        self.seen: dict[tuple, int] = {}

    def check(self, row: Row, plan: Plan, *, actor) -> None:
        errors = len(plan.errors)
        number = cpr_of(row, plan)
        paragraph = paragraph_of(row, plan)
        type_name = text(row, "offer_type", plan, max_length=300, required=True)
        offer_type = self.types.get((type_name or "").casefold())
        if type_name and offer_type is None:
            plan.error(row, "offer_type", _("Unknown offer type: %(name)s (an FFB offer type, e.g. Almindeligt "
                                            "længerevarende botilbud til voksne).") % {"name": type_name})
        start, end = date(row, "start", plan, required=True), date(row, "end", plan)
        review_on = date(row, "review_on", plan)
        scope = text(row, "scope", plan, max_length=300)
        preferred = offer_of(row, plan, self.offers, key="preferred_offer") if row.get("preferred_offer") else None
        citizen = self.citizens.get(number) if number else None
        check_citizen_and_period(row, plan, number, citizen, start, end)
        if len(plan.errors) > errors:
            return
        key = (citizen.pk, paragraph, offer_type.pk, start)
        if key in self.seen:
            plan.error(row, "start", _("The same grant is also on row %(row)d.") % {"row": self.seen[key]})
            return
        self.seen[key] = row.number
        values = {"end": end, "review_on": review_on, "scope": scope or "",
                  "preferred_offer_id": preferred.pk if preferred else None}
        grant = self.db.get(key)
        if grant is None:
            plan.count("new")
            plan.actions.append((citizen, paragraph, offer_type, start, values, preferred))
            return
        changes = {f: v for f, v in values.items() if getattr(grant, f) != v}
        placed = grant.placed_until
        if "end" in changes and end is not None and (grant.placements.filter(end__isnull=True).exists()
                                                     or (placed is not None and placed > end)):
            plan.error(row, "end", _("The grant is placed beyond %(end)s: end the placement first.")
                       % {"end": f"{end:%d-%m-%Y}"})
            return
        plan.count("changed" if changes else "unchanged")
        if changes:
            plan.actions.append((grant, changes))

    def apply(self, plan: Plan, *, actor, channel: str, progress=None) -> None:
        from roret.placements import services
        from roret.placements.services import GRANT_FIELDS

        for action in plan.actions:
            if len(action) == 6:
                citizen, paragraph, offer_type, start, values, preferred = action
                services.create_grant(citizen, paragraph=paragraph, offer_type=offer_type, start=start, actor=actor,
                                      scope=values["scope"], end=values["end"], review_on=values["review_on"],
                                      preferred_offer=preferred, channel=channel)
                continue
            grant, changes = action
            with transaction.atomic():
                grant = permissions.fetch(actor, permissions.CHANGE, Grant, grant.pk, via="citizen", lock=True)
                before = audit.snapshot(grant, GRANT_FIELDS)
                for field, value in changes.items():
                    setattr(grant, field, value)
                grant.save(update_fields=[f.removesuffix("_id") for f in changes])
                audit.record(actor, "change", citizen=grant.citizen_id, obj=grant, channel=channel,
                             summary=f"Bevilling ændret ved import: {grant}", before=before,
                             after=audit.snapshot(grant, GRANT_FIELDS))


register(GrantKind())
