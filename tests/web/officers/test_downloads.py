"""``/reports/report.pdf`` and ``report.xlsx``: the very report the ``report`` command writes for
the same period, unit and language, made by a background job (here a thread of the app: no
Redis is configured) and sent from its page as an attachment that no cache keeps."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
import weasyprint
from jobs_flow import ask_for, follow_job, page_text, settled_page
from openpyxl import load_workbook
from report_province import PERIOD
from weasyprint.urls import FatalURLFetchingError

QUERY = f"from={PERIOD['from']}&to={PERIOD['to']}"


def pdf_text(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode()


def cells(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def cli_report(runner, tmp_path, suffix: str, *args: str) -> bytes:
    out = tmp_path / f"report{suffix}"
    result = runner.invoke(args=["report", "--from", PERIOD["from"], "--to", PERIOD["to"], *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_the_pdf_is_the_report_command_s(officer, runner, tmp_path):
    response = follow_job(officer, ask_for(officer, f"/reports/report.pdf?{QUERY}&unit=SO&lang=en"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        "attachment; filename=bao-cao-hai-long-SO-2026-01-01-2026-03-31.pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert pdf_text(response.data) == pdf_text(cli_report(runner, tmp_path, ".pdf", "--unit", "SO", "--lang", "en"))
    assert "Sở Tư pháp" in pdf_text(response.data) and "Xã Đông Hòa" not in pdf_text(response.data)


def test_the_workbook_is_the_report_command_s(officer, runner, tmp_path):
    response = follow_job(officer, ask_for(officer, f"/reports/report.xlsx?{QUERY}"))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == \
        "attachment; filename=bao-cao-hai-long-TINH-2026-01-01-2026-03-31.xlsx"
    assert response.headers["Cache-Control"] == "no-store"
    # The officer's scope is TINH: the province, as the command writes it for --unit TINH.
    assert cells(response.data) == cells(cli_report(runner, tmp_path, ".xlsx", "--unit", "TINH"))


@pytest.mark.parametrize("lang", ["fr", "VI", "vi-VN"])
def test_a_report_language_other_than_vi_or_en_is_400(officer, lang):
    assert ask_for(officer, f"/reports/report.pdf?{QUERY}&lang={lang}").status_code == 400
    assert ask_for(officer, f"/reports/report.xlsx?{QUERY}&lang={lang}").status_code == 400


def test_bad_dates_are_400_for_files_too(officer):
    assert ask_for(officer, "/reports/report.pdf?from=2026-13-01&to=2026-12-31").status_code == 400
    assert ask_for(officer, "/reports/report.xlsx?from=2026-03-01&to=2026-01-01").status_code == 400


def test_a_refused_fetch_ends_in_a_clean_error_page(officer, monkeypatch):
    """WeasyPrint's FatalURLFetchingError is a BaseException: the job must record it as a failed
    PDF, and its page say so in the reader's language, not wait for ever."""
    def refuse(self, *args, **kwargs):
        raise FatalURLFetchingError("refused to fetch 'file:///etc/passwd'")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", refuse)
    response = ask_for(officer, f"/reports/report.pdf?{QUERY}&unit=STP&lang=en")
    page = settled_page(officer, response.headers["Location"])
    assert page.status_code == 200
    assert "The PDF report could not be made. Please try again later." in page_text(page)
    assert "passwd" not in page.get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page.get_data(as_text=True)


def test_a_file_is_asked_for_by_post_with_the_csrf_token_only(officer, app):
    """Issue 16: a GET started a job, so a link on another site could make an officer's account
    make files (each audited against them). A GET is refused; a POST needs the form's token."""
    from survey_app.extensions import db
    from survey_app.models import BackgroundJob

    for path in (f"/reports/report.pdf?{QUERY}&unit=STP&lang=en", f"/reports/report.xlsx?{QUERY}",
                 f"/reports/report.pdf/preparing?{QUERY}&unit=STP&lang=en"):
        assert officer.get(path).status_code in (404, 405), path
        assert officer.post(path, data={}).status_code in (400, 404, 405), path
    with app.app_context():
        assert db.session.query(BackgroundJob).count() == 0
    # The pages' buttons: forms that POST with the token, to the addresses above.
    page = officer.get(f"/reports/units/STP?{QUERY}&lang=en").get_data(as_text=True)
    forms = re.findall(r'<form method="post" action="(/reports/report[^"]+)"', page)
    assert len(forms) == 3 and all("unit=STP" in action for action in forms), forms
    assert follow_job(officer, ask_for(officer, f"/reports/report.pdf?{QUERY}&unit=STP&lang=en")).status_code == 200
