"""/reports/subscriptions: an account sets what it receives, within its own scope."""

from __future__ import annotations

import report_province
from accounts import add_user, csrf_from, log_in
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Subscription, User


def subscriptions_of(app, email):
    with app.app_context():
        return [(s.kind, s.frequency, s.unit.code if s.unit else None, s.language)
                for s in db.session.scalars(select(Subscription).join(User).where(User.email == email))]


def test_an_officer_subscribes_and_changes_its_mind(app, client):
    report_province.build(app)
    log_in(client, add_user(app, "officer@binhan.gov.vn", "officer", None))
    page = client.get("/reports/subscriptions").get_data(as_text=True)
    token = csrf_from(page)
    response = client.post("/reports/subscriptions", data={"csrf_token": token, "digest": "y", "frequency": "quarter",
                                                           "unit": "", "language": "en"})
    assert response.status_code == 302
    assert sorted(subscriptions_of(app, "officer@binhan.gov.vn")) == [("digest", None, None, "en"),
                                                                      ("report", "quarter", None, "en")]
    client.post("/reports/subscriptions", data={"csrf_token": token, "frequency": "", "unit": "", "language": "vi"})
    assert subscriptions_of(app, "officer@binhan.gov.vn") == []
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "subscription.save")) is not None


def test_a_staff_account_may_not_subscribe_to_another_unit(app, client):
    report_province.build(app)
    with app.app_context():
        from survey_app.models import Unit
        codes = [u.code for u in db.session.scalars(select(Unit).order_by(Unit.code))]
    own = codes[-1]
    other = next(c for c in codes if c != own)
    log_in(client, add_user(app, "staff@binhan.gov.vn", "staff", own))
    token = csrf_from(client.get("/reports/subscriptions").get_data(as_text=True))
    response = client.post("/reports/subscriptions", data={"csrf_token": token, "frequency": "month", "unit": other,
                                                           "language": "vi"})
    assert response.status_code == 200 and subscriptions_of(app, "staff@binhan.gov.vn") == []
    client.post("/reports/subscriptions", data={"csrf_token": token, "frequency": "month", "unit": own,
                                                "language": "vi"})
    assert subscriptions_of(app, "staff@binhan.gov.vn") == [("report", "month", own, "vi")]
