"""The PDF report: every figure equals ``scores --format json`` of the same period, A4 pages
numbered "Trang x / y", comments masked and printed as text, refused fetches a clean error."""

from __future__ import annotations

import re
import textwrap

import pytest
from babel.numbers import format_decimal

from survey_app import catalog_of
from survey_app.domain.change import change_between
from survey_app.reports.pdf import PdfError, html_to_pdf
from tests.report_documents import PASSWD, build_province, make_report, pdf_info, pdf_text, previous_json, scores_json

WORDS = {"vi": {"up": "tăng {} bậc", "down": "giảm {} bậc", "same": "giữ nguyên", "page": "Trang",
                "n": "Số phiếu", "index": "Chỉ số SIPAS", "change": "Thay đổi", "rank": "Hạng",
                "unranked": "chưa đủ phiếu"},
         "en": {"up": "up {}", "down": "down {}", "same": "unchanged", "page": "Page",
                "n": "Respondents", "index": "SIPAS index", "change": "Change", "rank": "Rank",
                "unranked": "not enough responses"}}


@pytest.fixture
def province(app):
    build_province(app)
    return app


def fmt(value: float, lang: str) -> str:
    return format_decimal(value, "#,##0.0", locale=lang)


def interval(ci, lang: str) -> str:
    return f"{fmt(ci[0], lang)}–{fmt(ci[1], lang)}"


def points(value: float, lang: str) -> str:
    text = fmt(abs(value), lang)
    return text if text == fmt(0.0, lang) else ("+" if value > 0 else "−") + text


def rank_words(unit: dict, lang: str) -> str:
    words = WORDS[lang]
    if unit["rank_change"] > 0:
        return words["up"].format(unit["rank_change"])
    if unit["rank_change"] < 0:
        return words["down"].format(-unit["rank_change"])
    return words["same"]


def flat(text: str) -> str:
    return " ".join(text.split())


def expected_decimals(now: dict, before: dict, lang: str) -> set[str]:
    """Every decimal figure the report may print, formatted as the report formats it."""
    figures: list[float] = []

    def add(scores: dict) -> None:
        figures.extend([scores["index"], *(scores["ci"] or [])] if scores["index"] is not None else [])
        for e in scores["elements"].values():
            figures.extend([e["index"], *(e["ci"] or [])] if e["index"] is not None else [])
        for c in scores["criteria"].values():
            figures.extend([c["index"], *(c["ci"] or [])] if c["index"] is not None else [])
        figures.extend(share for share in scores["expectations"].values() if share is not None)

    add(now["overall"])
    figures.append(before["overall"]["index"])
    before_units = {u["unit"]: u for u in before["units"]}
    for unit in now["units"]:
        add(unit)
        if unit["response_rate"] is not None:
            figures.append(100 * unit["response_rate"])
        previous = before_units[unit["unit"]]
        if unit["index"] is not None and previous["index"] is not None:
            figures.append(abs(unit["index"] - previous["index"]))
    for code, element in now["overall"]["elements"].items():
        old = before["overall"]["elements"][code]["index"]
        if element["index"] is not None and old is not None:
            figures.append(abs(element["index"] - old))
    figures.append(abs(now["overall"]["index"] - before["overall"]["index"]))
    return {fmt(value, lang) for value in figures}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_figure_equals_the_scores_json(province, runner, tmp_path, lang):
    pdf = make_report(runner, tmp_path / "report.pdf", "--lang", lang)
    now, before = scores_json(runner), previous_json(runner)
    words = WORDS[lang]
    info = pdf_info(pdf)
    pages = int(info["Pages"])
    assert info["Page size"] == "595.276 x 841.89 pts (A4)"
    assert pages >= 4
    text = pdf_text(pdf)
    for page in range(1, pages + 1):
        assert f"{words['page']} {page} / {pages}" in text
    plain = flat(text)

    overall = now["overall"]
    assert fmt(overall["index"], lang) in plain
    assert interval(overall["ci"], lang) in plain
    change = change_between(overall["index"], overall["ci"], before["overall"]["index"], before["overall"]["ci"])
    assert points(change.value, lang) in plain
    labels = catalog_of(province).get("sipas")
    for element in labels.elements:
        figures = overall["elements"][element.code]
        assert f"{labels.text(element.title, lang)} {fmt(figures['index'], lang)} {interval(figures['ci'], lang)}" in plain

    before_units = {u["unit"]: u for u in before["units"]}
    for unit in now["units"]:
        assert unit["n"] > 0
        previous = before_units[unit["unit"]]
        change = change_between(unit["index"], unit["ci"], previous["index"], previous["ci"])
        facts = (f"{words['n']}: {unit['n']} · {words['index']}: {fmt(unit['index'], lang)} "
                 f"({interval(unit['ci'], lang)}) · {words['change']}: {points(change.value, lang)}"
                 f"{'*' if change.significant else ''} · {words['rank']}: ")
        assert facts in plain, unit["unit"]
        if unit["rank"] is not None:
            assert f"{facts}{unit['rank']} ({rank_words(unit, lang)})" in plain
        elif unit["parent"] is not None:
            assert f"{facts}{words['unranked']}" in plain
    # The ranking table: rank, code, name, n and index of each ranked unit on one row.
    layout = [flat(line) for line in pdf_text(pdf, "-layout").splitlines()]
    for unit in now["units"]:
        if unit["rank"] is not None:
            row = (f"{unit['rank']} {unit['unit']} {unit['name']} {unit['n']} {fmt(unit['index'], lang)} "
                   f"{interval(unit['ci'], lang)}")
            assert any(line.startswith(row) and line.endswith(rank_words(unit, lang)) for line in layout), row
    assert [u["rank"] for u in now["units"] if u["unit"] == "X2"] == [None]

    # And nothing else: every decimal figure printed is one of the JSON's.
    printed = set(re.findall(r"\d+[.,]\d\b", plain))
    assert printed and printed <= expected_decimals(now, before, lang)


