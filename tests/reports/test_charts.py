"""Server-drawn SVG charts: self-contained, accessible, deterministic, safe to inline."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

from babel.numbers import format_decimal

from survey_app.reports.charts import criteria_bars_svg, element_bars_svg, trend_svg

SVG = "{http://www.w3.org/2000/svg}"
ELEMENTS = [
    {"label": "Tiếp cận dịch vụ", "index": 81.8333, "ci": [78.04, 85.61]},
    {"label": "Thủ tục hành chính", "index": 100.0, "ci": [100.0, 100.0]},
    {"label": "Công chức", "index": None, "ci": None},
    {"label": "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị", "index": 60.06, "ci": [49.9, 70.2]},
]
LABELS = {"TC": "Tiếp cận dịch vụ", "TT": "Thủ tục hành chính", "PA": "Góp ý, phản ánh"}
POINTS = [{"label": f"Q{q}/2026", "index": 70.0 + q, "elements": {"TC": 60.0 + q, "TT": None, "PA": 80.5}}
          for q in range(1, 5)]


def vi(value: float) -> str:
    return format_decimal(value, "#,##0.0", locale="vi")


def all_charts() -> list[str]:
    return [
        element_bars_svg(ELEMENTS, title="Chỉ số các yếu tố", number_format=vi),
        criteria_bars_svg(ELEMENTS * 6, title="Chỉ số các tiêu chí", number_format=vi),
        trend_svg(POINTS, LABELS, title="Tám quý gần nhất", number_format=vi),
    ]


def test_self_contained_and_without_inline_styles():
    for svg in all_charts():
        root = ET.fromstring(svg)   # well-formed, and starts with <svg> (no declaration, no DOCTYPE)
        assert root.tag == f"{SVG}svg" and svg.startswith("<svg ")
        assert "style=" not in svg and "<style" not in svg and "<metadata" not in svg
        assert "<!DOCTYPE" not in svg and "<?xml" not in svg
        references = re.findall(r'href="([^"]*)"', svg) + re.findall(r"url\(([^)]*)\)", svg)
        assert references and all(ref.startswith("#") for ref in references)
        ids = set(re.findall(r'\bid="([^"]+)"', svg))
        assert {ref[1:] for ref in references} <= ids
        assert not re.search(r"@font-face|<image|<script|<foreignObject", svg)
        assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
            'xmlns:xlink="http://www.w3.org/1999/xlink"', "")
        # Labels are text in the pages' and the PDF's own font, not glyph outlines.
        assert root.get("font-family") == "DejaVu Sans, sans-serif"
        assert not any(i.endswith(tuple(f"DejaVuSans-{n}" for n in range(10))) for i in ids)
        assert "font-family" not in "".join(ET.tostring(t, encoding="unicode") for t in root.iter(f"{SVG}text"))


def test_labels_are_text_a_reader_and_a_search_find():
    elements, criteria, trend = (ET.fromstring(svg) for svg in all_charts())

    def texts(root) -> str:
        return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))

    assert "Tiếp cận dịch vụ" in texts(elements) and "81,8" in texts(elements)
    assert "Thủ tục hành chính" in texts(criteria)
    assert "Q3/2026" in texts(trend) and "Góp ý, phản ánh" in texts(trend) and "73,0" in texts(trend)


def test_title_and_description_name_the_figures_in_the_readers_language():
    svg = element_bars_svg(ELEMENTS, title="Chỉ số <các> yếu tố", number_format=vi)
    root = ET.fromstring(svg)
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Chỉ số <các> yếu tố"
    assert root.get("role") == "img" and root.get("aria-labelledby") == title.get("id")
    assert desc.text == ("Tiếp cận dịch vụ: 81,8 (78,0–85,6); Thủ tục hành chính: 100,0 (100,0–100,0); "
                         "Công chức: —; Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị: 60,1 (49,9–70,2)")
    english = element_bars_svg(ELEMENTS, title="Elements", number_format=lambda v: f"{v:.1f}")
    assert "Tiếp cận dịch vụ: 81.8 (78.0–85.6)" in ET.fromstring(english).find(f"{SVG}desc").text
    trend = ET.fromstring(trend_svg(POINTS, LABELS, title="Xu hướng", number_format=vi))
    assert trend.find(f"{SVG}desc").text == "Q1/2026: SIPAS 71,0; Q2/2026: SIPAS 72,0; Q3/2026: SIPAS 73,0; Q4/2026: SIPAS 74,0"


def test_deterministic_and_ids_unique_per_chart():
    first, second = all_charts(), all_charts()
    assert first == second
    id_sets = [set(re.findall(r'\bid="([^"]+)"', svg)) for svg in first]
    assert not (id_sets[0] & id_sets[1]) and not (id_sets[0] & id_sets[2])
    other = element_bars_svg(ELEMENTS, title="Another title", number_format=vi)
    assert not (set(re.findall(r'\bid="([^"]+)"', other)) & id_sets[0])
    fixed = element_bars_svg(ELEMENTS, title="t", id_prefix="unit-STP")
    assert 'id="unit-STP-title"' in fixed


def test_threads_draw_the_same_charts():
    expected = all_charts()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: all_charts(), range(4)))
    assert all(result == expected for result in results)


def test_more_rows_make_a_taller_chart():
    def height(svg: str) -> float:
        return float(ET.fromstring(svg).get("height").removesuffix("pt"))
    assert height(criteria_bars_svg(ELEMENTS * 6)) > 3 * height(element_bars_svg(ELEMENTS))
