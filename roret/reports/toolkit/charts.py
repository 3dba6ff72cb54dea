"""Server-side charts: one definition that renders as inline SVG on pages and in PDF reports.

No JavaScript and no stylesheet are needed: every colour and font is an SVG attribute, so the
same markup looks the same in a browser and in WeasyPrint. Each chart carries ``role="img"``
with ``<title>`` and ``<desc>`` (referenced by ``aria-labelledby``), and every point or bar has
its own ``<title>`` with the value in Danish number format, so a screen reader and a mouse
hover both get the number.

Use::

    from roret.reports.toolkit.charts import Band, Series, bar_chart, line_chart

    svg = line_chart(
        [Series("Median", [10, 12, 13]), Series("Places", [12, 12, 14], dashed=True)],
        x_labels=["2025", "2026", "2027"],
        bands=[Band("P10–P90", lower=[8, 9, 10], upper=[12, 15, 17])],
        y_label="Citizens", title="Expected demand",
    )
    # in a template: {{ svg }}   (a SafeString)  or  {% load charts %}{% line_chart ... %}

Values may be ``int``, ``float`` or ``Decimal``; ``None`` leaves a gap. ``y_format`` turns a
value into its label (default: Danish grouping, ``decimals`` places); ``percent=True`` formats
values as percentages (values are given in per cent, e.g. 43.5).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

# Colour-blind safe (Okabe–Ito order), starting with DKFDS primary blue.
PALETTE = ["#0059b3", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#6f6f6f", "#f0e442"]
FONT = "IBM Plex Sans, Arial, Helvetica, sans-serif"
TEXT = "#1a1a1a"
GRID = "#d9d9d9"

Number = int | float | Decimal


@dataclass(frozen=True)
class Series:
    """One named row of values, one per x label (``None`` = no value)."""

    label: str
    values: Sequence[Number | None]
    color: str | None = None
    dashed: bool = False


@dataclass(frozen=True)
class Band:
    """A shaded interval between ``lower`` and ``upper`` (e.g. P10–P90 of a forecast)."""

    label: str
    lower: Sequence[Number | None]
    upper: Sequence[Number | None]
    color: str | None = None
    opacity: float = 0.22


def format_da(value: Number | None, decimals: int = 0) -> str:
    """A number in Danish notation: ``1234567.5`` -> ``"1.234.567,5"``; ``None`` -> ``"–"``."""
    if value is None:
        return "–"
    if isinstance(value, float) and not math.isfinite(value):
        return "–"
    quant = Decimal(1).scaleb(-decimals) if decimals > 0 else Decimal(1)
    d = Decimal(str(value)).quantize(quant)
    if d == 0:
        d = abs(d)  # no "-0"
    text = f"{d:,.{max(decimals, 0)}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5, 5 × 10^k steps) covering [lo, hi]."""
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(count, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = [round(start, 10)]
    while ticks[-1] < hi - step * 1e-9:
        ticks.append(round(start + len(ticks) * step, 10))
    return ticks


def _decimals_for(ticks: Sequence[float]) -> int:
    for decimals in range(0, 4):
        if all(abs(t * 10**decimals - round(t * 10**decimals)) < 1e-6 for t in ticks):
            return decimals
    return 3


def _f(value: Number | None) -> float | None:
    return None if value is None else float(value)


def _chart_id(kind: str, title: str, labels: Sequence[str], payload: Sequence) -> str:
    digest = hashlib.sha1(repr((kind, title, list(labels), payload)).encode()).hexdigest()[:10]
    return f"chart-{digest}"


class _Frame:
    """Plot area geometry and value -> pixel mapping shared by both chart kinds."""

    def __init__(self, *, width, height, n, lo, hi, legend_rows, y_label, x_bands: bool):
        self.width, self.height, self.n = width, height, n
        self.ticks = nice_ticks(lo, hi)
        self.lo, self.hi = min(self.ticks[0], lo), max(self.ticks[-1], hi)
        self.y_label = y_label
        self.left = 56
        self.right = 24
        self.top = 12 + 18 * legend_rows
        self.bottom = 44
        self.plot_w = max(width - self.left - self.right, 10)
        self.plot_h = max(height - self.top - self.bottom, 10)
        self.x_bands = x_bands  # bars sit in bands; lines sit on points

    def fit_tick_labels(self, texts: Sequence[str]) -> None:
        """Widen the left margin to the longest y tick label (about 6.5 px a character)."""
        self.left = int(14 + 6.5 * max((len(t) for t in texts), default=1) + (18 if self.y_label else 0))
        self.plot_w = max(self.width - self.left - self.right, 10)

    def x(self, i: float) -> float:
        if self.x_bands:
            return self.left + (i + 0.5) * self.plot_w / self.n
        if self.n == 1:
            return self.left + self.plot_w / 2
        return self.left + i * self.plot_w / (self.n - 1)

    def y(self, v: float) -> float:
        span = (self.hi - self.lo) or 1.0
        return self.top + self.plot_h * (1 - (v - self.lo) / span)


def _axes(fr: _Frame, x_labels: Sequence[str], y_label: str, fmt: Callable[[float], str]) -> list[str]:
    out = []
    for t in fr.ticks:
        y = fr.y(t)
        out.append(f'<line x1="{fr.left}" x2="{fr.left + fr.plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{fr.left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                   f'fill="{TEXT}">{escape(fmt(t))}</text>')
    if fr.lo < 0 < fr.hi:
        y0 = fr.y(0)
        out.append(f'<line x1="{fr.left}" x2="{fr.left + fr.plot_w}" y1="{y0:.1f}" y2="{y0:.1f}" '
                   f'stroke="{TEXT}" stroke-width="1"/>')
    base = fr.top + fr.plot_h
    out.append(f'<line x1="{fr.left}" x2="{fr.left + fr.plot_w}" y1="{base}" y2="{base}" '
               f'stroke="{TEXT}" stroke-width="1"/>')
    # Thin the x labels so they do not collide (about 7 px per character at 11 px).
    longest = max((len(str(label)) for label in x_labels), default=1)
    room = fr.plot_w / max(fr.n, 1)
    step = max(1, math.ceil(longest * 7 / max(room, 1)))
    for i, label in enumerate(x_labels):
        if i % step and i != fr.n - 1:
            continue
        if i != fr.n - 1 and step > 1 and (fr.n - 1 - i) < step:
            continue  # keep the last label, drop the one crowding it
        out.append(f'<text x="{fr.x(i):.1f}" y="{base + 16}" text-anchor="middle" font-size="11" '
                   f'fill="{TEXT}">{escape(str(label))}</text>')
    if y_label:
        cy = fr.top + fr.plot_h / 2
        out.append(f'<text x="14" y="{cy:.1f}" text-anchor="middle" font-size="11" fill="{TEXT}" '
                   f'transform="rotate(-90 14 {cy:.1f})">{escape(y_label)}</text>')
    return out


def _legend(items: Sequence[tuple[str, str, str]], width: int) -> tuple[list[str], int]:
    """Legend entries (label, colour, kind: line|dashed|band|bar) laid out in rows."""
    out, x, row = [], 56, 0
    for label, color, kind in items:
        w = 26 + 7 * len(label)
        if x + w > width and x > 56:
            x, row = 56, row + 1
        y = 12 + 18 * row
        if kind in ("line", "dashed"):
            dash = ' stroke-dasharray="5 3"' if kind == "dashed" else ""
            out.append(f'<line x1="{x}" x2="{x + 16}" y1="{y - 4}" y2="{y - 4}" stroke="{color}" '
                       f'stroke-width="2.5"{dash}/>')
        else:
            opacity = ' fill-opacity="0.35"' if kind == "band" else ""
            out.append(f'<rect x="{x}" y="{y - 10}" width="16" height="10" fill="{color}"{opacity}/>')
        out.append(f'<text x="{x + 20}" y="{y}" font-size="11" fill="{TEXT}">{escape(label)}</text>')
        x += w
    return out, (row + 1 if items else 0)


def _legend_rows(items, width) -> int:
    return _legend(items, width)[1]


def _wrap(cid, title, desc, width, height, body) -> SafeString:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="roret-chart" role="img" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'aria-labelledby="{cid}-title {cid}-desc" font-family="{FONT}">'
            f'<title id="{cid}-title">{escape(title)}</title><desc id="{cid}-desc">{escape(desc)}</desc>')
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text above is escaped


def _formatter(y_format, decimals, percent, ticks):
    if y_format is not None:
        return y_format, y_format
    dec = decimals if decimals is not None else _decimals_for(ticks)
    suffix = " %" if percent else ""
    value_dec = decimals if decimals is not None else (1 if percent else 0)
    return (lambda v: format_da(v, dec) + suffix), (lambda v: format_da(v, value_dec) + suffix)


def _summary(series: Sequence[Series], x_labels, value_fmt) -> str:
    parts = []
    for s in series:
        vals = [(x_labels[i], v) for i, v in enumerate(s.values) if v is not None]
        if vals:
            parts.append(f"{s.label}: {vals[0][0]} {value_fmt(vals[0][1])}, {vals[-1][0]} {value_fmt(vals[-1][1])}")
    return "; ".join(parts)


def _check(series, x_labels, bands=()):
    n = len(x_labels)
    if n == 0:
        raise ValueError("a chart needs at least one x label")
    for s in series:
        if len(s.values) != n:
            raise ValueError(f"series {s.label!r} has {len(s.values)} values for {n} x labels")
    for b in bands:
        if len(b.lower) != n or len(b.upper) != n:
            raise ValueError(f"band {b.label!r} needs {n} lower and upper values")


def line_chart(
    series: Sequence[Series],
    *,
    x_labels: Sequence[str],
    title: str,
    y_label: str = "",
    bands: Sequence[Band] = (),
    width: int = 640,
    height: int = 300,
    description: str = "",
    y_min: Number | None = None,
    y_max: Number | None = None,
    decimals: int | None = None,
    percent: bool = False,
    y_format: Callable[[float], str] | None = None,
) -> SafeString:
    """A line chart, optionally with shaded bands (fan chart), as inline SVG markup.

    The y axis starts at 0 unless data go below it or ``y_min`` says otherwise.
    """
    _check(series, x_labels, bands)
    values = [_f(v) for s in series for v in s.values if v is not None]
    values += [_f(v) for b in bands for v in (*b.lower, *b.upper) if v is not None]
    lo = float(y_min) if y_min is not None else min([0.0, *values])
    hi = float(y_max) if y_max is not None else max([lo + 1.0, *values])
    colors = [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    band_colors = [b.color or (colors[0] if series else PALETTE[0]) for b in bands]
    legend_items = [(b.label, c, "band") for b, c in zip(bands, band_colors, strict=True)]
    legend_items += [(s.label, c, "dashed" if s.dashed else "line") for s, c in zip(series, colors, strict=True)]
    fr = _Frame(width=width, height=height, n=len(x_labels), lo=lo, hi=hi,
                legend_rows=_legend_rows(legend_items, width), y_label=y_label, x_bands=False)
    tick_fmt, value_fmt = _formatter(y_format, decimals, percent, fr.ticks)
    fr.fit_tick_labels([tick_fmt(t) for t in fr.ticks])
    body = _axes(fr, x_labels, y_label, tick_fmt)
    for b, color in zip(bands, band_colors, strict=True):
        # One polygon per run of points where both edges are known.
        run: list[int] = []
        for i in range(len(x_labels) + 1):
            ok = i < len(x_labels) and b.lower[i] is not None and b.upper[i] is not None
            if ok:
                run.append(i)
                continue
            if run:
                top = [f"{fr.x(j):.1f},{fr.y(_f(b.upper[j])):.1f}" for j in run]
                bottom = [f"{fr.x(j):.1f},{fr.y(_f(b.lower[j])):.1f}" for j in reversed(run)]
                body.append(f'<polygon points="{" ".join(top + bottom)}" fill="{color}" '
                            f'fill-opacity="{b.opacity}" stroke="none"><title>{escape(b.label)}</title></polygon>')
            run = []
    for s, color in zip(series, colors, strict=True):
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        path, pen_down = [], False
        for i, v in enumerate(s.values):
            if v is None:
                pen_down = False
                continue
            path.append(f'{"L" if pen_down else "M"}{fr.x(i):.1f},{fr.y(_f(v)):.1f}')
            pen_down = True
        if path:
            body.append(f'<path d="{" ".join(path)}" fill="none" stroke="{color}" stroke-width="2.5"'
                        f' stroke-linejoin="round"{dash}/>')
        radius = 3 if len(x_labels) <= 40 else 1.5
        for i, v in enumerate(s.values):
            if v is not None:
                body.append(f'<circle cx="{fr.x(i):.1f}" cy="{fr.y(_f(v)):.1f}" r="{radius}" fill="{color}">'
                            f'<title>{escape(s.label)}, {escape(str(x_labels[i]))}: {escape(value_fmt(v))}</title></circle>')
    legend, _rows = _legend(legend_items, width)
    body += legend
    desc = description or _summary(series, x_labels, value_fmt)
    cid = _chart_id("line", title, x_labels, [(s.label, list(map(_f, s.values))) for s in series])
    return _wrap(cid, title, desc, width, height, body)


def bar_chart(
    series: Sequence[Series],
    *,
    x_labels: Sequence[str],
    title: str,
    y_label: str = "",
    stacked: bool = False,
    width: int = 640,
    height: int = 300,
    description: str = "",
    decimals: int | None = None,
    percent: bool = False,
    y_format: Callable[[float], str] | None = None,
    reference: Series | None = None,
) -> SafeString:
    """A vertical bar chart, grouped (side by side) or stacked, as inline SVG markup.

    ``reference`` draws one dashed line across the bars (e.g. a target or a budget).
    Stacked bars need non-negative values.
    """
    _check(series, x_labels)
    if reference is not None and len(reference.values) != len(x_labels):
        raise ValueError(f"reference {reference.label!r} needs {len(x_labels)} values")
    n = len(x_labels)
    if stacked:
        if any(v is not None and _f(v) < 0 for s in series for v in s.values):
            raise ValueError("stacked bars need non-negative values")
        totals = [sum(_f(s.values[i]) or 0.0 for s in series) for i in range(n)]
        values = totals
    else:
        values = [_f(v) for s in series for v in s.values if v is not None]
    if reference is not None:
        values = [*values, *(_f(v) for v in reference.values if v is not None)]
    lo = min([0.0, *values])
    hi = max([lo + 1.0, *values])
    colors = [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    legend_items = [(s.label, c, "bar") for s, c in zip(series, colors, strict=True)]
    if reference is not None:
        legend_items.append((reference.label, reference.color or TEXT, "dashed"))
    fr = _Frame(width=width, height=height, n=n, lo=lo, hi=hi,
                legend_rows=_legend_rows(legend_items, width), y_label=y_label, x_bands=True)
    tick_fmt, value_fmt = _formatter(y_format, decimals, percent, fr.ticks)
    fr.fit_tick_labels([tick_fmt(t) for t in fr.ticks])
    body = _axes(fr, x_labels, y_label, tick_fmt)
    slot = fr.plot_w / n
    group_w = slot * 0.72
    for i in range(n):
        x0 = fr.x(i) - group_w / 2
        acc = 0.0
        for k, (s, color) in enumerate(zip(series, colors, strict=True)):
            v = _f(s.values[i])
            if v is None:
                continue
            if stacked:
                y_top, y_bottom = fr.y(acc + v), fr.y(acc)
                x, w = x0, group_w
                acc += v
            else:
                w = group_w / len(series)
                x = x0 + k * w
                y_top, y_bottom = (fr.y(v), fr.y(0)) if v >= 0 else (fr.y(0), fr.y(v))
            label = f"{s.label}, {x_labels[i]}: {value_fmt(s.values[i])}"
            body.append(f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{max(w - 1, 1):.1f}" '
                        f'height="{max(y_bottom - y_top, 0):.1f}" fill="{color}"><title>{escape(label)}</title></rect>')
    if reference is not None:
        color = reference.color or TEXT
        for i, v in enumerate(reference.values):
            if v is None:
                continue
            y = fr.y(_f(v))
            body.append(f'<line x1="{fr.x(i) - slot / 2 + 2:.1f}" x2="{fr.x(i) + slot / 2 - 2:.1f}" '
                        f'y1="{y:.1f}" y2="{y:.1f}" stroke="{color}" stroke-width="2" stroke-dasharray="5 3">'
                        f'<title>{escape(reference.label)}, {escape(str(x_labels[i]))}: '
                        f'{escape(value_fmt(v))}</title></line>')
    legend, _rows = _legend(legend_items, width)
    body += legend
    all_series = [*series, *([reference] if reference is not None else [])]
    desc = description or _summary(all_series, x_labels, value_fmt)
    cid = _chart_id("bar", title, x_labels, [(s.label, list(map(_f, s.values))) for s in all_series])
    return _wrap(cid, title, desc, width, height, body)
