"""Template filters of the capacity pages."""

from django import template

from roret.reports.charts import format_da

register = template.Library()


@register.filter
def pct(value, decimals=1):
    """A share (0.0734) as a Danish percentage ("7,3 %"); None as "–"."""
    if value is None:
        return "–"
    return f"{format_da(float(value) * 100, int(decimals))} %"


@register.filter
def citizens(value, hide_small=False):
    """A head count; for the committee (``hide_small``) 1-4 citizens show as "<5"."""
    from roret.reports.tables import SUPPRESSED, small

    if hide_small and small(value):
        return SUPPRESSED
    return format_da(value, 0)


@register.filter
def hidden(row, column):
    """Whether ``column`` of ``row`` is suppressed (set by the view as ``row.hidden``)."""
    return column in getattr(row, "hidden", ())
