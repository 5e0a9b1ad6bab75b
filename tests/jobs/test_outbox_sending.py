"""jobs.outbox: the sending pass, against a real SMTP server and a local SMS gateway."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from survey_app.domain.delivery import DeliveryState
from survey_app.extensions import db
from survey_app.jobs.dispatch import wait_for_job_threads
from survey_app.jobs.outbox import send_pass
from survey_app.messaging import contact_cipher
from survey_app.models import OutboxMessage
from survey_app.services import outbox
from survey_app.services.outbox import Attachment
from tests.outbox_receivers import SmsReceiver


@pytest.fixture
def ctx(app):
    app.config["OUTBOX_SEND_ON_COMMIT"] = False
    with app.app_context():
        yield app


def _queue_email(to="lan@example.vn", about="case:1", **extra):
    return outbox.queue_email(db.session, cipher=contact_cipher(), to=to, subject="Xác nhận yêu cầu PA-2026-000123",
                              text="Ông/Bà bấm vào liên kết sau để xác nhận.", kind="case_confirmation",
                              about=about, **extra)


def _states(about="case:1"):
    return [d.state for d in outbox.deliveries(db.session, about)]


def test_an_email_reaches_the_smtp_server_whole(ctx, smtp_server):
    _queue_email(html="<p>Ông/Bà bấm vào <a href='https://x/c'>liên kết</a></p>",
                 attachments=[Attachment("bao-cao.pdf", b"%PDF-1.7 test", "application/pdf")],
                 headers={"Reply-To": "motcua@example.vn"})
    db.session.commit()
    counts = send_pass(ctx)
    assert (counts.sent, counts.retrying, counts.failed) == (1, 0, 0)
    [received] = smtp_server.received
    assert received.rcpt_tos == ["lan@example.vn"] and received.mail_from == "survey_app@localhost"
    message = received.message
    assert message["Subject"] == "Xác nhận yêu cầu PA-2026-000123"
    assert message["Reply-To"] == "motcua@example.vn"
    assert message.get_body(("plain",)).get_content().strip() == "Ông/Bà bấm vào liên kết sau để xác nhận."
    assert "href='https://x/c'" in message.get_body(("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "bao-cao.pdf" and attachment.get_content() == b"%PDF-1.7 test"
    assert _states() == [DeliveryState.SENT]


def test_sending_twice_sends_once(ctx, smtp_server):
    _queue_email()
    db.session.commit()
    assert send_pass(ctx).sent == 1
    assert send_pass(ctx).sent == 0
    assert len(smtp_server.received) == 1


def test_two_senders_racing_send_each_message_once(ctx, smtp_server):
    for n in range(30):
        _queue_email(to=f"citizen{n}@example.vn")
    db.session.commit()
    results, start = [], threading.Barrier(3)

    def sender():
        with ctx.app_context():
            start.wait()
            results.append(send_pass(ctx))
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    received = sorted(r.rcpt_tos[0] for r in smtp_server.received)
    assert received == sorted(f"citizen{n}@example.vn" for n in range(30))  # each once
    assert sum(r.sent for r in results) == 30
    assert set(_states()) == {DeliveryState.SENT}


def test_a_server_that_cannot_take_it_now_is_tried_again_with_backoff(ctx, smtp_server):
    smtp_server.busy.add("lan@example.vn")
    message = _queue_email()
    db.session.commit()
    start = datetime.now(timezone.utc)
    assert send_pass(ctx).retrying == 1
    db.session.refresh(message)
    assert (message.state, message.attempts, message.last_error) == ("queued", 1, "smtp 451 recipient refused")
    assert timedelta(seconds=59) <= message.next_attempt_at - start <= timedelta(seconds=70)
    assert send_pass(ctx).sent == 0  # not due yet
    smtp_server.busy.clear()
    assert send_pass(ctx, now=message.next_attempt_at).sent == 1
    assert len(smtp_server.received) == 1


def test_a_refused_address_fails_for_good_and_keeps_no_address(ctx, smtp_server):
    smtp_server.refuse.add("nobody@example.vn")
    message = _queue_email(to="nobody@example.vn")
    db.session.commit()
    assert send_pass(ctx).failed == 1
    db.session.refresh(message)
    assert (message.state, message.last_error, message.payload) == ("failed", "smtp 550 recipient refused", None)
    assert smtp_server.received == []


def test_no_server_at_all_is_tried_again(ctx, smtp_server):
    smtp_server.stop()
    _queue_email()
    db.session.commit()
    assert send_pass(ctx).retrying == 1
    smtp_server.start()
    later = datetime.now(timezone.utc) + timedelta(minutes=2)
    assert send_pass(ctx, now=later).sent == 1


def test_the_file_backend_writes_an_eml_file_and_logs_its_path(ctx, tmp_path, caplog):
    _queue_email()
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="survey_app.outbox"):
        assert send_pass(ctx).sent == 1
    [written] = (tmp_path / "outbox").glob("*.eml")
    assert f"e-mail written to {written}" in caplog.text
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"] == "lan@example.vn" and message["Subject"] == "Xác nhận yêu cầu PA-2026-000123"


def test_a_commit_that_queued_a_message_starts_a_pass(app, tmp_path):
    with app.app_context():
        _queue_email()
        db.session.commit()
    wait_for_job_threads(app)
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    with app.app_context():
        assert _states() == [DeliveryState.SENT]


def test_a_rolled_back_message_starts_nothing(app, tmp_path):
    with app.app_context():
        _queue_email()
        db.session.rollback()
        db.session.commit()
    wait_for_job_threads(app)
    assert not (tmp_path / "outbox").exists()


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


def test_flask_outbox_send(app, runner, smtp_server):
    app.config["OUTBOX_SEND_ON_COMMIT"] = False
    with app.app_context():
        _queue_email()
        _queue_email(to="other@example.vn")
        db.session.commit()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2 sent, 0 to try again, 0 failed, 0 interrupted earlier and given up"
    assert len(smtp_server.received) == 2
