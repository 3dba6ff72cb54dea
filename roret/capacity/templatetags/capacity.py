"""Template filters of the capacity pages."""

from django import template

from roret.reports.toolkit.charts import format_da

register = template.Library()


@register.filter
def pct(value, decimals=1):
    """A share (0.0734) as a Danish percentage ("7,3 %"); None as "–"."""
    if value is None:
        return "–"
    return f"{format_da(float(value) * 100, int(decimals))} %"
