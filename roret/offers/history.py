"""The history of an offer's dated rows as a person reads it: each row that was entered, and beside
it the corrections that put it right, with who recorded them, when and why."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from roret.offers.models import Offer, PlaceChange, Tariff


def recorder(row) -> str:
    user = row.recorded_by
    return (user.get_full_name() or user.get_username()) if user else ""


@dataclass
class TariffChain:
    """A tariff row as first entered, and the corrections of it in order; the last is in force."""

    rows: list[Tariff]

    @property
    def original(self) -> Tariff:
        return self.rows[0]

    @property
    def corrections(self) -> list[Tariff]:
        return self.rows[1:]

    @property
    def current(self) -> Tariff:
        return self.rows[-1]

    #: The last day it applies (the day before the next tariff's date), or None while no later one is known.
    until: datetime.date | None = None
    #: "now", "past" or "future" on the day the history is read.
    state: str = "now"

    @property
    def valid_from(self) -> datetime.date:
        return self.original.valid_from


def tariff_history(offer: Offer, today: datetime.date | None = None) -> list[TariffChain]:
    """Every tariff row of ``offer``, newest date first, each correction after the row it corrects,
    with the period each applies in and whether that is past, now or to come on ``today``."""
    today = today or datetime.date.today()
    rows = list(Tariff.history.filter(offer=offer).select_related("recorded_by").order_by("valid_from", "pk"))
    corrected_by = {row.corrects_id: row for row in rows if row.corrects_id}
    chains = []
    for row in rows:
        if row.corrects_id is not None:
            continue
        chain = [row]
        while chain[-1].pk in corrected_by:
            chain.append(corrected_by[chain[-1].pk])
        for previous, following in zip(chain, chain[1:], strict=False):
            following.corrected_row = previous
            previous.correction = following
        chains.append(TariffChain(chain))
    chains.sort(key=lambda c: c.valid_from)
    for i, chain in enumerate(chains):
        following = chains[i + 1] if i + 1 < len(chains) else None
        chain.until = following.valid_from - datetime.timedelta(days=1) if following else None
        chain.state = ("future" if chain.valid_from > today else
                       "past" if chain.until is not None and chain.until < today else "now")
    return chains[::-1]


@dataclass
class PlaceEntry:
    """A change in places as first entered, the corrections of it, and what they add up to now
    (per date: a correction may move the change to another date, or take it back)."""

    original: PlaceChange
    corrections: list[PlaceChange] = field(default_factory=list)

    @property
    def net(self) -> dict[datetime.date, int]:
        out: dict[datetime.date, int] = {}
        for row in [self.original, *self.corrections]:
            out[row.valid_from] = out.get(row.valid_from, 0) + row.change
        return {day: n for day, n in sorted(out.items()) if n}

    @property
    def taken_back(self) -> bool:
        return bool(self.corrections) and not self.net

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)

    def as_now(self) -> tuple[datetime.date, int]:
        """The date and change this entry amounts to now, for the correction form (its first
        date when the corrections spread it over two; 0 when it was taken back)."""
        net = self.net
        if not net:
            return self.original.valid_from, 0
        day = next(iter(net))
        return day, net[day]


def place_history(offer: Offer) -> list[PlaceEntry]:
    """Every change in places of ``offer``, newest first, with its corrections and the number of
    places the offer has from each row's date (all corrections counted)."""
    rows = list(PlaceChange.objects.filter(offer=offer).select_related("recorded_by").order_by("valid_from", "pk"))
    entries: dict[int, PlaceEntry] = {}
    for row in rows:
        if row.corrects_id is None:
            entries[row.pk] = PlaceEntry(row)
    for row in rows:
        if row.corrects_id is not None and row.corrects_id in entries:
            entries[row.corrects_id].corrections.append(row)
    for row in rows:
        row.places_after = sum(r.change for r in rows if r.valid_from <= row.valid_from)
    return sorted(entries.values(), key=lambda e: (e.original.valid_from, e.original.pk), reverse=True)
