"""/reports/alerts, the unit page's early warning and the units table's marks, on the demo
province as a new user finds it (its drifting units), against ``alerts --format json``; and what
the heaviest unit page weighs (issue 17: under 120 KB), with its charts' labels as text."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from accounts import add_user, log_in

from survey_app import catalog_of
from survey_app.domain.periods import period_of
from survey_app.extensions import db
from survey_app.services import demo


@pytest.fixture
def demo_province(app):
    with app.app_context():
        demo.create_demo(db.session, catalog_of(app), responses=12000, seed=2017,
                         now=datetime.now(ZoneInfo(app.config["TIMEZONE"])))
        db.session.commit()
    return app


def alerts_json(app, *args) -> dict:
    result = app.test_cli_runner().invoke(args=["alerts", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


SVG = "{http://www.w3.org/2000/svg}"
MAX_PAGE_BYTES = 120 * 1024


def sentences(html: str) -> list[str]:
    return [unescape(s) for s in re.findall(r'<p class="sentence">(.*?)</p>', html, re.S)]


def test_the_demo_shows_down_and_up_signals_with_their_charts(demo_province, client):
    log_in(client, add_user(demo_province, "officer@anphu.gov.vn", "officer", "DEMO"))
    expected = [u for u in alerts_json(demo_province)["units"] if u["signal"]]
    assert {"down", "up"} <= {u["signal"] for u in expected}
    html = client.get("/reports/alerts").get_data(as_text=True)
    listed = re.findall(r'<li class="alert alert-(down|up)" id="alert-([^"]+)">', html)
    assert listed == [(u["signal"], u["unit"]) for u in expected]  # the same units, down first
    for u, text in zip(expected, sentences(html)):
        word = "thấp hơn" if u["signal"] == "down" else "cao hơn"
        assert text.startswith(f"Chỉ số SIPAS của {u['name']} {word} mức thường lệ ")
        assert f"trong {u['weeks_signalling']} tuần liên tiếp" in text
    assert html.count('<figure class="chart"><svg role="img"') == len(expected)
    assert "Chỉ số SIPAS hằng tuần của Sở Xây dựng và biểu đồ kiểm soát" in html

    table = client.get("/reports/").get_data(as_text=True)
    marks = re.findall(r'class="signal signal-(down|up)" href="/reports/alerts#alert-([^"]+)"', table)
    assert sorted(marks) == sorted((u["signal"], u["unit"]) for u in expected)

    pages = {u["unit"]: client.get(f"/reports/units/{u['unit']}").get_data(as_text=True) for u in expected}
    down = next(u for u in expected if u["signal"] == "down")
    page = pages[down["unit"]]
    assert 'id="early-warning"' in page and f"trong {down['weeks_signalling']} tuần liên tiếp" in unescape(page)
    # The heaviest pages of the demo are those of its signalling units: four charts (the early
    # warning's among them), the signal's sentence and its marked weeks.
    weight, heaviest = max((len(html.encode()), html) for html in pages.values())
    assert weight < MAX_PAGE_BYTES, weight
    charts_speak_text(heaviest)


def charts_speak_text(page: str) -> None:
    """Labels are text (``svg.fonttype`` "none") in the page's own font, not glyph outlines, so
    the page stays light and a screen reader (or a text search) finds every label."""
    charts = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    assert len(charts) == 4
    texts = []
    for chart in charts:
        root = ET.fromstring(chart)
        assert root.get("font-family") and "DejaVu Sans" in root.get("font-family")
        assert not any("glyph" in p.get("id", "") or p.get("id", "").startswith("DejaVu") for p in root.iter(f"{SVG}path"))
        texts.append(" ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text")))
    # The criteria chart names each criterion as the page does, accents and all.
    assert "Tiếp cận" in texts[0] or "Thủ tục" in texts[0]
    assert "C1.1" in texts[1] or re.search(r"\b[A-Z]{2}\d\.", texts[1])
    assert "Mức thường lệ" in texts[2] and "EWMA" in texts[2]   # the early warning's chart
    assert re.search(r"Quý \d/\d{4}", texts[3])


def test_a_staff_account_sees_its_own_unit_only(demo_province, client):
    log_in(client, add_user(demo_province, "staff@anphu.gov.vn", "staff", "STP"))
    html = client.get("/reports/alerts").get_data(as_text=True)
    assert "Sở Xây dựng" not in html and "phường An Lạc" not in html
    assert 'href="/reports/units/STP"' in html
    assert client.get("/reports/alerts?lang=en").status_code == 200


def test_the_pdf_report_has_an_early_warning_section(demo_province, tmp_path):
    # The last full month: the section is the state at its end, as `alerts --as-of` the day after.
    month = period_of("month", datetime.now(ZoneInfo(demo_province.config["TIMEZONE"])).date()).previous()
    as_json = alerts_json(demo_province, "--as-of", (month.end + timedelta(days=1)).isoformat())
    out = tmp_path / "r.pdf"
    result = demo_province.test_cli_runner().invoke(
        args=["report", "--from", month.start.isoformat(), "--to", month.end.isoformat(), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())
    assert "Cảnh báo sớm" in text
    for u in as_json["units"]:
        if u["signal"]:
            assert f"Chỉ số SIPAS của {u['name']}" in text and f"{u['weeks_signalling']} tuần liên tiếp" in text
