"""Template access to roret.reports.toolkit.charts: ``{% load charts %}{% line_chart series x_labels=... title=... %}``."""

from django import template

from roret.reports.toolkit import charts

register = template.Library()


@register.simple_tag
def line_chart(series, **kwargs):
    """Inline SVG line chart; the keyword arguments are those of charts.line_chart."""
    return charts.line_chart(series, **kwargs)


@register.simple_tag
def bar_chart(series, **kwargs):
    """Inline SVG bar chart; the keyword arguments are those of charts.bar_chart."""
    return charts.bar_chart(series, **kwargs)


@register.filter
def da_number(value, decimals=0):
    """A number in Danish notation with ``decimals`` places: ``{{ x|da_number:1 }}``."""
    return charts.format_da(value, int(decimals))
