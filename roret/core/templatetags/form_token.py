"""``{% form_token %}``: the hidden field that makes a form's double submit write once
(roret.core.form_tokens). A builtin (settings.TEMPLATES), so a template needs no ``{% load %}``."""

from django import template
from django.utils.html import format_html

from roret.core import form_tokens

register = template.Library()


@register.simple_tag
def form_token():
    return format_html('<input type="hidden" name="{}" value="{}">', form_tokens.FIELD, form_tokens.new_token())
