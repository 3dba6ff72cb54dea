"""Citizens: registered in the importing caseworker's team's caseload, matched by CPR number through
the keyed hash (never compared in clear), so a second import of the same file changes nothing."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from roret.citizens import cpr as cprlib
from roret.citizens.models import Citizen
from roret.core import permissions
from roret.core.permissions import CHANGE
from roret.imports.kinds import register
from roret.imports.kinds.base import Kind, Plan, cell, text
from roret.imports.reading import Row, Table

FIELDS = ("first_name", "last_name", "address", "postcode", "city", "district")
LENGTHS = {"first_name": 100, "last_name": 100, "address": 200, "postcode": 4, "city": 100, "district": 100}


def cpr_of(row: Row, plan: Plan, key: str = "cpr") -> str | None:
    """The row's CPR number, normalised, or None with the reason (format, length, date)."""
    value = cell(row, key, plan)
    if value is None:
        if not row.cells[key].formula:
            plan.error(row, key, _("Give the citizen's CPR number (DDMMYY-SSSS)."))
        return None
    try:
        return cpr_value(value)
    except ValidationError as exc:
        plan.error(row, key, exc.messages[0])
        return None


def cpr_value(value) -> str:
    """A cell's CPR number, validated; a number cell has lost a leading zero (0102031234 ->
    102031234), which is put back. Raises ValidationError."""
    raw = str(value).strip()
    if isinstance(value, int | float) and not isinstance(value, bool) and re.fullmatch(r"\d{9}", str(int(value))):
        raw = f"{int(value):010d}"
    return cprlib.validate(raw)


def numbers_in(table: Table) -> set[str]:
    """The valid CPR numbers of the table's "cpr" column, read as the rows' own checks read them
    (:func:`cpr_value`), so a number cell's citizen is found too; the rows report the others."""
    index, numbers = table.columns["cpr"][0], set()
    for _number, values in table.rows:
        try:
            numbers.add(cpr_value(values[index] if index < len(values) else ""))
        except ValidationError:
            continue
    return numbers


def existing_by_cpr(numbers, *, actor, action: str = CHANGE) -> tuple[dict[str, Citizen], set[str]]:
    """Citizens with these CPR numbers (by the keyed hash): ``(number -> citizen the actor may
    ``action``, numbers registered outside the actor's scope)``."""
    by_hash = {}
    for number in numbers:
        for h in cprlib.lookup_hashes(number):
            by_hash[h] = number
    found, outside, hashes = {}, set(), list(by_hash)
    scope = Citizen.objects.restrict(actor, action)
    for start in range(0, len(hashes), 500):
        chunk = hashes[start:start + 500]
        mine = {c.cpr_hash: c for c in scope.filter(cpr_hash__in=chunk)}
        for h in Citizen.objects.filter(cpr_hash__in=chunk).values_list("cpr_hash", flat=True):
            if h in mine:
                found[by_hash[h]] = mine[h]
            else:
                outside.add(by_hash[h])
    return found, outside


class CitizenKind(Kind):
    name = "citizens"
    label = gettext_lazy("Citizens")
    roles = permissions.CASEWORKERS
    sheet_names = ("borgere", "citizens")
    columns = {
        "cpr": ("cpr", "cpr-nummer", "cpr nummer"),
        "first_name": ("fornavn", "first name"),
        "last_name": ("efternavn", "last name"),
        "address": ("adresse", "address"),
        "postcode": ("postnummer", "postnr", "postcode"),
        "city": ("by", "city"),
        "district": ("distrikt", "bydel", "district"),
    }
    required = ("cpr", "first_name", "last_name")
    example = ("010203-1234", "Anna", "Jensen", "Rorvej 1", "9990", "Demoby", "Nord")

    def prepare(self, table: Table, *, actor, plan: Plan) -> None:
        self.found, self.outside = existing_by_cpr(numbers_in(table), actor=actor)
        self.seen: dict[str, int] = {}

    def check(self, row: Row, plan: Plan, *, actor) -> None:
        errors = len(plan.errors)
        number = cpr_of(row, plan)
        # Only the columns the file has: a column it lacks leaves what roret holds as it is.
        values = {f: text(row, f, plan, max_length=LENGTHS[f], required=f in self.required)
                  for f in FIELDS if f in row.cells}
        postcode = values.get("postcode")
        if postcode and not re.fullmatch(r"\d{4}", postcode):
            plan.error(row, "postcode", _("A postcode has 4 digits."))
        if number is not None:
            if number in self.seen:
                plan.error(row, "cpr", _("The citizen %(cpr)s is also on row %(row)d: each citizen once.")
                           % {"cpr": cprlib.mask(number), "row": self.seen[number]})
            else:
                self.seen[number] = row.number
            if number in self.outside:
                plan.error(row, "cpr", _("A citizen with this CPR number is already registered, in another "
                                         "team's caseload."))
        if len(plan.errors) > errors:
            return
        citizen = self.found.get(number)
        if citizen is None:
            plan.count("new")
            plan.actions.append(("new", number, values))
            return
        changes = {f: v for f, v in values.items() if (getattr(citizen, f) or "") != v}
        plan.count("changed" if changes else "unchanged")
        if changes:
            plan.actions.append(("changed", citizen, changes))

    def apply(self, plan: Plan, *, actor, channel: str, progress=None) -> None:
        from roret.citizens import services

        for i, (status, subject, values) in enumerate(plan.actions):
            if status == "new":
                services.create_citizen(cpr=subject, actor=actor, team=actor.team, channel=channel, **values)
            else:
                services.update_citizen(subject, actor=actor, channel=channel, **values)
            if progress and i % 200 == 0:
                progress(i / len(plan.actions), _("Importing row %(row)d of %(total)d")
                         % {"row": i + 1, "total": len(plan.actions)})


register(CitizenKind())
