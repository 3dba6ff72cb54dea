from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def amount(value) -> str:
    """A plan amount as Danish text, exact: -1.600, -250,5, 12.345,25; empty for no estimate."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    sign = "−" if value < 0 else ""
    whole, _, fraction = format(abs(value), "f").partition(".")
    fraction = fraction.rstrip("0")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"
