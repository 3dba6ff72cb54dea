"""A small server-rendered trend line for a balance figure: inline SVG, no script and no style
attribute (the CSP forbids both), with a <title> and an aria-label that say the numbers, so a
screen reader gets the trend; the page also shows the numbers in a table."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

from roret.reports.toolkit.charts import format_da

WIDTH, HEIGHT, PAD = 120, 32, 3


def sparkline(values: Sequence[Decimal | int | None], labels: Sequence[str], title: str, *, decimals: int = 1,
              target: Decimal | None = None) -> SafeString:
    """An SVG line of ``values`` (None: a gap) over ``labels``, with ``target`` as a dashed line."""
    points = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    said = "; ".join(f"{label}: {format_da(v, decimals) if v is not None else '–'}" for label, v in
                     zip(labels, values, strict=True))
    text = escape(f"{title}. {said}", quote=True)
    if not points:
        return mark_safe(f'<svg class="roret-spark" role="img" aria-label="{text}" width="{WIDTH}" height="{HEIGHT}" '
                         f'viewBox="0 0 {WIDTH} {HEIGHT}"><title>{text}</title></svg>')
    ys = [y for _, y in points] + ([float(target)] if target is not None else [])
    lo, hi = min(ys), max(ys)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    n = max(len(values) - 1, 1)

    def x(i):
        return PAD + (WIDTH - 2 * PAD) * i / n

    def y(v):
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v - lo) / (hi - lo)

    parts = [f'<svg class="roret-spark" role="img" aria-label="{text}" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}"><title>{text}</title>']
    if target is not None:
        ty = y(float(target))
        parts.append(f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#6f6f6f" '
                     'stroke-width="1" stroke-dasharray="3 2"/>')
    segment: list[str] = []
    segments = []
    for i, v in enumerate(values):
        if v is None:
            if segment:
                segments.append(segment)
            segment = []
        else:
            segment.append(f"{x(i):.1f},{y(float(v)):.1f}")
    if segment:
        segments.append(segment)
    for seg in segments:
        parts.append(f'<polyline fill="none" stroke="#0059b3" stroke-width="1.5" points="{" ".join(seg)}"/>')
    last_i, last_v = points[-1]
    parts.append(f'<circle cx="{x(last_i):.1f}" cy="{y(last_v):.1f}" r="2.5" fill="#0059b3"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
