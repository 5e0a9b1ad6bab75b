"""``/reports/units/<code>``: the figures of ``scores --unit CODE --format json``, the last 8
quarters, channels, response rate, and the comments: newest first, 20 a page, masked, escaped."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from babel.numbers import format_decimal
from html_tables import Page
from report_province import FROM, LOCAL, PERIOD

from survey_app import catalog_of
from survey_app.domain.submission import Submission
from survey_app.extensions import db
from survey_app.services import responses, units

ELEMENTS = {"TC": 4, "TT": 5, "CC": 6, "KQ": 3, "PA": 4}


def number(value, lang: str = "vi") -> str:
    return "—" if value is None else format_decimal(value, "#,##0.0", locale=lang)


def interval(ci, lang: str = "vi") -> str:
    return "—" if ci is None else f"{number(ci[0], lang)}–{number(ci[1], lang)}"


def unit_page(client, code: str, **query) -> Page:
    response = client.get(f"/reports/units/{code}", query_string={**PERIOD, **query})
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return Page(response.get_data(as_text=True))


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("code", ["STP", "SO", "X2"])
def test_every_figure_equals_the_scores_json_of_the_unit(officer, scores_json, code, lang):
    unit = scores_json("--unit", code)["units"][0]
    assert unit["unit"] == code
    page = unit_page(officer, code, lang=lang)
    assert page.text("unit-index") == number(unit["index"], lang)
    assert page.text("unit-ci") == interval(unit["ci"], lang)
    assert page.text("unit-n") == str(unit["n"])
    for element in ELEMENTS:
        _title, index, ci = page.row(f"element-{element}")
        assert (index, ci) == (number(unit["elements"][element]["index"], lang),
                               interval(unit["elements"][element]["ci"], lang))
    for criterion, figures in unit["criteria"].items():
        _text, n, satisfied, index, ci = page.row(f"criterion-{criterion}")
        assert (n, satisfied, index, ci) == (str(figures["n"]), str(figures["satisfied"]),
                                             number(figures["index"], lang), interval(figures["ci"], lang))
    for option, share in unit["expectations"].items():
        assert page.row(f"expectation-{option}")[1] == ("—" if share is None else number(share, lang) + "%")


def test_rank_change_response_rate_and_change_against_the_previous_quarter(officer, scores_json):
    unit = scores_json("--unit", "STP")["units"][0]
    assert (unit["rank"], unit["rank_change"], unit["invitations"], unit["response_rate"]) == (1, 1, 4, 0.75)
    page = unit_page(officer, "STP")
    assert page.text("unit-rank") == "1 (tăng 1 bậc)"
    assert page.text("unit-rate") == "75,0% trên 4 phiếu mời"
    # 4 of 4 satisfied after 2 of 3: +33.3 points.
    assert page.text("unit-change").startswith("+33,3 điểm")
    english = unit_page(officer, "SYT", lang="en")
    assert english.text("unit-rank") == "4 (down 3)"
    assert english.text("unit-change").startswith("−66.7 points")
    assert unit_page(officer, "SNV").text("unit-rank") == "chưa đủ phiếu"


def test_the_last_8_quarters_end_with_the_period_and_equal_the_scores_of_each(officer, scores_json, runner):
    page = unit_page(officer, "STP")
    rows = [page.row(row_id) for row_id in page.row_ids("quarter-")]
    assert [row[0] for row in rows] == ["Quý 2/2024", "Quý 3/2024", "Quý 4/2024", "Quý 1/2025", "Quý 2/2025",
                                        "Quý 3/2025", "Quý 4/2025", "Quý 1/2026"]
    for row, (start, end) in ((rows[-1], (PERIOD["from"], PERIOD["to"])), (rows[-2], ("2025-10-01", "2025-12-31"))):
        result = runner.invoke(args=["scores", "--from", start, "--to", end, "--unit", "STP", "--format", "json"])
        unit = json.loads(result.output)["units"][0]
        assert row[1:4] == [str(unit["n"]), number(unit["index"]), interval(unit["ci"])]
        assert row[4:] == [number(unit["elements"][code]["index"]) for code in ELEMENTS]
    assert rows[0][1:4] == ["0", "—", "—"]


def test_channels_with_few_responses_are_not_shown(officer):
    stp = unit_page(officer, "STP")
    assert stp.row("channel-link") == ["Đường dẫn mở (áp phích)", "2", "quá ít phiếu để hiển thị"]
    assert stp.row("channel-kiosk")[2] == "quá ít phiếu để hiển thị"
    # X2: 12 by link (8 satisfied), 11 by invitation (7 satisfied), every criterion rated alike.
    x2 = unit_page(officer, "X2")
    assert x2.row("channel-link")[1:3] == ["12", number(100 * 8 / 12)]
    assert x2.row("channel-invitation")[1:3] == ["11", number(100 * 7 / 11)]


def comment_texts(page: Page) -> list[str]:
    return [text for text in page.html.split('<p class="comment-text">')[1:] for text in [text.split("</p>")[0]]]


def test_comments_are_newest_first_twenty_a_page(officer):
    first = unit_page(officer, "X2")
    assert comment_texts(first) == [f"Ý kiến số {i:02d}" for i in range(23, 3, -1)]
    assert "23/02/2026" in first.html and "Trang 1 / 2" in first.html
    assert 'href="/reports/units/X2?from=2026-01-01&amp;to=2026-03-31&amp;page=2"' in first.html
    second = unit_page(officer, "X2", page=2, lang="en")
    assert comment_texts(second) == ["Ý kiến số 03", "Ý kiến số 02", "Ý kiến số 01"]
    assert "Page 2 of 2" in second.html and "3 Feb 2026" in second.html
    assert 'page=1' in second.html and "lang=en" in second.html
    assert officer.get("/reports/units/X2", query_string={**PERIOD, "page": 3}).status_code == 404
    for bad in ("0", "-1", "abc", "1.5", "99999999", "٣"):
        assert officer.get("/reports/units/X2", query_string={**PERIOD, "page": bad}).status_code == 400, bad


def test_comments_are_masked_and_printed_as_text(officer):
    stp = unit_page(officer, "STP")
    assert comment_texts(stp) == ["Gọi tôi [số điện thoại] hoặc viết [email], CCCD [số giấy tờ]."]
    for typed in ("0912 345 678", "lan.nguyen@example.vn", "079123456789"):
        assert typed not in stp.html
    sxd = unit_page(officer, "SXD")
    assert comment_texts(sxd) == [
        "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=&#34;file:///etc/passwd&#34;&gt; = 1+1"]
    assert "<script" not in sxd.html and "<img" not in sxd.html


def test_charts_are_inline_svg_without_scripts_or_inline_styles(officer):
    page = unit_page(officer, "STP", lang="en")
    assert page.html.count("<svg ") == 3
    assert "<script" not in page.html and ' style="' not in page.html
    assert "<style" not in page.html.split("</head>")[1]
    assert '<link rel="stylesheet" href="/static/reports.css">' in page.html
    # The trend chart carries the figures as text (its description), in the reader's language.
    assert "SIPAS index and elements over the last 8 quarters" in page.html


def test_unknown_questionnaire_or_bad_dates_are_400_on_the_unit_page_too(officer):
    assert officer.get("/reports/units/STP?q=nope").status_code == 400
    assert officer.get("/reports/units/STP?from=2026-01-01").status_code == 400
    assert officer.get("/reports/units/STP?period=2026-Q1&lang=en").headers["Location"] == \
        "/reports/units/STP?lang=en&from=2026-01-01&to=2026-03-31"


def test_by_each_profile_question_as_scores_by_prints_it_small_groups_suppressed(app, officer, scores_json):
    q = catalog_of(app).get("sipas")
    with app.app_context():
        x2 = units.unit_by_code(db.session, "X2")
        day = datetime.fromisoformat(FROM).replace(hour=15, tzinfo=LOCAL)
        for i, gender in enumerate(["female"] * 12 + ["male"] * 3):
            responses.record_response(
                db.session, unit=x2, questionnaire=q, locale="vi", channel="kiosk", submitted_at=day,
                submission=Submission(ratings={"TC1": 5 if i % 4 else 1}, profile={"gender": gender}))
        db.session.commit()
    cells = scores_json("--unit", "X2", "--by", "gender")["units"][0]["by"]["gender"]
    assert cells["female"]["n"] == 12 and cells["male"] == {"n": 3, "suppressed": True}
    page = unit_page(officer, "X2")
    female = page.row("profile-gender-female")
    assert female[1:] == [str(cells["female"]["n"]), number(cells["female"]["index"]), interval(cells["female"]["ci"])]
    assert page.row("profile-gender-male")[1:] == ["3", "quá ít phiếu để hiển thị"]
    assert "profile-gender-other" not in page.row_ids("profile-gender-")   # nobody: no row
