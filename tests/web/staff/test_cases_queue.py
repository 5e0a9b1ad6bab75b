"""``/staff/cases``: the unit's queue (overdue first, by status), a case's page with its history,
contact and forms; other units' staff get 404; officers read texts, never contacts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from accounts import add_user, log_in
from case_steps import ask_for_reply, case_number_in
from factories import unit_tree
from pages import hidden_field
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Case


@pytest.fixture
def setup(app):
    app.config["OUTBOX_SEND_ON_COMMIT"] = False
    with app.app_context():
        unit_tree(db.session, "TINH > XA1, XA2")
        db.session.commit()
    add_user(app, "staff@xa1.gov.vn", "staff", "XA1")
    add_user(app, "staff@xa2.gov.vn", "staff", "XA2")
    add_user(app, "officer@tinh.gov.vn", "officer", "TINH")


def _signed_in(app, email):
    client = app.test_client()
    log_in(client, email)
    return client


def test_staff_handle_their_units_cases_and_no_other_unit_sees_them(app, client, setup):
    number = case_number_in(ask_for_reply(client, phone="0912345678", text="Thu phí sai.").get_data(as_text=True))
    other = _signed_in(app, "staff@xa2.gov.vn")
    assert other.get(f"/staff/cases/{number}").status_code == 404
    page = other.get("/staff/cases").get_data(as_text=True)
    assert number not in page
    csrf = hidden_field(other.get("/staff/").get_data(as_text=True), "csrf_token")
    assert other.post(f"/staff/cases/{number}/acknowledge", data={"csrf_token": csrf}).status_code == 404

    staff = _signed_in(app, "staff@xa1.gov.vn")
    queue = staff.get("/staff/cases").get_data(as_text=True)
    assert number in queue and "Thu phí sai." in queue
    page = staff.get(f"/staff/cases/{number}").get_data(as_text=True)
    assert "0912345678" in page  # the unit's own staff see the contact while the case is open
    assert staff.post(f"/staff/cases/{number}/acknowledge",
                      data={"csrf_token": hidden_field(page, "csrf_token")}).status_code == 302
    page = staff.get(f"/staff/cases/{number}").get_data(as_text=True)
    csrf = hidden_field(page, "csrf_token")
    # An answer needs its text and a cause from the list.
    for data, message in [({"text": "", "cause": "fees"}, "Vui lòng viết câu trả lời."),
                          ({"text": "Đã hoàn tiền.", "cause": ""}, "Vui lòng chọn nguyên nhân."),
                          ({"text": "Đã hoàn tiền.", "cause": "weather"}, "Vui lòng chọn một trong các lựa chọn có sẵn.")]:
        refused = staff.post(f"/staff/cases/{number}/answer", data={"csrf_token": csrf, **data},
                             follow_redirects=True)
        assert message in refused.get_data(as_text=True), (data, refused.history[0].status_code,
                                                            refused.get_data(as_text=True)[1400:2600])
    assert staff.post(f"/staff/cases/{number}/answer", data={"csrf_token": csrf, "text": "Đã hoàn tiền.",
                                                            "cause": "fees"}).status_code == 302
    page = staff.get(f"/staff/cases/{number}").get_data(as_text=True)
    assert "Đã hoàn tiền." in page and "Phí/lệ phí" in page and "staff@xa1.gov.vn" in page
    assert "case_answer" in page and "…678" in page  # the answer's SMS and its delivery state

    officer = _signed_in(app, "officer@tinh.gov.vn")
    read = officer.get(f"/staff/cases/{number}").get_data(as_text=True)
    assert "Thu phí sai." in read and "0912345678" not in read and "Gửi câu trả lời" not in read
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("case.%")))]
        assert actions == ["case.acknowledge", "case.answer"]


def test_the_queue_puts_overdue_cases_first_and_filters_by_status(app, client, setup):
    numbers = [case_number_in(ask_for_reply(client, phone=f"091234567{i}").get_data(as_text=True)) for i in range(3)]
    with app.app_context():
        late = db.session.scalar(select(Case).where(Case.number == numbers[2]))
        late.received_on = date.today() - timedelta(days=30)
        late.acknowledge_by = date.today() - timedelta(days=27)
        db.session.commit()
    staff = _signed_in(app, "staff@xa1.gov.vn")
    queue = staff.get("/staff/cases").get_data(as_text=True)
    assert queue.index(numbers[2]) < queue.index(numbers[0]) < queue.index(numbers[1])
    assert "Quá hạn" in queue
    assert numbers[0] in staff.get("/staff/cases?status=new").get_data(as_text=True)
    assert numbers[0] not in staff.get("/staff/cases?status=closed").get_data(as_text=True)
    assert staff.get("/staff/cases?status=bogus").status_code == 400
    # Officers see only what was escalated to them.
    officer = _signed_in(app, "officer@tinh.gov.vn")
    assert numbers[2] not in officer.get("/staff/cases").get_data(as_text=True)
