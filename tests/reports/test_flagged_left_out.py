"""Responses flagged as made up stay out of what officers read (issue 16, finding 5): their
comments are on no page and in no PDF, the workbook's responses sheet says which rows are
flagged, and /reports/flags is paged 50 at a time however many a flood left."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from accounts import add_user, log_in
from factories import record, sipas, submission, unit_tree
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.domain.submission import Submission
from survey_app.extensions import db
from survey_app.models import Response, ResponseFlag
from survey_app.services.units import unit_by_code
from tests.report_documents import FROM, TO, build_province, make_report, pdf_text

FLOOD = "Tuyệt vời lũ lụt"
RESTORED = "Lời khen được khôi phục"


@pytest.fixture
def province(app):
    """The report province, plus on SCT three flood responses (flagged, left out) and one
    flagged response an officer restored, each with a comment of its own."""
    build_province(app)
    with app.app_context():
        sct = unit_by_code(db.session, "SCT")
        at = datetime(2026, 2, 10, 3, tzinfo=timezone.utc)
        q = sipas()
        for i, (comment, restored) in enumerate([(FLOOD + " 1", False), (FLOOD + " 2", False),
                                                 (FLOOD + " 3", False), (RESTORED, True)]):
            response = record(db.session, sct, q, submission(q, TC1=5, comment=comment), at=at + timedelta(minutes=i))
            db.session.add(ResponseFlag(response_id=response.id, reasons="burst,repeated" if i else "burst",
                                        flagged_at=response.submitted_at, restored=restored))
        db.session.commit()
    return app


def test_the_pdf_prints_no_comment_of_a_response_left_out(province, runner, tmp_path):
    text = " ".join(pdf_text(make_report(runner, tmp_path / "report.pdf")).split())
    assert FLOOD not in text
    assert RESTORED in text                       # restored by an officer: it counts, comment too
    assert "Phục vụ tốt, cảm ơn." in text         # an ordinary comment of the same unit


def test_the_unit_page_shows_no_comment_of_a_response_left_out(province, client):
    log_in(client, add_user(province, "officer@binhan.gov.vn", "officer", "TINH"))
    page = client.get("/reports/units/SCT", query_string={"from": FROM, "to": TO, "lang": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert FLOOD not in html and RESTORED in html and "Phục vụ tốt, cảm ơn." in html


def test_the_responses_sheet_has_a_flag_column(province, runner, tmp_path):
    book = load_workbook(make_report(runner, tmp_path / "report.xlsx", "--unit", "SCT"))
    rows = book.worksheets[-1].iter_rows(values_only=True)
    header = next(rows)
    assert header[-2:] == ("comment", "flag")
    rows = list(rows)
    flags = {row[header.index("comment")]: row[-1] for row in rows if row[header.index("comment")]}
    assert flags[FLOOD + " 1"] == "burst"
    assert flags[FLOOD + " 2"] == flags[FLOOD + " 3"] == "burst,repeated"
    assert flags[RESTORED] == "restored: burst,repeated"
    assert flags["Phục vụ tốt, cảm ơn."] is None
    assert len(rows) == 10 + 4 and sum(row[-1] is not None for row in rows) == 4


def test_the_flags_page_is_paged_fifty_at_a_time(app, client):
    q = sipas()
    with app.app_context():
        unit = unit_tree(db.session, "TINH > STP")["STP"]
        start = datetime.now(timezone.utc) - timedelta(hours=2)
        for i in range(53):
            response = record(db.session, unit, q, Submission(ratings={"TC1": 5}), at=start + timedelta(seconds=i))
            db.session.add(ResponseFlag(response_id=response.id, reasons="burst", flagged_at=response.submitted_at,
                                        restored=i < 2))
        db.session.commit()
    log_in(client, add_user(app, "officer@example.gov.vn", "officer", "TINH"))
    day = datetime.now(ZoneInfo(app.config["TIMEZONE"])).date()
    query = {"from": (day - timedelta(days=1)).isoformat(), "to": day.isoformat(), "lang": "en"}

    def shown(**extra) -> tuple[list[int], str, str]:
        html = client.get("/reports/flags", query_string={**query, **extra}).get_data(as_text=True)
        pages = re.search(r'<nav class="pages".*?</nav>', html, re.S)
        return [int(i) for i in re.findall(r'id="response-(\d+)"', html)], html, pages.group(0) if pages else ""

    first, html, pages = shown()
    assert len(first) == 50 and "Flagged: 53; left out of the indices: 51." in html
    assert "Page 1 of 2" in pages and 'page=2" rel="next"' in pages and 'rel="prev"' not in pages
    second, html, pages = shown(page="2")
    assert len(second) == 3 and "Flagged: 53; left out of the indices: 51." in html
    assert "Page 2 of 2" in pages and 'page=1" rel="prev"' in pages and 'rel="next"' not in pages
    with app.app_context():
        newest_first = list(db.session.scalars(select(ResponseFlag.response_id).join(ResponseFlag.response)
                                               .order_by(Response.submitted_at.desc())))
    assert first + second == newest_first
    assert shown(page="9")[0] == second          # past the end: the last page
    assert client.get("/reports/flags", query_string={**query, "page": "x"}).status_code == 400
