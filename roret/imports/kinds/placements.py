"""Placements with their history: a citizen (by CPR, in the importer's caseload) in an offer (by
name) from a start to an optional end. Each new placement gets a grant of the offer's legal basis
and type for the same period. Checked against the file and the database: end before start, unknown
offer or citizen, an offer closed before the end, two placements of one citizen in the same offer
at once, and two residential places at once. Written in bulk in one transaction, with an audit row
per placement and the economy's re-costing and the compliance list marked for after the commit."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from roret.citizens import cpr as cprlib
from roret.core import permissions
from roret.imports.kinds import register
from roret.imports.kinds.base import Kind, Plan, choice, date, text
from roret.imports.kinds.citizens import cpr_of, existing_by_cpr, numbers_in
from roret.imports.reading import Row, Table
from roret.offers.models import Offer
from roret.placements.models import EndReason, ExternalReason, Grant, Placement


def check_citizen_and_period(row: Row, plan: Plan, number: str | None, citizen, start, end) -> None:
    """The errors a row about a citizen's period has in common (placements, grants): a CPR number not
    in the importer's caseload, an end not after the start."""
    if number and citizen is None:
        plan.error(row, "cpr", _("No citizen with CPR number %(cpr)s in your caseload: import the citizens "
                                 "first.") % {"cpr": cprlib.mask(number)})
    if start and end and end <= start:
        plan.error(row, "end", _("The end (%(end)s) is not after the start (%(start)s).")
                   % {"end": f"{end:%d-%m-%Y}", "start": f"{start:%d-%m-%Y}"})


BATCH = 2000


@dataclass
class Stay:
    """One placement of the file or the database, for the overlap checks."""

    citizen_id: int
    offer: Offer
    start: datetime.date
    end: datetime.date | None
    row: Row | None = None          # a file row
    existing: Placement | None = None
    end_reason: str = ""
    external_reason: str = ""


def _overlaps(a: Stay, b: Stay) -> bool:
    return (a.end is None or b.start < a.end) and (b.end is None or a.start < b.end)


def offers_by_name() -> dict[str, list[Offer]]:
    found = defaultdict(list)
    for offer in Offer.objects.select_related("provider"):
        found[" ".join(offer.name.split()).casefold()].append(offer)
    return found


def offer_of(row: Row, plan: Plan, offers: dict[str, list[Offer]], key: str = "offer") -> Offer | None:
    name = text(row, key, plan, max_length=200, required=True)
    if not name:
        return None
    matches = offers.get(name.casefold(), [])
    if not matches:
        plan.error(row, key, _("Unknown offer: %(name)s (write the offer's name as in the catalogue).") % {"name": name})
        return None
    if len(matches) > 1:
        plan.error(row, key, _("%(name)s is the name of offers from %(n)d providers: rename one in the catalogue.")
                   % {"name": name, "n": len(matches)})
        return None
    return matches[0]


