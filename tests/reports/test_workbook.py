"""The XLSX report: numeric cells equal ``scores --format json``; anonymised responses; no cell
a spreadsheet could run as a formula."""

from __future__ import annotations

from datetime import datetime

import pytest
from openpyxl import load_workbook

from survey_app import catalog_of
from survey_app.domain.change import change_between
from survey_app.domain.csv_files import FORMULA_TRIGGERS
from survey_app.services.response_rows import response_columns
from tests.report_documents import COMMENTS, build_province, make_report, previous_json, scores_json


@pytest.fixture
def workbook(app, runner, tmp_path):
    build_province(app)
    path = make_report(runner, tmp_path / "report.xlsx")
    return load_workbook(path)


def same(value):
    return None if value is None else pytest.approx(value, rel=1e-12, abs=1e-12)


def records(sheet) -> list[dict]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, row)) for row in rows]


def test_sheets_in_the_report_language(workbook):
    assert workbook.sheetnames == ["Tổng hợp", "Đơn vị", "Tiêu chí", "Mong đợi", "Phản ánh", "Phiếu trả lời"]


def test_units_equal_the_scores_json(workbook, runner):
    now, before = scores_json(runner), previous_json(runner)
    sheet = workbook["Đơn vị"]
    rows = records(sheet)
    assert [r["Mã đơn vị"] for r in rows] == [u["unit"] for u in now["units"]]
    before_units = {u["unit"]: u for u in before["units"]}
    for row, unit in zip(rows, now["units"]):
        assert row["Số phiếu"] == unit["n"]
        assert row["Chỉ số SIPAS"] == same(unit["index"])
        assert (row["Cận dưới"], row["Cận trên"]) == (same(unit["ci"][0]), same(unit["ci"][1]))
        for code, element in unit["elements"].items():
            assert row[code] == same(element["index"])
        assert (row["Hạng"], row["Hạng kỳ trước"], row["Thay đổi thứ hạng"]) == (
            unit["rank"], unit["previous_rank"], unit["rank_change"])
        previous = before_units[unit["unit"]]
        change = change_between(unit["index"], unit["ci"], previous["index"], previous["ci"])
        assert row["Thay đổi"] == same(change.value)
        assert row["Có ý nghĩa thống kê"] == ("có" if change.significant else "không")
    # Indices are numbers shown to one decimal, not text.
    for cell in next(sheet.iter_rows(min_row=2, max_row=2)):
        if sheet.cell(1, cell.column).value in ("Chỉ số SIPAS", "Cận dưới", "TC", "Thay đổi"):
            assert cell.data_type == "n" and cell.number_format == "0.0", cell.coordinate


def test_summary_criteria_and_expectations_equal_the_scores_json(workbook, runner):
    now = scores_json(runner)
    overall = now["overall"]
    summary = {row[0]: row for row in workbook["Tổng hợp"].iter_rows(values_only=True) if row and row[0]}
    assert summary["Chỉ số SIPAS"][1:5] == (overall["n"], same(overall["index"]), same(overall["ci"][0]),
                                           same(overall["ci"][1]))
    assert summary["Từ ngày"][1] == datetime(2026, 1, 1) and summary["Đến ngày"][1] == datetime(2026, 3, 31)
    scopes = {None: overall} | {u["unit"]: u for u in now["units"]}
    criteria = records(workbook["Tiêu chí"])
    assert len(criteria) == len(scopes) * len(overall["criteria"])
    for row in criteria:
        figures = scopes[row["Mã đơn vị"]]["criteria"][row["Mã tiêu chí"]]
        assert (row["Số câu trả lời hợp lệ"], row["Số hài lòng"]) == (figures["n"], figures["satisfied"])
        assert row["Chỉ số"] == same(figures["index"])
        assert (row["Cận dưới"], row["Cận trên"]) == ((same(figures["ci"][0]), same(figures["ci"][1]))
                                                      if figures["ci"] else (None, None))
    expectations = records(workbook["Mong đợi"])
    assert len(expectations) == len(scopes) * len(overall["expectations"])
    for row in expectations:
        assert row["Tỷ lệ (%)"] == same(scopes[row["Mã đơn vị"]]["expectations"][row["Mã phương án"]])


def test_responses_are_anonymised_and_masked(workbook, runner, app):
    now = scores_json(runner)
    sheet = workbook["Phiếu trả lời"]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header == response_columns(catalog_of(app).get("sipas"))
    assert not {"id", "submission_key", "kiosk_id", "kiosk", "submitted_at"} & set(header)
    rows = records(sheet)
    assert len(rows) == now["overall"]["n"]
    assert all(isinstance(r["submitted_on"], datetime) and r["submitted_on"].time() == datetime.min.time()
               for r in rows)
    assert sorted(r["submitted_on"] for r in rows) == [r["submitted_on"] for r in rows]
    comments = [r["comment"] for r in rows if r["comment"]]
    assert "Gọi tôi [số điện thoại] hoặc viết [email], CCCD [số giấy tờ]." in comments
    assert not any("0912" in c or "@example" in c for c in comments)
    tc1 = [r["TC1"] for r in rows]
    assert set(tc1) <= {0, 1, 2, 3, 4, 5} and all(isinstance(v, int) for v in tc1)


def test_no_cell_can_run_as_a_formula(workbook):
    texts = []
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(FORMULA_TRIGGERS), f"{sheet.title}!{cell.coordinate}"
    comments = {text for text in texts}
    for typed in COMMENTS["SXD"] + COMMENTS["SCT"]:
        if typed.startswith(FORMULA_TRIGGERS):
            # XML reads a bare carriage return back as a line feed; the apostrophe is what counts.
            assert ("'" + typed).replace("\r", "\n") in comments, typed
    assert "Phục vụ tốt, cảm ơn." in comments          # ordinary text is left alone
    assert "'=Sở Công Thương" in texts                 # a unit name too, not only comments
