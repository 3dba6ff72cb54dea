"""The registry of standardised instruments with their exact scoring rules.

An instrument is plain data plus one scoring function, so the page, the API, the command line
(``roret measure score WHO-5 --answers 3,4,2,5,1 --json``) and the tests score alike.

WHO-5 (WHO-Five Well-Being Index), 1998 version:

.. math::  raw = \\sum_{i=1}^{5} a_i,\\ a_i \\in \\{0..5\\};\\qquad score = 4 \\cdot raw \\in [0, 100]

Sources: the WHO-5 scoring sheet (Psychiatric Research Unit, WHO Collaborating Centre in Mental
Health, Frederiksborg General Hospital, Hillerød, 1998): raw score 0-25 times 4 gives 0-100;
a score of 50 or below indicates poor well-being, 28 or below likely depression; any item
answered 0 or 1 deserves attention. Topp CW, Østergaard SD, Søndergaard S, Bech P. The WHO-5
Well-Being Index: a systematic review of the literature. Psychother Psychosom 2015;84:167-176
(a change of 10 points is clinically meaningful). The Danish interpretation bands used in
Danish psychiatry and social psychiatry: above 50 normal; 36-50 at risk of stress or
depression; 35 and below high risk of depression.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


class InstrumentError(ValueError):
    """Answers that cannot be scored; the message says what is wrong and where."""


@dataclass(frozen=True)
class Band:
    key: str
    low: int          # inclusive, on the final score
    high: int         # inclusive
    label: str        # Danish interpretation (shown as is: the published Danish wording)
    severity: int     # 0 fine, 1 watch, 2 act


@dataclass(frozen=True)
class Scored:
    """The result of scoring one set of answers."""

    instrument: str
    answers: tuple[int, ...]
    raw: int
    score: int
    band: Band
    flagged_items: tuple[int, ...]   # 1-based item numbers answered at or below the flag level

    def as_dict(self) -> dict:
        return {"instrument": self.instrument, "raw": self.raw, "score": self.score,
                "band": self.band.key, "interpretation": self.band.label,
                "flagged_items": list(self.flagged_items), "answers": list(self.answers)}


@dataclass(frozen=True)
class Change:
    previous: int
    current: int
    delta: int
    meaningful: bool

    @property
    def direction(self) -> str:
        if not self.meaningful:
            return "unchanged"
        return "better" if self.delta > 0 else "worse"


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    period: str
    items: tuple[str, ...]
    answer_labels: dict            # answer value -> Danish label
    answer_min: int
    answer_max: int
    multiplier: int
    bands: tuple[Band, ...]
    flag_at_or_below: int
    meaningful_change: int
    source: str
    higher_is_better: bool = True
    notes: tuple = field(default_factory=tuple)

    @property
    def score_max(self) -> int:
        return len(self.items) * self.answer_max * self.multiplier

    def parse(self, text: str) -> list[int]:
        """Answers from "3,4,2,5,1" (commas or spaces); a clear error for anything else."""
        parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
        values = []
        for position, part in enumerate(parts, start=1):
            try:
                values.append(int(part.strip()))
            except ValueError as exc:
                raise InstrumentError(
                    _("%(code)s answer %(n)d (%(value)r) is not a whole number.")
                    % {"code": self.code, "n": position, "value": part.strip()}) from exc
        return values

    def score(self, answers: Sequence[int]) -> Scored:
        answers = tuple(answers)
        if len(answers) != len(self.items):
            raise InstrumentError(
                _("%(code)s has %(expected)d items; %(got)d answers were given.")
                % {"code": self.code, "expected": len(self.items), "got": len(answers)})
        for number, value in enumerate(answers, start=1):
            if isinstance(value, bool) or not isinstance(value, int):
                raise InstrumentError(_("%(code)s item %(n)d: the answer must be a whole number.")
                                      % {"code": self.code, "n": number})
            if not self.answer_min <= value <= self.answer_max:
                raise InstrumentError(
                    _("%(code)s item %(n)d: the answer %(value)d is outside %(min)d-%(max)d.")
                    % {"code": self.code, "n": number, "value": value, "min": self.answer_min,
                       "max": self.answer_max})
        raw = sum(answers)
        score = raw * self.multiplier
        flagged = tuple(n for n, v in enumerate(answers, start=1) if v <= self.flag_at_or_below)
        return Scored(self.code, answers, raw, score, self.band_for(score), flagged)

    def band_for(self, score: int) -> Band:
        for band in self.bands:
            if band.low <= score <= band.high:
                return band
        raise InstrumentError(_("%(code)s score %(score)d is outside the instrument's range.")
                              % {"code": self.code, "score": score})

    def change(self, previous: int, current: int) -> Change:
        delta = current - previous
        return Change(previous, current, delta, abs(delta) >= self.meaningful_change)


WHO5 = Instrument(
    code="WHO-5",
    name="WHO-5 Trivselsindeks",
    period="de sidste 2 uger",
    items=(
        "Jeg har været glad og i godt humør",
        "Jeg har følt mig rolig og afslappet",
        "Jeg har følt mig aktiv og energisk",
        "Jeg er vågnet frisk og udhvilet",
        "Min dagligdag har været fyldt med ting der interesserer mig",
    ),
    answer_labels={5: "Hele tiden", 4: "Det meste af tiden", 3: "Lidt mere end halvdelen af tiden",
                   2: "Lidt mindre end halvdelen af tiden", 1: "Lidt af tiden", 0: "På intet tidspunkt"},
    answer_min=0,
    answer_max=5,
    multiplier=4,
    bands=(
        Band("high_risk", 0, 35, "Høj risiko for depression (35 og derunder)", 2),
        Band("at_risk", 36, 50, "Risiko for stress eller depression (36-50)", 1),
        Band("normal", 51, 100, "Normal trivsel (over 50)", 0),
    ),
    flag_at_or_below=1,
    meaningful_change=10,
    source=("WHO-5 scoring sheet, Psychiatric Research Unit, Frederiksborg General Hospital, Hillerød 1998; "
            "Topp CW et al., Psychother Psychosom 2015;84:167-176"),
)

REGISTRY: dict[str, Instrument] = {WHO5.code: WHO5}


def get(code: str) -> Instrument:
    try:
        return REGISTRY[code]
    except KeyError as exc:
        raise InstrumentError(_("Unknown instrument %(code)r; known: %(known)s.")
                              % {"code": code, "known": ", ".join(sorted(REGISTRY))}) from exc


def choices() -> list[tuple[str, str]]:
    return [(code, instrument.name) for code, instrument in REGISTRY.items()]