class PlacementKind(Kind):
    name = "placements"
    label = gettext_lazy("Placements")
    roles = permissions.CASEWORKERS
    sheet_names = ("placeringer", "placements")
    columns = {
        "cpr": ("cpr", "cpr-nummer", "cpr nummer"),
        "offer": ("tilbud", "offer"),
        "start": ("start", "startdato", "fra"),
        "end": ("slut", "slutdato", "til", "end"),
        "end_reason": ("slutårsag", "end reason"),
        "external_reason": ("begrundelse for eksternt tilbud", "external reason"),
    }
    required = ("cpr", "offer", "start")
    example = ("010203-1234", "Bostedet", "01-02-2024", "", "", "")

    def prepare(self, table: Table, *, actor, plan: Plan) -> None:
        self.citizens, _outside = existing_by_cpr(numbers_in(table), actor=actor)
        self.offers = offers_by_name()
        self.by_id = {o.pk: o for group in self.offers.values() for o in group}
        self.stays: list[Stay] = []
        self.db: dict[tuple, Placement] = {}
        ids = sorted(c.pk for c in self.citizens.values())
        for start in range(0, len(ids), 500):
            for p in Placement.objects.filter(citizen_id__in=ids[start:start + 500]).only(
                    "pk", "citizen_id", "offer_id", "start", "end", "end_reason", "grant_id"):
                self.db[(p.citizen_id, p.offer_id, p.start)] = p

    def check(self, row: Row, plan: Plan, *, actor) -> None:
        errors = len(plan.errors)
        number = cpr_of(row, plan)
        offer = offer_of(row, plan, self.offers)
        start, end = date(row, "start", plan, required=True), date(row, "end", plan)
        end_reason = choice(row, "end_reason", plan, EndReason)
        external_reason = choice(row, "external_reason", plan, ExternalReason)
        citizen = self.citizens.get(number) if number else None
        check_citizen_and_period(row, plan, number, citizen, start, end)
        if offer and start and offer.closed_on and (end is None or end > offer.closed_on):
            plan.error(row, "end", _("%(offer)s closes on %(day)s: the placement must end by then.")
                       % {"offer": offer.name, "day": f"{offer.closed_on:%d-%m-%Y}"})
        if offer and external_reason and offer.is_own:
            plan.error(row, "external_reason", _("%(offer)s is an own offer: a reason for an external placement "
                                                 "does not apply.") % {"offer": offer.name})
        if end is None and end_reason:
            plan.error(row, "end_reason", _("Only an ended placement has an end reason."))
        if len(plan.errors) > errors:
            return
        existing = self.db.pop((citizen.pk, offer.pk, start), None)
        # A column the file does not have leaves what roret holds as it is.
        if existing is not None and "end" not in row.cells:
            end = existing.end
        if existing is not None and "end_reason" not in row.cells and existing.end == end:
            end_reason = existing.end_reason
        elif end is not None and not end_reason:
            end_reason = EndReason.OTHER
        if not offer.is_own and not external_reason:
            external_reason = ExternalReason.UNKNOWN
        self.stays.append(Stay(citizen.pk, offer, start, end, row=row, existing=existing,
                               end_reason=end_reason, external_reason=external_reason))

    def finish(self, plan: Plan, *, actor) -> None:
        """Two stays of a citizen in one offer at once, or in two residential offers at once, are
        errors on the later row; a stay in the database that the file does not repeat stays as it is."""
        every = self.stays + [Stay(p.citizen_id, self.by_id[p.offer_id], p.start, p.end, existing=p)
                              for p in self.db.values() if p.offer_id in self.by_id]
        groups = defaultdict(list)
        for stay in every:
            groups[(stay.citizen_id, stay.offer.pk)].append(stay)
            if stay.offer.is_residential:
                groups[(stay.citizen_id, "residential")].append(stay)
        bad = set()
        for (_citizen, what), stays in groups.items():
            stays.sort(key=lambda s: (s.start, s.row.number if s.row else 0))
            latest = None  # the stay reaching furthest so far
            for stay in stays:
                if latest is not None and _overlaps(latest, stay) and (stay.row or latest.row):
                    blame = stay if stay.row else latest
                    other = latest if blame is stay else stay
                    where = (_("row %(row)d") % {"row": other.row.number} if other.row else
                             _("the placement in roret from %(day)s") % {"day": f"{other.start:%d-%m-%Y}"})
                    message = (_("Overlapping placements in %(offer)s: this one overlaps %(where)s.")
                               if what != "residential" else
                               _("Two residential places at once: this one overlaps %(where)s (%(offer)s)."))
                    if id(blame) not in bad:
                        plan.error(blame.row, "start", message % {"offer": other.offer.name, "where": where})
                        bad.add(id(blame))
                if latest is None or latest.end is not None and (stay.end is None or stay.end > latest.end):
                    latest = stay
        plan.errors.sort(key=lambda e: (e[0], e[1]))
        for stay in self.stays:
            if id(stay) in bad:
                continue
            if stay.existing is None:
                plan.count("new")
            elif stay.existing.end == stay.end and (stay.end is None or stay.existing.end_reason == stay.end_reason):
                plan.count("unchanged")
                continue
            else:
                plan.count("changed")
            plan.actions.append(stay)
        self.stays = []

    def apply(self, plan: Plan, *, actor, channel: str, progress=None) -> None:
        from roret.core import audit
        from roret.economy.services import recost_after_commit
        from roret.imports.auditing import audit_many
        from roret.outcomes import compliance
        from roret.placements.services import GRANT_FIELDS, PLACEMENT_FIELDS

        own = settings.RORET["MUNICIPALITY_CODE"]
        teams = {c.pk: c.team_id for c in self.citizens.values()}
        touched, entries = [], []
        new = [s for s in plan.actions if s.existing is None]
        changed = [s for s in plan.actions if s.existing is not None]
        for done in range(0, len(new), BATCH):
            chunk = new[done:done + BATCH]
            grants = Grant.objects.bulk_create([
                Grant(citizen_id=s.citizen_id, paragraph=s.offer.legal_basis, offer_type_id=s.offer.offer_type_id,
                      start=s.start, end=s.end, team_id=teams[s.citizen_id], decided_by=actor) for s in chunk])
            placements = Placement.objects.bulk_create([
                Placement(grant=g, citizen_id=s.citizen_id, offer=s.offer, start=s.start, end=s.end,
                          is_residential=s.offer.is_residential, is_external=not s.offer.is_own,
                          external_reason=s.external_reason, end_reason=s.end_reason,
                          acting_municipality=own, paying_municipality=own)
                for s, g in zip(chunk, grants, strict=True)])
            for g, p in zip(grants, placements, strict=True):
                touched.append(p)
                entries.append(("create", g.citizen_id, g, f"Bevilling oprettet ved import: {g.paragraph} fra "
                                f"{g.start:%d.%m.%Y}", None, GRANT_FIELDS))
                entries.append(("create", p.citizen_id, p, f"Placering importeret: {p.offer} fra {p.start:%d.%m.%Y}",
                                None, PLACEMENT_FIELDS))
            if progress:
                progress(done / max(len(plan.actions), 1), _("Importing row %(row)d of %(total)d")
                         % {"row": done + len(chunk), "total": len(plan.actions)})
        for s in changed:
            p = Placement.objects.select_related("offer").get(pk=s.existing.pk)
            before = {name: str(getattr(p, name)) if getattr(p, name) is not None else None for name in ("end", "end_reason")}
            p.end, p.end_reason = s.end, s.end_reason if s.end else ""
            p.save(update_fields=["end", "end_reason"])
            grant = Grant.objects.get(pk=p.grant_id)
            if grant.end is not None and (s.end is None or grant.end < s.end):
                # The grant covers the placement it was made for: a later (or no) end moves it too, audited.
                grant_before = audit.snapshot(grant, GRANT_FIELDS)
                grant.end = s.end
                grant.save(update_fields=["end"])
                entries.append(("change", grant.citizen_id, grant, f"Bevillingens slutdato ændret ved import: "
                                f"{grant.paragraph} fra {grant.start:%d.%m.%Y}", grant_before, GRANT_FIELDS))
            touched.append(p)
            entries.append(("change", p.citizen_id, p, f"Placering ændret ved import: {p.offer} fra {p.start:%d.%m.%Y}",
                            before, PLACEMENT_FIELDS))
        audit_many(actor, entries, channel=channel)
        recost_after_commit(p.pk for p in touched)
        compliance.mark(p.citizen_id for p in touched)


register(PlacementKind())
