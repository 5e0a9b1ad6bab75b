"""``/reports/``: every figure equals ``scores --format json``; ranks and their changes in the
officers' words; sorting by plain links; bad addresses get a 400 page in the reader's language."""

from __future__ import annotations

import json
import math
from datetime import datetime
from statistics import NormalDist
from zoneinfo import ZoneInfo

import pytest
from babel.numbers import format_decimal
from html_tables import Page
from report_province import PERIOD

from survey_app.domain.periods import last_full_quarter
from survey_app.domain.submission import Submission
from survey_app.extensions import db
from survey_app.services import units
from survey_app.services.responses import record_response

ELEMENTS = ["TC", "TT", "CC", "KQ", "PA"]


def number(value, lang: str) -> str:
    return "—" if value is None else format_decimal(value, "#,##0.0", locale=lang)


def interval(ci, lang: str) -> str:
    return "—" if ci is None else f"{number(ci[0], lang)}–{number(ci[1], lang)}"


def percent(rate, lang: str) -> str:
    return "—" if rate is None else number(100 * rate, lang) + "%"


def get_page(client, **query) -> Page:
    response = client.get("/reports/", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return Page(response.get_data(as_text=True))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_figure_equals_the_scores_json(officer, scores_json, lang):
    document = scores_json()
    page = get_page(officer, **PERIOD, lang=lang)
    assert page.text("overall-index") == number(document["overall"]["index"], lang)
    assert page.text("overall-ci") == interval(document["overall"]["ci"], lang)
    assert page.text("overall-n") == str(document["overall"]["n"])
    assert len(page.row_ids("unit-")) == len(document["units"]) == 10
    for unit in document["units"]:
        name, index, ci, n, rate, rank, _rank_change, _index_change, *elements = page.row(f"unit-{unit['unit']}")
        assert name == unit["name"]
        assert index == number(unit["index"], lang)
        assert ci == interval(unit["ci"], lang)
        assert n == str(unit["n"])
        assert rate == percent(unit["response_rate"], lang)
        assert elements == [number(unit["elements"][code]["index"], lang) for code in ELEMENTS]
        if unit["rank"] is not None:
            assert rank == str(unit["rank"])
    # Figures that would read differently in the two languages really do.
    stp = page.row("unit-STP")
    assert stp[4] == ("75,0%" if lang == "vi" else "75.0%")
    assert page.row("unit-SYT")[1] == ("33,3" if lang == "vi" else "33.3")


def test_element_cells_are_coloured_by_band_with_classes(officer):
    page = get_page(officer, **PERIOD)
    attrs = page.row_attrs("unit-STP")[8:]
    assert [a["class"] for a in attrs] == ["num band band-a"] * 5       # 100
    assert [a["class"] for a in page.row_attrs("unit-SYT")[8:]] == ["num band band-d"] * 5   # 33.3
    assert "style=" not in page.html and "<style" not in page.html.split("</head>")[1]


RANK_WORDS = {
    "vi": {"STP": "tăng 1 bậc", "SXD": "tăng 2 bậc", "SCT": "giữ nguyên", "SYT": "giảm 3 bậc",
           "X1": "chưa xếp hạng kỳ trước", "SNV": ""},
    "en": {"STP": "up 1", "SXD": "up 2", "SCT": "unchanged", "SYT": "down 3",
           "X1": "not ranked before", "SNV": ""},
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_rank_changes_are_worded_as_officers_say_them(officer, scores_json, lang):
    document = {u["unit"]: u for u in scores_json()["units"]}
    assert {code: document[code]["rank_change"] for code in ("STP", "SXD", "SCT", "SYT")} == {
        "STP": 1, "SXD": 2, "SCT": 0, "SYT": -3}
    page = get_page(officer, **PERIOD, lang=lang)
    for code, words in RANK_WORDS[lang].items():
        assert page.row(f"unit-{code}")[6] == words, code


def test_index_changes_since_the_previous_quarter_with_significance_marks(app, officer, scores_json, runner):
    # 30 more satisfied respondents for X2 in the previous quarter (2 of 3 -> 32 of 33): its fall
    # to 15 of 23 is then far more than chance, and marked.
    with app.app_context():
        q = app.extensions["survey_catalog"].get("sipas")
        x2 = units.unit_by_code(db.session, "X2")
        for i in range(30):
            record_response(db.session, unit=x2, questionnaire=q, locale="vi", channel="link",
                            submission=Submission(ratings={c: 5 for c in q.criterion_codes}),
                            submitted_at=datetime(2025, 11, 20, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
        db.session.commit()
    now = {u["unit"]: u for u in scores_json()["units"]}
    result = runner.invoke(args=["scores", "--from", "2025-10-01", "--to", "2025-12-31", "--format", "json"])
    before = {u["unit"]: u for u in json.loads(result.output)["units"]}
    page = get_page(officer, **PERIOD)
    z = NormalDist().inv_cdf(0.975)
    marks = {}
    for code, unit in now.items():
        cell = page.row(f"unit-{code}")[7]
        if unit["index"] is None or before[code]["index"] is None:
            assert cell == "—", code
            continue
        diff = unit["index"] - before[code]["index"]
        sign = "" if number(abs(diff), "vi") == "0,0" else ("+" if diff > 0 else "−")   # SCT: 50 and 50
        assert cell.removesuffix("* có ý nghĩa thống kê") == sign + number(abs(diff), "vi"), code
        # A two-sided z test at 5%, standard errors from the intervals' longer half-widths (a
        # collapsed interval, every answer alike, has an unknown spread: no test).
        if unit["ci"] is None or before[code]["ci"] is None:
            significant = False
        else:
            halves = [max(u["ci"][1] - u["index"], u["index"] - u["ci"][0]) for u in (unit, before[code])]
            se = math.hypot(*halves) / z
            significant = min(halves) > 0 and abs(diff) > z * se
        marks[code] = cell.endswith("* có ý nghĩa thống kê")
        assert marks[code] == significant, code
    assert page.row("unit-STP")[7].startswith("+33,3") and page.row("unit-SYT")[7].startswith("−66,7")
    assert page.row("unit-X1")[7] == "—"
    assert marks["X2"] and not marks["STP"] and not marks["SYT"]  # SYT: 3 of 3 before, no spread


@pytest.mark.parametrize(("lang", "words"), [("vi", "chưa đủ phiếu"), ("en", "not enough responses")])
def test_units_below_the_minimum_say_not_enough_responses_and_have_no_rank(officer, scores_json, lang, words):
    document = {u["unit"]: u for u in scores_json()["units"]}
    assert document["SNV"]["n"] == 1 and document["SNV"]["rank"] is None
    page = get_page(officer, **PERIOD, lang=lang)
    assert page.row("unit-SNV")[5] == words
    # Ranked units and the root do not say it.
    assert page.row("unit-STP")[5] == "1"
    assert page.row("unit-TINH")[5] == "—"
    assert page.html.count(words) == 1


def group_order(page: Page, codes: set[str]) -> list[str]:
    return [row_id.removeprefix("unit-") for row_id in page.row_ids("unit-") if row_id[5:] in codes]


DEPARTMENTS = {"STP", "SXD", "SCT", "SYT", "SNV"}


@pytest.mark.parametrize(("sort", "order", "expected"), [
    (None, None, ["STP", "SXD", "SCT", "SYT", "SNV"]),            # rank, best first; unranked last
    ("rank", "desc", ["SYT", "SCT", "SXD", "STP", "SNV"]),
    ("index", None, ["SNV", "STP", "SXD", "SCT", "SYT"]),          # SNV and STP 100, ties by name (Nội, Tư)
    ("index", "asc", ["SYT", "SCT", "SXD", "SNV", "STP"]),
    ("n", None, ["SCT", "STP", "SXD", "SYT", "SNV"]),              # 4, 4, 4, 3, 1; ties by name
    ("name", None, ["SCT", "SNV", "STP", "SXD", "SYT"]),           # Công, Nội, Tư, Xây, Y
    ("name", "desc", ["SYT", "SXD", "STP", "SNV", "SCT"]),
])
def test_sorting_within_each_group_of_siblings(officer, sort, order, expected):
    query = {**PERIOD, **({"sort": sort} if sort else {}), **({"order": order} if order else {})}
    page = get_page(officer, **query)
    assert group_order(page, DEPARTMENTS) == expected
    # The groups stay in tree order: the province, its two groups, then each group's units.
    assert page.row_ids("unit-")[:3] == ["unit-TINH", "unit-SO", "unit-XA"] or \
        page.row_ids("unit-")[:3] == ["unit-TINH", "unit-XA", "unit-SO"]


def test_the_sorted_header_says_so_and_its_link_reverses_the_order(officer):
    html = officer.get("/reports/", query_string={**PERIOD, "sort": "index", "lang": "en"}).get_data(as_text=True)
    sorted_headers = [h for h in html.split("<th ") if "aria-sort" in h.split(">")[0]]
    assert len(sorted_headers) == 1 and 'aria-sort="descending"' in sorted_headers[0]
    assert "sort=index&amp;order=asc" in sorted_headers[0]
    assert "lang=en" in sorted_headers[0] and "from=2026-01-01" in sorted_headers[0]
    # Other columns start in their natural direction.
    assert "sort=name&amp;order=asc" in html and "sort=n&amp;order=desc" in html


def test_without_dates_the_page_shows_the_last_full_quarter(officer, app):
    today = datetime.now(ZoneInfo(app.config["TIMEZONE"])).date()
    quarter = last_full_quarter(today)
    html = officer.get("/reports/?lang=en").get_data(as_text=True)
    assert f'name="from" value="{quarter.start.isoformat()}"' in html
    assert f'name="to" value="{quarter.end.isoformat()}"' in html
    assert f"Q{(quarter.start.month - 1) // 3 + 1} {quarter.start.year}" in html


def test_the_picker_s_period_becomes_dates_keeping_the_language(officer):
    response = officer.get("/reports/?period=2026-Q1&lang=en&sort=name")
    assert response.status_code == 302
    assert response.headers["Location"] == "/reports/?lang=en&sort=name&from=2026-01-01&to=2026-03-31"
    month = officer.get("/reports/?period=2026-02")
    assert month.headers["Location"] == "/reports/?from=2026-02-01&to=2026-02-28"


def test_links_keep_the_period_and_language(officer):
    page = get_page(officer, **PERIOD, lang="en")
    assert 'href="/reports/units/STP?from=2026-01-01&amp;to=2026-03-31&amp;lang=en"' in page.html
    assert "/reports/report.pdf?from=2026-01-01&amp;to=2026-03-31&amp;lang=en" in page.html
    assert "/reports/report.pdf?from=2026-01-01&amp;to=2026-03-31&amp;lang=vi" in page.html
    assert "/reports/report.xlsx?from=2026-01-01&amp;to=2026-03-31&amp;lang=en" in page.html


BAD = [
    ({"from": "2026-02-30", "to": "2026-03-31"}, "YYYY-MM-DD", "YYYY-MM-DD"),
    ({"from": "2026-01-01"}, "both the first and the last day", "ngày đầu và ngày cuối"),
    ({"from": "2026-03-31", "to": "2026-01-01"}, "after its last day", "sau ngày cuối"),
    ({"from": "0001-01-01", "to": "0001-12-31"}, "2000 and 2099", "2000 đến 2099"),
    ({"period": "2026-Q5"}, "YYYY-MM-DD", "YYYY-MM-DD"),
    ({**PERIOD, "sort": "score"}, "cannot be sorted", "không sắp xếp"),
    ({**PERIOD, "order": "sideways"}, "cannot be sorted", "không sắp xếp"),
    ({**PERIOD, "q": "nope"}, "no questionnaire nope", "Không có phiếu khảo sát nope"),
]


@pytest.mark.parametrize(("query", "english", "vietnamese"), BAD)
def test_bad_addresses_get_a_clear_400_in_the_reader_s_language(officer, query, english, vietnamese):
    for lang, words in (("en", english), ("vi", vietnamese)):
        response = officer.get("/reports/", query_string={**query, "lang": lang})
        assert response.status_code == 400
        assert words in response.get_data(as_text=True), (lang, response.get_data(as_text=True)[-800:])


@pytest.mark.parametrize("query", [
    {"from": "2026-01-01", "to": "2026-01-01\x00"}, {"from": "２０２６-01-01", "to": "2026-02-01"},
    {"from": "9999-12-31", "to": "9999-12-31"}, {"from": "x" * 5000, "to": "y"},
])
def test_odd_dates_are_400_never_500(officer, query):
    assert officer.get("/reports/", query_string=query).status_code == 400
