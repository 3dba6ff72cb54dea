"""Capacity groups: the pools of interchangeable own places that the capacity plan is made for.

A group is defined by legal basis, because that is what a grant entitles a citizen to and
what an own place can be used for: a citizen granted a §108 place can take any free own
§108 place, and one who finds none is bought a §108 place elsewhere. So a group holds

- **own places**: the places of the department's own offers (provider kind "own") in the
  group's legal bases that are allocated by visitation (``requires_visitation``; open
  drop-in offers such as a §104 værested have no places to run out of), and
- **demand**: every placement in those own offers (the municipality's own citizens and
  places sold to other municipalities alike: both take a place) plus the own citizens
  (paying municipality = our code) placed in external offers of the same legal bases.

The list is code, not data: it changes when the law does, and a pooled plan only makes
sense for places that citizens can really use interchangeably. docs/capacity.md explains it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from roret.offers.models import LegalBasis


@dataclass(frozen=True)
class CapacityGroup:
    key: str
    label: str
    legal_bases: tuple[str, ...]
    residential: bool


GROUPS: tuple[CapacityGroup, ...] = (
    CapacityGroup("sel108", _("Own long-term residential places (SEL §108)"), (LegalBasis.SEL_108,), True),
    CapacityGroup("sel107", _("Own temporary residential places (SEL §107)"), (LegalBasis.SEL_107,), True),
    CapacityGroup("abl105", _("Own housing with support (ABL §105)"), (LegalBasis.ABL_105,), True),
    CapacityGroup("sel104", _("Own activity and social offers (SEL §104)"), (LegalBasis.SEL_104,), False),
    CapacityGroup("sel103", _("Own sheltered employment (SEL §103)"), (LegalBasis.SEL_103,), False),
)
BY_KEY = {g.key: g for g in GROUPS}
CHOICES = [(g.key, g.label) for g in GROUPS]


def get_group(key: str) -> CapacityGroup:
    try:
        return BY_KEY[key]
    except KeyError:
        raise Http404(f"no capacity group {key!r}") from None


def parse_group(key: str) -> CapacityGroup:
    """The group named ``key``, or ValueError naming the known keys (for the command line)."""
    if key not in BY_KEY:
        raise ValueError(f"unknown group {key!r}; choose one of {', '.join(BY_KEY)}")
    return BY_KEY[key]
