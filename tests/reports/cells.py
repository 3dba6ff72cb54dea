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
