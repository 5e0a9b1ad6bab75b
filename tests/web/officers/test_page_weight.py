"""What a unit page weighs, and its charts' text: labels are text (``svg.fonttype`` "none"), in
the page's own font, not glyph outlines, so the page stays light and a screen reader (or a text
search) finds every label."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

from accounts import add_user, log_in

from survey_app.domain.periods import period_of

SVG = "{http://www.w3.org/2000/svg}"
MAX_PAGE_BYTES = 120 * 1024


def demo_unit_page(app, client, runner) -> str:
    result = runner.invoke(args=["demo", "--responses", "2000"])
    assert result.exit_code == 0, result.output
    log_in(client, add_user(app, "officer@demo.gov.vn", "officer", "DEMO"))
    quarter = period_of("quarter", date.today())
    response = client.get("/reports/units/DEMO", query_string={"from": quarter.start.isoformat(),
                                                                 "to": quarter.end.isoformat()})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_unit_page_of_the_demo_weighs_under_120_kb_and_its_charts_speak_text(app, client, runner):
    page = demo_unit_page(app, client, runner)
    assert len(page.encode()) < MAX_PAGE_BYTES, len(page.encode())
    charts = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    assert len(charts) == 3
    texts = []
    for chart in charts:
        root = ET.fromstring(chart)
        assert root.get("font-family") and "DejaVu Sans" in root.get("font-family")
        assert not root.iter(f"{SVG}path") or not any(
            p.get("id", "").startswith(("DejaVu", "c")) and "glyph" in p.get("id", "") for p in root.iter(f"{SVG}path"))
        texts.append(" ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text")))
    # The criteria chart names each criterion as the page does, accents and all.
    assert "Tiếp cận" in texts[0] or "Thủ tục" in texts[0]
    assert "C1.1" in texts[1] or re.search(r"\b[A-Z]{2}\d\.", texts[1])
    assert re.search(r"Q\d|Quý", texts[2])
