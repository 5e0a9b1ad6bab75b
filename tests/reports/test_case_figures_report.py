"""Cases in the reports: ``scores --format json`` (a ``cases`` object per unit), /reports/cases,
the PDF's section and the workbook's sheet all show the figures of services/case_report.py,
checked here against cases whose figures are worked out by hand."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest
from accounts import add_user, log_in
from openpyxl import load_workbook
from report_documents import FROM, TO, build_province, make_report, pdf_text, scores_json
from sqlalchemy import select

from survey_app.domain.cases import ContactKind
from survey_app.extensions import db
from survey_app.models import Unit, User
from survey_app.services import cases


def _moment(day: date, hour: int = 3) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)  # 10:00 in Hà Nội


@pytest.fixture
def province_cases(app):
    """In STP (Q1 2026): received Mon 2 Mar, acknowledged that day, answered Fri 6 Mar (4 days,
    in time), cause fees, rated 5; received Mon 2 Mar, acknowledged Thu 5 Mar (late), answered
    Mon 23 Mar (21 days, late: due 16 Mar), cause time, reopened; in X1: received Tue 10 Mar, never
    acknowledged. An unconfirmed e-mail request in STP counts nowhere."""
    build_province(app)
    add_user(app, "staff@stp.gov.vn", "staff", "STP")
    with app.app_context():
        rules = cases.CaseRules.from_config(app.config)
        staff = db.session.scalar(select(User))
        unit = {u.code: u for u in db.session.scalars(select(Unit))}

        def opened(code, day, key, kind=ContactKind.PHONE):
            return cases.open_case(db.session, unit=unit[code], text="Chờ lâu.", contact_kind=kind,
                                   sealed_contact="x", form_key=key, today=day, rules=rules)[0]

        first = opened("STP", date(2026, 3, 2), "key-first-000000001")
        cases.acknowledge(db.session, first, staff, _moment(date(2026, 3, 2)), rules)
        cases.answer(db.session, first, staff, text="Đã hoàn phí.", cause="fees", now=_moment(date(2026, 3, 6)), rules=rules)
        cases.rate(db.session, first, resolution="yes", rating=5, now=_moment(date(2026, 3, 7)), rules=rules)
        second = opened("STP", date(2026, 3, 2), "key-second-00000001")
        cases.acknowledge(db.session, second, staff, _moment(date(2026, 3, 5)), rules)
        cases.answer(db.session, second, staff, text="Đã xử lý.", cause="time", now=_moment(date(2026, 3, 23)), rules=rules)
        cases.reopen(db.session, second, now=_moment(date(2026, 3, 24)), rules=rules)
        opened("X1", date(2026, 3, 10), "key-third-000000001")
        opened("STP", date(2026, 3, 11), "key-unconfirmed-001", kind=ContactKind.EMAIL)
        db.session.commit()


def test_scores_json_has_the_cases_of_each_unit(runner, province_cases):
    document = scores_json(runner)
    by_code = {u["unit"]: u["cases"] for u in document["units"]}
    stp = by_code["STP"]
    assert stp["received"] == 2 and stp["answered"] == 2 and stp["reopened"] == 1
    assert stp["acknowledged_in_time"] == 50.0 and stp["answered_in_time"] == 50.0
    assert stp["median_days_to_answer"] == (4 + 21) / 2
    assert stp["causes"]["fees"] == 1 and stp["causes"]["time"] == 1 and stp["causes"]["other"] == 0
    assert (stp["ratings"], stp["mean_rating"]) == (1, 5.0)
    # A unit counts the units below it: SO holds STP's cases, XA holds X1's, TINH all three.
    assert by_code["SO"]["received"] == 2 and by_code["XA"]["received"] == 1 and by_code["TINH"]["received"] == 3
    x1 = by_code["X1"]
    assert x1["received"] == 1 and x1["acknowledged_in_time"] == 0.0 and x1["answered"] == 0
    assert x1["median_days_to_answer"] is None and by_code["SXD"]["received"] == 0


def test_the_pdf_and_the_workbook_carry_the_same_figures(runner, province_cases, tmp_path):
    text = pdf_text(make_report(runner, tmp_path / "r.pdf"), "-layout")
    assert "Phản ánh, kiến nghị của người dân" in text
    line = next(line for line in text.splitlines() if "Sở Tư pháp" in line and "50,0%" in line)
    assert "12,5" in line and "5,00 (n = 1)" in line
    book = load_workbook(io.BytesIO(make_report(runner, tmp_path / "r.xlsx").read_bytes()))
    sheet = book["Phản ánh"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["STP"][2:10] == (2, 50.0, 50.0, 2, 12.5, 1, 5.0, 1)
    header = [cell.value for cell in sheet[1]]
    assert rows["STP"][header.index("Phí/lệ phí")] == 1 and rows["X1"][2] == 1


def test_the_officers_page_shows_them_for_the_readers_subtree(app, client, province_cases):
    add_user(app, "officer@so.gov.vn", "officer", "SO")
    log_in(client, "officer@so.gov.vn")
    page = client.get(f"/reports/cases?from={FROM}&to={TO}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="cases-STP"' in html and 'id="cases-X1"' not in html  # X1 is outside SO
    assert "12,5" in html and "5,00 (n = 1)" in html and "Chờ lâu." not in html
