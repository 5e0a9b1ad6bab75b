"""jobs.outbox with SMS: the sending pass against a local HTTP receiver shaped like a gateway."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from survey_app.domain.delivery import DeliveryState
from survey_app.extensions import db
from survey_app.jobs.outbox import send_pass
from survey_app.messaging import contact_cipher
from survey_app.models import OutboxMessage
from survey_app.services import outbox
from tests.outbox_receivers import SmsReceiver


@pytest.fixture
def ctx(app):
    app.config["OUTBOX_SEND_ON_COMMIT"] = False
    with app.app_context():
        yield app


def _states(about):
    return [d.state for d in outbox.deliveries(db.session, about)]


@pytest.fixture
def gateway(ctx):
    receiver = SmsReceiver().start()
    ctx.config.update(SMS_GATEWAY_URL=receiver.url, SMS_API_KEY="KEY", SMS_SECRET_KEY="SECRET",
                      SMS_BRANDNAME="UBND-Q1")
    yield receiver
    receiver.stop()


def _queue_sms(to="0912 345 678", about="case:2"):
    return outbox.queue_sms(db.session, cipher=contact_cipher(), to=to, text="Hồ sơ PA-2026-000124 đã được tiếp nhận",
                            kind="case_number", about=about)


def test_an_sms_goes_to_the_gateway_in_its_shape(ctx, gateway):
    message = _queue_sms()
    db.session.commit()
    assert send_pass(ctx).sent == 1
    [request] = gateway.requests
    assert request.path.endswith("SendMultipleMessage_V4_post_json/")
    assert request.body == {"ApiKey": "KEY", "SecretKey": "SECRET", "Phone": "0912345678",
                            "Content": "Ho so PA-2026-000124 da duoc tiep nhan", "Brandname": "UBND-Q1",
                            "SmsType": "2", "IsUnicode": "0", "RequestId": f"outbox-{message.id}"}
    assert _states("case:2") == [DeliveryState.SENT]


def test_the_speedsms_shape(ctx, gateway):
    ctx.config.update(SMS_PROVIDER="speedsms", SMS_UNICODE=True)
    gateway.reply = (200, {"status": "success", "code": "00", "data": {"tranId": 1}})
    _queue_sms()
    db.session.commit()
    assert send_pass(ctx).sent == 1
    [request] = gateway.requests
    assert request.body == {"to": ["84912345678"], "content": "Hồ sơ PA-2026-000124 đã được tiếp nhận",
                            "sms_type": 2, "sender": "UBND-Q1"}
    assert request.headers["Authorization"] == "Basic S0VZOng="


def test_a_phone_gets_one_sms_a_day_however_many_are_queued(ctx, gateway):
    for about in ("case:2", "case:3", "case:4"):
        _queue_sms(about=about)
    _queue_sms(to="0987654321", about="case:5")
    db.session.commit()
    assert send_pass(ctx).sent == 2
    assert sorted(r.body["Phone"] for r in gateway.requests) == ["0912345678", "0987654321"]
    assert send_pass(ctx).sent == 0  # the other two wait for tomorrow
    waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.state == "queued")).all()
    assert len(waiting) == 2 and all(m.last_error == "had a message today; waits for tomorrow" for m in waiting)


def test_a_gateway_error_is_tried_again_until_the_last_try(ctx, gateway):
    ctx.config["OUTBOX_MAX_ATTEMPTS"] = 2
    gateway.reply = (503, {})
    message = _queue_sms()
    db.session.commit()
    assert send_pass(ctx).retrying == 1
    gateway.reply = (200, {"CodeResult": "101", "ErrorMessage": "Authorize Failed"})
    later = datetime.now(timezone.utc) + timedelta(minutes=2)
    assert send_pass(ctx, now=later).failed == 1
    db.session.refresh(message)
    assert (message.state, message.attempts, message.last_error) == ("failed", 2, "esms code 101")
    assert len(gateway.requests) == 2


def test_a_request_the_gateway_calls_wrong_is_not_tried_again(ctx, gateway):
    gateway.reply = (400, {"error": "bad request"})
    message = _queue_sms()
    db.session.commit()
    assert send_pass(ctx).failed == 1
    db.session.refresh(message)
    assert (message.state, message.attempts, message.last_error) == ("failed", 1, "sms gateway http 400")


def test_sms_is_off_by_default(ctx):
    assert ctx.config["SMS_GATEWAY_URL"] is None
    message = _queue_sms()
    db.session.commit()
    assert send_pass(ctx).failed == 1
    db.session.refresh(message)
    assert message.last_error == "sms is off (SMS_GATEWAY_URL is not set)"
