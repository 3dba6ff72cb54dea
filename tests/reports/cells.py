"""Read the figures a page marks as counts of citizens (``data-citizens``) and as hidden
(``data-hidden``), for the committee's page tests."""

import re

MARKED = re.compile(r"<(span|td)\b([^>]*\bdata-(?:citizens|hidden)\b[^>]*)>(.*?)</\1>", re.S)


def marked(html: str) -> list[tuple[str, bool, bool]]:
    """(text, is a count of citizens, is hidden) for every marked figure of ``html``."""
    out = []
    for _tag, attrs, inner in MARKED.findall(html):
        text = re.sub(r"<[^>]+>", "", inner).strip()
        out.append((text, "data-citizens" in attrs, "data-hidden" in attrs))
    return out


def small_counts_shown(html: str) -> list[str]:
    """Counts of citizens of 1-4 that ``html`` shows (the committee must see none)."""
    return [text for text, citizens, hidden in marked(html) if citizens and not hidden and text in "1234" and text]


def hidden_texts(html: str) -> list[str]:
    return [text for text, _c, hidden in marked(html) if hidden]


def small_catalogue(world, start):
    """The committee's small world: the residential offer (2 places) with 1 resident and 1 citizen
    waiting for it; the day offer (10 places) with 7 residents and 3 waiting; the external offer with
    6 own citizens. Several of these counts are 1-4, so a page must hide them."""
    world.place(world.citizen(first_name="Beboer"), world.residential, start=start)
    world.grant(world.citizen(first_name="Venter"), world.residential, start=start, preferred_offer=world.residential)
    for i in range(7):
        world.place(world.citizen(first_name=f"Dag{i}"), world.day_offer, start=start)
    for i in range(3):
        world.grant(world.citizen(first_name=f"DagVenter{i}"), world.day_offer, start=start,
                    preferred_offer=world.day_offer)
    for i in range(6):
        world.place(world.citizen(first_name=f"Ude{i}"), world.external, start=start)
    return world
