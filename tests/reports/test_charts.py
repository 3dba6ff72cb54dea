"""The one chart definition: valid SVG, accessible, Danish numbers, same markup for page and PDF."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template import Context, Template

from roret.reports.toolkit.charts import Band, Series, bar_chart, format_da, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    return ET.fromstring(str(svg))


def test_format_da_uses_danish_separators():
    assert format_da(1234567.5, 1) == "1.234.567,5"
    assert format_da(Decimal("1000"), 0) == "1.000"
    assert format_da(Decimal("-0.001"), 2) == "0,00"
    assert format_da(None) == "–"


def test_nice_ticks_cover_the_range_with_round_steps():
    assert nice_ticks(0, 4.1e6) == [0, 1e6, 2e6, 3e6, 4e6, 5e6]
    assert nice_ticks(0, 51) == [0, 20, 40, 60]
    ticks = nice_ticks(-3, 7)
    assert ticks[0] <= -3 and ticks[-1] >= 7


def test_line_chart_is_accessible_svg_with_band_and_gaps():
    svg = line_chart(
        [Series("Median", [10, 12, None, 13.5]), Series("Places", [12, 12, 14, 14], dashed=True)],
        x_labels=["2025", "2026", "2027", "2028"],
        bands=[Band("P10–P90", [8, 9, 10, 11], [12, 15, 17, 19])],
        y_label="Citizens",
        title="Expected demand",
    )
    root = parse(svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id and root.find(f"{SVG}title").text == "Expected demand"
    assert root.find(f"{SVG}desc").get("id") == desc_id and "Median" in root.find(f"{SVG}desc").text
    assert len(root.findall(f"{SVG}polygon")) == 1
    # the gap at 2027 splits the median path into two pen-down runs
    paths = [p.get("d") for p in root.findall(f"{SVG}path")]
    assert paths[0].count("M") == 2
    point_titles = [c.find(f"{SVG}title").text for c in root.findall(f"{SVG}circle")]
    assert "Median, 2028: 13,5" in " ".join(point_titles) or "Median, 2028: 14" in " ".join(point_titles)


def test_bar_chart_stacked_titles_carry_danish_values():
    svg = bar_chart(
        [Series("Own", [Decimal("1234567"), 2_000_000]), Series("External", [1_000_000, 0])],
        x_labels=["2024", "2025"],
        title="Cost",
        stacked=True,
        reference=Series("Budget", [2_000_000, 2_500_000]),
    )
    root = parse(svg)
    titles = [r.find(f"{SVG}title").text for r in root.findall(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert "Own, 2024: 1.234.567" in titles
    assert any(t.startswith("Budget, 2025: 2.500.000") for t in (e.text for e in root.iter(f"{SVG}title")))


def test_bar_chart_refuses_negative_stacks_and_ragged_series():
    with pytest.raises(ValueError, match="non-negative"):
        bar_chart([Series("a", [1, -1])], x_labels=["x", "y"], title="t", stacked=True)
    with pytest.raises(ValueError, match="2 values for 3 x labels"):
        line_chart([Series("a", [1, 2])], x_labels=["x", "y", "z"], title="t")


def test_percent_chart_labels_ticks_with_percent_sign():
    root = parse(bar_chart([Series("Own", [43.2, 51])], x_labels=["2019", "2024"], title="S", percent=True))
    assert any((t.text or "").endswith(" %") for t in root.iter(f"{SVG}text"))


def test_template_tag_renders_the_same_markup():
    series = [Series("A", [1, 2, 3])]
    direct = line_chart(series, x_labels=["a", "b", "c"], title="T")
    tpl = Template('{% load charts %}{% line_chart series x_labels=labels title="T" %}')
    assert tpl.render(Context({"series": series, "labels": ["a", "b", "c"]})) == str(direct)


def test_weasyprint_renders_the_chart_into_a_pdf():
    weasyprint = pytest.importorskip("weasyprint")
    svg = line_chart([Series("A", [1, 2, 3])], x_labels=["a", "b", "c"], title="T", bands=[Band("B", [0, 1, 2], [2, 3, 4])])
    pdf = weasyprint.HTML(string=f"<html><body>{svg}</body></html>").write_pdf()
    assert pdf.startswith(b"%PDF")
