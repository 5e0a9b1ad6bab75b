"""Files made for the web leave an audit event naming the signed-in account: invitation slips (how
many, the procedure code) and report files, in the transaction that keeps the work (a page of
slips in the request, a longer sheet and report files in their background job, survey_app/jobs/);
a refused request leaves none."""

from __future__ import annotations

import pytest
from accounts import add_user, csrf_from, log_in
from factories import unit_tree
from jobs_flow import ask_for, follow_job
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def units(app) -> dict[str, int]:
    with app.app_context():
        made = unit_tree(db.session, "Q1 > P01, P02")
        db.session.commit()
        return {code: unit.id for code, unit in made.items()}


def audit_rows(app) -> list[tuple]:
    """(who, action, unit code, detail) of every event but sign-ins, oldest first."""
    with app.app_context():
        return [(e.user.email, e.action, e.unit.code if e.unit else None, e.detail)
                for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
                if e.action != "user.sign_in"]


def test_a_page_of_slips(app, client, units):
    log_in(client, add_user(app, "lan@q1.gov.vn", "staff", "P01"))
    token = csrf_from(client.get("/staff/invitations").get_data(as_text=True))
    printed = client.post("/staff/invitations", data={"csrf_token": token, "unit": units["P01"], "count": "8",
                                                      "procedure": "1.001234"})
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    assert client.post("/staff/invitations", data={"csrf_token": token, "unit": units["P01"],
                                                   "count": "0"}).status_code == 200   # the form again
    assert client.post("/staff/invitations", data={"csrf_token": token, "unit": units["P02"],
                                                   "count": "8"}).status_code == 403   # another ward
    assert audit_rows(app) == [("lan@q1.gov.vn", "slips.print", "P01", {"count": 8, "procedure": "1.001234"})]


def test_report_files_are_recorded_once_made(app, client, units):
    log_in(client, add_user(app, "officer@q1.gov.vn", "officer", "Q1"))
    period = {"from": "2026-07-01", "to": "2026-09-30"}
    made = follow_job(client, ask_for(client, "/reports/report.xlsx", query_string={**period, "unit": "P01", "lang": "en"}))
    assert made.status_code == 200 and made.mimetype == XLSX
    assert ask_for(client, "/reports/report.pdf", query_string={**period, "lang": "fr"}).status_code == 400
    app.config["JOBS_MAX_UNFINISHED"] = 0  # every further file is refused (429)
    assert ask_for(client, "/reports/report.xlsx", query_string=period).status_code == 429
    assert audit_rows(app) == [("officer@q1.gov.vn", "report.download", "P01", {
        "end": "2026-09-30", "format": "xlsx", "lang": "en", "questionnaire": "sipas", "start": "2026-07-01"})]


def test_a_longer_sheet_of_slips_is_recorded_with_its_invitations(app, client, units):
    log_in(client, add_user(app, "lan@q1.gov.vn", "staff", "P01"))
    token = csrf_from(client.get("/staff/invitations").get_data(as_text=True))
    made = follow_job(client, client.post("/staff/invitations", data={"csrf_token": token, "unit": units["P01"],
                                                                      "count": "9"}))
    assert made.status_code == 200 and made.mimetype == "application/pdf"
    assert audit_rows(app) == [("lan@q1.gov.vn", "slips.print", "P01", {"count": 9})]
