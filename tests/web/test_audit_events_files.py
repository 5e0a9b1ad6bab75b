"""Files asked for on the web leave an audit event naming the signed-in account when the work is
asked for: invitation slips (how many, the procedure) and report downloads; a refused request
leaves none."""

from __future__ import annotations

import pytest
from accounts import add_user, csrf_from, log_in
from factories import unit_tree
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent


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
