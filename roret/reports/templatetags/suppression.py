"""Figures on pages as the committee may see them (roret.reports.toolkit.suppression).

``{% load suppression %}{% figure o.occupied o|hides:"occupied" %}`` renders a count of citizens
in a ``<span data-citizens>``, or "skjult" (``data-hidden``) when the pattern hides it;
``citizens=False`` marks a figure that is not a head count but would give one away (vacancy).
``{% hidden_note %}`` is the note every page with a hidden cell carries.
"""

from django import template
from django.utils.html import format_html

from roret.reports.toolkit.charts import format_da
from roret.reports.toolkit.suppression import NOTE, hidden_label, small

register = template.Library()


@register.filter
def hides(row, name) -> bool:
    """Whether ``row`` hides ``name``: a set of hidden names, or an object or dict whose
    ``hidden`` is one."""
    if isinstance(row, set | frozenset | list | tuple):
        return name in row
    hidden = row.get("hidden", ()) if isinstance(row, dict) else getattr(row, "hidden", ())
    return name in hidden


@register.filter
def and_small(suppress, n) -> bool:
    """``suppress|and_small:n``: whether a count standing alone (no total shown beside it) is hidden."""
    return bool(suppress) and small(n)


@register.simple_tag
def figure(value, hidden=False, citizens=True, decimals=0):
    """A figure, or "skjult" when hidden; a count of citizens carries ``data-citizens``."""
    mark = " data-citizens" if citizens else ""
    if hidden:
        return format_html('<span class="roret-suppressed"{} data-hidden>{}</span>', mark, hidden_label())
    text = "–" if value is None else format_da(value, int(decimals))
    return format_html("<span{}>{}</span>", mark, text)


@register.inclusion_tag("reports/_hidden_note.html")
def hidden_note(shown=True):
    """The note on why cells are hidden (rendered when ``shown``)."""
    return {"note": NOTE if shown else None}
