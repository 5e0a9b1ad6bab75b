"""A citizen's reply request (web/public/replies.py): the form, its checks, the case number, the
confirmation of an e-mail address, the answer's single-use link with its rating, one reopen."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from accounts import add_user, log_in
from case_steps import ask_for_reply, case_number_in, link_in, post_form, send_outbox
from factories import kiosk, unit_tree
from pages import hidden_field
from sqlalchemy import select

from survey_app.domain.cases import CaseStatus
from survey_app.extensions import db
from survey_app.models import Case, OutboxMessage


@pytest.fixture
def units(app):
    app.config["OUTBOX_SEND_ON_COMMIT"] = False
    with app.app_context():
        unit_tree(db.session, "TINH > XA1, XA2", {"XA1": "UBND xã Một"})
        db.session.commit()


def test_the_form_explains_what_is_kept_and_refuses_what_is_wrong(client, units):
    page = client.get("/u/XA1/reply")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "90" in html and "UBND xã Một" in html and 'type="tel"' in html
    for fields, message in [
        ({"phone": None, "email": None}, "Vui lòng cho số điện thoại di động hoặc địa chỉ e-mail."),
        ({"phone": "024 3825 1234"}, "Vui lòng cho số điện thoại di động Việt Nam"),
        ({"email": "lan@example"}, "Vui lòng cho địa chỉ e-mail"),
        ({"phone": "0912345678", "consent": None}, "Vui lòng đồng ý"),
        ({"phone": "0912345678", "text": "  "}, "Vui lòng cho biết điều gì đã xảy ra."),
        ({"phone": "0912345678", "text": "a\x00b"}, "ký tự điều khiển"),
    ]:
        sent = ask_for_reply(client, **fields)
        assert sent.status_code == 400 and message in sent.get_data(as_text=True), (fields, sent.get_data(as_text=True)[-3000:])
    with client.application.app_context():
        assert db.session.scalar(select(Case)) is None


def test_a_phone_request_gets_its_number_at_once_and_reaches_the_unit(app, client, units):
    sent = ask_for_reply(client, phone="+84 912 345 678")
    assert sent.status_code == 200
    number = case_number_in(sent.get_data(as_text=True))
    assert number == f"PA-{datetime.now(timezone.utc).year}-000001" or number.endswith("000001")
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case.confirmed and case.status == CaseStatus.NEW and case.contact_kind == "phone"
        (message,) = db.session.scalars(select(OutboxMessage)).all()
        # The case number by SMS, tied to no case: its send time must not date the receipt.
        assert (message.kind, message.channel, message.about, message.recipient_hint) == \
               ("case_received", "sms", None, "…678")


def test_the_same_form_sent_twice_makes_one_case(app, client, units):
    page = client.get("/u/XA1/reply").get_data(as_text=True)
    data = {"csrf_token": hidden_field(page, "csrf_token"), "form_key": hidden_field(page, "form_key"),
            "text": "Chờ lâu.", "consent": "y", "phone": "0912345678"}
    first, second = client.post("/u/XA1/reply", data=data), client.post("/u/XA1/reply", data=data)
    assert case_number_in(first.get_data(as_text=True)) == case_number_in(second.get_data(as_text=True))
    with app.app_context():
        assert len(db.session.scalars(select(Case)).all()) == 1
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_an_email_request_is_confirmed_by_its_link_and_a_get_confirms_nothing(app, client, units, smtp_server):
    sent = ask_for_reply(client, email="lan.nguyen@example.vn")
    number = case_number_in(sent.get_data(as_text=True))
    send_outbox(app)
    (mail,) = smtp_server.received
    assert mail.rcpt_tos == ["lan.nguyen@example.vn"] and number in mail.message["Subject"]
    link = link_in(mail.message, "/cases/confirm/")
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200
    with app.app_context():
        assert not db.session.scalar(select(Case)).confirmed
    done = post_form(client, "/" + path, {}, page=page.get_data(as_text=True))
    assert done.status_code == 200 and number in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Case)).confirmed
    assert client.get("/cases/confirm/not-a-token").status_code == 410


def test_a_confirmation_link_expires_after_48_hours(app, client, units, monkeypatch):
    import itsdangerous.timed

    ask_for_reply(client, email="lan@example.vn")
    with app.app_context():
        from itsdangerous import URLSafeTimedSerializer

        number = db.session.scalar(select(Case)).number
        token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="case-confirmation").dumps(number)
    assert client.get(f"/cases/confirm/{token}").status_code == 200
    later = datetime.now(timezone.utc) + timedelta(hours=48, minutes=1)
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: int(later.timestamp()))
    assert client.get(f"/cases/confirm/{token}").status_code == 410


def test_the_answer_link_is_single_use_and_a_case_reopens_once(app, client, units, smtp_server):
    add_user(app, "staff@xa1.gov.vn", "staff", "XA1")
    number = case_number_in(ask_for_reply(client, email="lan@example.vn").get_data(as_text=True))
    with app.app_context():
        db.session.scalar(select(Case)).confirmed = True
        db.session.commit()
    staff = app.test_client()
    log_in(staff, "staff@xa1.gov.vn")

    def answer(text):
        page = staff.get(f"/staff/cases/{number}").get_data(as_text=True)
        assert staff.post(f"/staff/cases/{number}/acknowledge",
                          data={"csrf_token": hidden_field(page, "csrf_token")}).status_code == 302
        page = staff.get(f"/staff/cases/{number}").get_data(as_text=True)
        assert staff.post(f"/staff/cases/{number}/answer", data={
            "csrf_token": hidden_field(page, "csrf_token"), "text": text, "cause": "time"}).status_code == 302
        send_outbox(app)
        return "/" + link_in(smtp_server.received[-1].message, "/cases/answer/").split("://", 1)[1].split("/", 1)[1]

    first = answer("Hồ sơ chậm do chờ ý kiến sở.")
    page = client.get(first)
    assert page.status_code == 200 and "Hồ sơ chậm do chờ ý kiến sở." in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    missing = post_form(client, first, {"rate-submit": "1"}, csrf_name="rate-csrf_token")
    assert missing.status_code == 400 and "Vui lòng" in missing.get_data(as_text=True)
    reopened = post_form(client, first, {"reopen-submit": "1"}, csrf_name="reopen-csrf_token")
    assert reopened.status_code == 200
    assert client.get(first).status_code == 410  # the link was used
    second = answer("Đã có kết quả.")
    html = client.get(second).get_data(as_text=True)
    assert "reopen-submit" not in html  # once only
    rated = post_form(client, second, {"rate-resolution": "partly", "rate-rating": "3", "rate-submit": "1"},
                      csrf_name="rate-csrf_token", page=html)
    assert rated.status_code == 200
    assert client.get(second).status_code == 410
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert (case.status, case.resolution, case.rating, case.reopened) == ("closed", "partly", 3, True)
        kinds = [m.kind for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
        # The confirmation, about no case, left no row once sent (services/outbox.py).
        assert kinds == ["case_answer", "case_answer"]


def test_every_thank_you_page_and_the_units_page_offer_a_reply(app, client, units):
    from factories import criteria_codes, sipas
    from pages import survey_fields

    survey = client.get("/u/XA1").get_data(as_text=True)
    assert 'href="/u/XA1/reply' in survey
    fields = survey_fields(client, "/u/XA1")
    thanks = client.post("/u/XA1", data={**fields, **{c: "4" for c in criteria_codes(sipas())}})
    page = client.get(thanks.headers["Location"]).get_data(as_text=True)
    assert 'href="/u/XA1/reply' in page and "Ông/Bà có muốn được phản hồi không?" in page
    with app.app_context():
        from survey_app.models import Unit

        registered, key = kiosk(db.session, db.session.scalar(select(Unit).where(Unit.code == "XA1")))
        public_id = registered.public_id
        db.session.commit()
    kiosk_thanks = client.get(f"/k/{public_id}/thanks?key={key}").get_data(as_text=True)
    assert f"/k/{public_id}/reply?key={key}" in kiosk_thanks.replace("&amp;", "&")
    form = client.get(f"/k/{public_id}/reply?key={key}")
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and 'class="stacked reply-form kiosk-reply"' in html
    assert 'data-idle-seconds="90"' in html and "kiosk.js" in html
    assert client.get(f"/k/{public_id}/reply?key=wrong").status_code == 403