def test_comments_are_masked_and_markup_is_printed_not_fetched(province, runner, tmp_path):
    text = flat(pdf_text(make_report(runner, tmp_path / "report.pdf")))
    assert PASSWD in text
    assert "Gọi tôi [số điện thoại] hoặc viết [email], CCCD [số giấy tờ]." in text
    assert "0912" not in text and "lan.nguyen" not in text and "079123456789" not in text
    assert "Phụ lục 1. Ý kiến góp ý của người dân" in text and "Phụ lục 2. Phương pháp tính" in text
    assert catalog_of(province).get("sipas").content_hash in text


def test_unit_report_shows_its_subtree_only(province, runner, tmp_path):
    pdf = make_report(runner, tmp_path / "so.pdf", "--unit", "SO")
    now = scores_json(runner, "--unit", "SO")
    text = flat(pdf_text(pdf))
    assert "KHỐI SỞ" in text
    assert f"Chỉ số SIPAS {fmt(now['overall']['index'], 'vi')}" in text
    assert "Xã Đông Hòa" not in text and "X1" not in text
    so = now["units"][0]
    assert so["unit"] == "SO"
    assert f"Xếp hạng trong các đơn vị cùng cấp {so['rank']} ({rank_words(so, 'vi')})" in text


def test_a_refused_fetch_is_an_ordinary_exception(app):
    assert issubclass(PdfError, Exception)
    with app.app_context():
        with pytest.raises(PdfError, match="refused to fetch 'file:///etc/passwd'"):
            html_to_pdf('<p>x</p><img src="file:///etc/passwd">')
        with pytest.raises(PdfError, match="refused"):
            html_to_pdf('<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><p>x</p>')


def test_the_methodology_gives_each_elements_alpha(province, runner, tmp_path):
    text = flat(pdf_text(make_report(runner, tmp_path / "report.pdf")))
    now = scores_json(runner)
    q = catalog_of(province).get("sipas")
    assert "Độ tin cậy của các yếu tố (hệ số Cronbach’s alpha)" in text
    alphas = {e.code: now["overall"]["elements"][e.code]["alpha"] for e in q.elements}
    assert any(alpha is not None for alpha in alphas.values())
    for element in q.elements:
        alpha = alphas[element.code]
        shown = "—" if alpha is None else format_decimal(alpha, "0.00", locale="vi")
        assert f"{q.text(element.title, 'vi')}: {shown}" in text, element.code


def test_the_charts_labels_are_text_in_the_pdf(province, runner, tmp_path):
    """The element chart's labels are text (svg.fonttype "none"), so pdftotext reads them: the
    axis 0 … 100 on one line, and each element's name as the chart wraps it (28 characters)."""
    pdf = make_report(runner, tmp_path / "report.pdf", "--lang", "vi")
    layout = [flat(line) for line in pdf_text(pdf, "-layout").splitlines()]
    assert "0 20 40 60 80 100" in layout
    labels = catalog_of(province).get("sipas")
    for element in labels.elements:
        lines = textwrap.wrap(labels.text(element.title, "vi"), 28)
        assert any(line.startswith(lines[0]) for line in layout), lines[0]
        if len(lines) > 1:  # a wrapped name is the chart's: tables print it whole
            assert lines[1] in layout or any(line.startswith(lines[1] + " ") for line in layout), lines[1]
