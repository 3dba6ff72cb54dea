"""HTML to PDF with WeasyPrint: the report templates render once and print."""

from __future__ import annotations

from django.template.loader import render_to_string


def render_pdf(template: str, context: dict, *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML  # imported here: WeasyPrint loads Pango at import

    html = render_to_string(template, context)
    return HTML(string=html, base_url=base_url).write_pdf()
