"""Pages that sign in, print, register kiosks or judge flagged responses leave an audit event
naming the signed-in account, in the same transaction as the work: a refused or failed request
leaves none. Slips and report downloads: tests/web/test_audit_events_files.py."""

from __future__ import annotations

import re

import pytest
from accounts import PASSWORD, add_user, csrf_from, log_in
from factories import form_fields, full_submission, sipas, unit_tree
from pages import hidden_field
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Kiosk, ResponseFlag


@pytest.fixture
def units(app):
    with app.app_context():
        unit_tree(db.session, "Q1 > P01; Q3", {"Q1": "UBND Quận 1", "P01": "UBND phường Bến Nghé", "Q3": "UBND Quận 3"})
        db.session.commit()


def audit_rows(app) -> list[tuple]:
    """(who, action, unit code, detail) of every event, oldest first."""
    with app.app_context():
        return [(e.user.email if e.user else e.operator, e.action, e.unit.code if e.unit else None, e.detail)
                for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_signing_in_and_out(app, client, units):
    add_user(app, "lan@q1.gov.vn", "staff", "P01")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"csrf_token": token, "email": "lan@q1.gov.vn",
                                       "password": PASSWORD + "x"}).status_code == 200
    assert audit_rows(app) == []  # a wrong password is nobody's sign-in
    log_in(client, "lan@q1.gov.vn")
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert audit_rows(app) == [("lan@q1.gov.vn", "user.sign_in", "P01", {}),
                               ("lan@q1.gov.vn", "user.sign_out", "P01", {})]


def test_kiosks_registered_and_revoked(app, client, units):
    log_in(client, add_user(app, "lan@q1.gov.vn", "staff", "Q1"))
    token = csrf_from(client.get("/staff/kiosks").get_data(as_text=True))
    assert client.post("/staff/kiosks", data={"csrf_token": token, "unit": "P01", "name": ""}).status_code == 200
    registered = client.post("/staff/kiosks", data={"csrf_token": token, "unit": "P01", "name": "Quầy 3"})
    key = re.search(r"\?key=([A-Za-z0-9_-]{24})", registered.get_data(as_text=True)).group(1)
    with app.app_context():
        kiosk_id = db.session.scalar(select(Kiosk.id))
    assert client.post(f"/staff/kiosks/{kiosk_id}/revoke", data={"csrf_token": token}).status_code == 302
    rows = audit_rows(app)
    assert rows == [("lan@q1.gov.vn", "user.sign_in", "Q1", {}),
                    ("lan@q1.gov.vn", "kiosk.register", "P01", {"id": kiosk_id, "name": "Quầy 3"}),
                    ("lan@q1.gov.vn", "kiosk.revoke", "P01", {"id": kiosk_id, "name": "Quầy 3"})]
    assert key not in repr(rows)
    # Another unit's kiosk is a 404, and leaves nothing.
    other = app.test_client()
    log_in(other, add_user(app, "minh@q3.gov.vn", "staff", "Q3"))
    other_token = csrf_from(other.get("/staff/kiosks").get_data(as_text=True))
    assert other.post(f"/staff/kiosks/{kiosk_id}/revoke", data={"csrf_token": other_token}).status_code == 404
    assert audit_rows(app)[3:] == [("minh@q3.gov.vn", "user.sign_in", "Q3", {})]


def test_posters(app, client, units):
    log_in(client, add_user(app, "lan@q1.gov.vn", "staff", "P01"))
    assert client.get("/staff/units/P01/poster.pdf?size=A5").status_code == 200
    assert client.get("/staff/units/P01/poster.pdf?size=A3").status_code == 400
    assert client.get("/staff/units/Q3/poster.pdf").status_code == 403
    assert audit_rows(app)[1:] == [("lan@q1.gov.vn", "poster.print", "P01", {"size": "A5"})]


def test_flagged_responses_reviewed(app, client, units):
    citizen = app.test_client()
    html = citizen.get("/u/P01").get_data(as_text=True)
    fields = {name: hidden_field(html, name) for name in ("csrf_token", "submission_key", "served_at")}
    # The whole form answered alike at once: flagged.
    assert citizen.post("/u/P01", data={**fields, **form_fields(full_submission(sipas(), 5))}).status_code == 302
    with app.app_context():
        response_id = db.session.scalar(select(ResponseFlag.response_id))
    log_in(client, add_user(app, "officer@q1.gov.vn", "officer", "Q1"))
    token = csrf_from(client.get("/staff/").get_data(as_text=True))

    def decide(decision: str, reason: str) -> None:
        assert client.post(f"/reports/flags/{response_id}", data={
            "csrf_token": token, "decision": decision, "reason": reason}).status_code == 302

    decide("restore", "")                       # no reason: refused
    decide("restore", "Người dân xác nhận")
    decide("restore", "again")                  # restored already: refused
    decide("flag", "Trùng lặp")
    assert audit_rows(app)[1:] == [
        ("officer@q1.gov.vn", "flag.review", "P01", {"decision": "restore", "response": response_id}),
        ("officer@q1.gov.vn", "flag.review", "P01", {"decision": "flag", "response": response_id}),
    ]
