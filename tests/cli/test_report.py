"""``flask report``: the format follows the suffix; bad arguments are clear errors that write nothing."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.report_documents import FROM, TO, build_province, pdf_info, pdf_text


@pytest.fixture
def province(app):
    build_province(app)
    return app


def test_pdf_and_xlsx_by_suffix(province, runner, tmp_path):
    pdf, xlsx = tmp_path / "bao-cao.PDF", tmp_path / "bao-cao.xlsx"
    for path in (pdf, xlsx):
        result = runner.invoke(args=["report", "--from", FROM, "--to", TO, "-o", str(path)])
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
        assert f"{path}: " in result.stderr
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert pdf_info(pdf)["Page size"] == "595.276 x 841.89 pts (A4)"
    assert "Trang 1 / " in pdf_text(pdf)               # Vietnamese unless told otherwise
    assert xlsx.read_bytes().startswith(b"PK")
    assert load_workbook(xlsx).sheetnames[0] == "Tổng hợp"
    english = tmp_path / "report.xlsx"
    result = runner.invoke(args=["report", "--from", FROM, "--to", TO, "--lang", "en", "--unit", "SO",
                                 "-o", str(english)])
    assert result.exit_code == 0, result.output
    book = load_workbook(english)
    assert book.sheetnames == ["Summary", "Units", "Criteria", "Expectations", "Cases", "Responses"]
    assert [row[0] for row in book["Units"].iter_rows(min_row=2, values_only=True)] == ["SO", "SCT", "STP", "SXD"]


@pytest.mark.parametrize(("args", "output", "message"), [
    ([], "report.csv", "'report.csv' must end in .pdf or .xlsx"),
    ([], "report", "'report' must end in .pdf or .xlsx"),
    (["--unit", "KHONGCO"], "r.pdf", "unknown unit KHONGCO"),
    (["--questionnaire", "sipas9"], "r.xlsx", "unknown questionnaire sipas9"),
    (["--lang", "fr"], "r.pdf", "'fr' is not one of 'vi', 'en'"),
])
def test_bad_arguments_write_nothing(province, runner, tmp_path, args, output, message):
    path = tmp_path / output
    result = runner.invoke(args=["report", "--from", FROM, "--to", TO, *args, "-o", str(path)])
    assert result.exit_code == 2
    assert message in result.output
    assert not path.exists()


def test_dates_are_checked(runner, tmp_path):
    path = tmp_path / "r.pdf"
    result = runner.invoke(args=["report", "--from", "2026-02-01", "--to", "2026-01-31", "-o", str(path)])
    assert result.exit_code == 2 and "--from is after --to" in result.output
    result = runner.invoke(args=["report", "--from", "2026-02-30", "--to", "2026-03-31", "-o", str(path)])
    assert result.exit_code == 2 and "'2026-02-30' is not a date YYYY-MM-DD" in result.output
    assert not path.exists()
