"""services.outbox: queued with its cause, claimed once, retried, erased when finished."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from survey_app.domain.contact_cipher import ContactCipher
from survey_app.domain.contacts import ContactError
from survey_app.domain.delivery import DeliveryState, PermanentFailure, RetryPolicy, TemporaryFailure, WhenLimited
from survey_app.extensions import db
from survey_app.messaging import contact_cipher
from survey_app.models import OutboxDailySlot, OutboxMessage
from survey_app.services import outbox
from survey_app.services.outbox import Attachment

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)  # 10:00 in Hà Nội
POLICY = RetryPolicy(max_attempts=3, first_delay=timedelta(minutes=1), factor=4)


@pytest.fixture
def session(app):
    app.config["OUTBOX_SEND_ON_COMMIT"] = False  # these tests send by hand
    with app.app_context():
        yield db.session


def _email(session, to="Lan.Nguyen@Example.vn", **extra):
    return outbox.queue_email(session, cipher=contact_cipher(), to=to, subject="Hồ sơ PA-2026-000123",
                              text="Bấm vào liên kết để xác nhận.", kind="case_confirmation", about="case:1",
                              now=NOW, **extra)


def _raw(session, message_id) -> dict:
    return dict(session.execute(text("SELECT * FROM outbox_messages WHERE id = :id"), {"id": message_id})
                .mappings().one())


def test_a_queued_message_keeps_recipient_and_content_only_encrypted(session):
    message = _email(session, attachments=[Attachment("a.pdf", b"%PDF-1.7", "application/pdf")],
                     html="<p>Bấm</p>", headers={"Reply-To": "mot-cua@example.vn"})
    session.commit()
    row = _raw(session, message.id)
    stored = " ".join(str(value) for value in row.values())
    for clear in ("Lan.Nguyen", "example.vn", "PA-2026-000123", "liên kết", "a.pdf", "mot-cua"):
        assert clear not in stored
    assert row["state"] == "queued" and row["recipient_hint"] == "L…@e…" and row["recipient_hash"] is None
    envelope = outbox.claim(session, message.id, cipher=contact_cipher(), now=NOW, tz=TZ)
    assert envelope.to == "Lan.Nguyen@example.vn" and envelope.subject == "Hồ sơ PA-2026-000123"
    assert envelope.html == "<p>Bấm</p>" and envelope.headers == (("Reply-To", "mot-cua@example.vn"),)
    assert envelope.attachments == (Attachment("a.pdf", b"%PDF-1.7", "application/pdf"),)


def test_a_message_exists_only_if_its_cause_was_committed(session):
    _email(session)
    session.rollback()
    assert session.scalar(select(OutboxMessage.id)) is None


def test_a_bad_address_is_refused_before_anything_is_stored(session):
    with pytest.raises(ContactError):
        _email(session, to="lan@")
    with pytest.raises(ContactError):
        outbox.queue_sms(session, cipher=contact_cipher(), to="12345", text="x", kind="case_number", now=NOW)
    with pytest.raises(ValueError, match="line break"):
        _email(session, headers={"Reply-To": "a@example.vn\r\nBcc: everyone@example.vn"})
    with pytest.raises(ValueError, match="line break"):
        outbox.queue_email(session, cipher=contact_cipher(), to="lan@example.vn", subject="Hi\nBcc: x@example.vn",
                           text="t", kind="case_answer", now=NOW)
    assert session.scalar(select(OutboxMessage.id)) is None


def test_a_message_is_claimed_once_and_only_when_due(session):
    message = _email(session)
    session.commit()
    assert outbox.claim(session, message.id, cipher=contact_cipher(), now=NOW - timedelta(seconds=1), tz=TZ) is None
    first = outbox.claim(session, message.id, cipher=contact_cipher(), now=NOW, tz=TZ)
    session.commit()
    assert first is not None
    assert outbox.claim(session, message.id, cipher=contact_cipher(), now=NOW, tz=TZ) is None
    assert outbox.due_ids(session, NOW) == []
    # Only the holder of the claim records the outcome.
    forged = type(first)(**{**first.__dict__, "claim_token": "0" * 32})
    assert not outbox.mark_sent(session, forged, NOW)
    assert outbox.mark_sent(session, first, NOW)
    session.commit()
    row = _raw(session, message.id)
    assert row["state"] == "sent" and row["payload"] is None and row["claim_token"] is None
    assert row["attempts"] == 1


def test_a_failure_is_tried_again_later_then_given_up(session):
    message = _email(session)
    session.commit()
    at = NOW
    for attempt, wait in ((1, timedelta(minutes=1)), (2, timedelta(minutes=4))):
        envelope = outbox.claim(session, message.id, cipher=contact_cipher(), now=at, tz=TZ)
        assert outbox.mark_failed(session, envelope, TemporaryFailure("smtp 451"), at, POLICY) == DeliveryState.QUEUED
        session.commit()
        row = _raw(session, message.id)
        assert (row["attempts"], row["last_error"], row["payload"] is not None) == (attempt, "smtp 451", True)
        assert outbox.due_ids(session, at + wait - timedelta(seconds=1)) == []
        at += wait
        assert outbox.due_ids(session, at) == [message.id]
    envelope = outbox.claim(session, message.id, cipher=contact_cipher(), now=at, tz=TZ)
    assert outbox.mark_failed(session, envelope, TemporaryFailure("smtp 451"), at, POLICY) == DeliveryState.FAILED
    session.commit()
    [delivery] = outbox.deliveries(session, "case:1")
    assert (delivery.state, delivery.attempts, delivery.last_error) == (DeliveryState.FAILED, 3, "smtp 451")
    assert _raw(session, message.id)["payload"] is None


def test_a_refusal_is_not_tried_again(session):
    message = _email(session)
    session.commit()
    envelope = outbox.claim(session, message.id, cipher=contact_cipher(), now=NOW, tz=TZ)
    assert outbox.mark_failed(session, envelope, PermanentFailure("smtp 550 recipient refused"), NOW,
                              POLICY) == DeliveryState.FAILED


def test_a_message_left_sending_is_failed_not_sent_again(session):
    message = _email(session)
    session.commit()
    outbox.claim(session, message.id, cipher=contact_cipher(), now=NOW, tz=TZ)
    session.commit()
    assert outbox.give_up_interrupted(session, NOW + timedelta(minutes=9), timedelta(minutes=10)) == 0
    assert outbox.give_up_interrupted(session, NOW + timedelta(minutes=10), timedelta(minutes=10)) == 1
    row = _raw(session, message.id)
    assert (row["state"], row["last_error"], row["payload"]) == ("failed", "interrupted while sending", None)


def _sms(session, to, when_limited=WhenLimited.WAIT, about="case:2"):
    return outbox.queue_sms(session, cipher=contact_cipher(), to=to, text="Mã hồ sơ PA-2026-000124",
                            kind="case_number", about=about, when_limited=when_limited, now=NOW)


def test_a_phone_number_receives_one_message_a_day_the_next_waits_for_tomorrow(session):
    first, second = _sms(session, "0912345678"), _sms(session, "+84 912 345 678")
    other = _sms(session, "0987654321")
    session.commit()
    assert first.recipient_hash == second.recipient_hash != other.recipient_hash
    assert outbox.claim(session, first.id, cipher=contact_cipher(), now=NOW, tz=TZ).to == "0912345678"
    assert outbox.claim(session, second.id, cipher=contact_cipher(), now=NOW, tz=TZ) is None
    assert outbox.claim(session, other.id, cipher=contact_cipher(), now=NOW, tz=TZ) is not None
    session.commit()
    row = _raw(session, second.id)
    tomorrow = datetime(2026, 3, 3, 7, 0, tzinfo=TZ)
    assert (row["state"], row["attempts"]) == ("queued", 0)
    assert outbox.delivery_of(session.get(OutboxMessage, second.id)).next_attempt_at == tomorrow
    # 23:59 in Hà Nội is still the same day; 07:00 the next morning is a new one.
    assert outbox.due_ids(session, tomorrow - timedelta(seconds=1)) == []
    assert outbox.claim(session, second.id, cipher=contact_cipher(), now=tomorrow, tz=TZ) is not None
    assert session.get(OutboxDailySlot, (row["recipient_hash"], tomorrow.date())).message_id == second.id


def test_a_message_that_may_be_dropped_is_dropped_on_a_taken_day(session):
    first, second = _sms(session, "0912345678"), _sms(session, "0912345678", WhenLimited.DROP)
    session.commit()
    outbox.claim(session, first.id, cipher=contact_cipher(), now=NOW, tz=TZ)
    assert outbox.claim(session, second.id, cipher=contact_cipher(), now=NOW, tz=TZ) is None
    session.commit()
    row = _raw(session, second.id)
    assert (row["state"], row["payload"], row["recipient_hash"]) == ("dropped", None, None)


def test_a_retry_of_the_day_s_message_keeps_its_slot(session):
    message = _sms(session, "0912345678")
    session.commit()
    envelope = outbox.claim(session, message.id, cipher=contact_cipher(), now=NOW, tz=TZ)
    outbox.mark_failed(session, envelope, TemporaryFailure("sms gateway http 503"), NOW, POLICY)
    session.commit()
    assert outbox.claim(session, message.id, cipher=contact_cipher(), now=NOW + timedelta(minutes=1), tz=TZ)


def test_an_email_may_ask_for_the_one_a_day_rule_too(session):
    first = _email(session, once_per_day=True)
    second = _email(session, to="lan.nguyen@EXAMPLE.VN", once_per_day=True, when_limited=WhenLimited.DROP)
    unlimited = _email(session)
    session.commit()
    assert outbox.claim(session, first.id, cipher=contact_cipher(), now=NOW, tz=TZ)
    assert outbox.claim(session, second.id, cipher=contact_cipher(), now=NOW, tz=TZ) is None  # same address
    assert outbox.claim(session, unlimited.id, cipher=contact_cipher(), now=NOW, tz=TZ)


def test_queued_messages_about_something_can_be_withdrawn(session):
    sent, waiting = _email(session), _email(session)
    session.commit()
    outbox.mark_sent(session, outbox.claim(session, sent.id, cipher=contact_cipher(), now=NOW, tz=TZ), NOW)
    assert outbox.cancel_queued(session, "case:1", NOW) == 1
    session.commit()
    assert [d.state for d in outbox.deliveries(session, "case:1")] == [DeliveryState.SENT, DeliveryState.CANCELLED]
    assert _raw(session, waiting.id)["payload"] is None


def test_a_message_whose_key_is_gone_fails_instead_of_blocking_the_queue(app, session):
    message = outbox.queue_email(session, cipher=ContactCipher(ContactCipher.new_key()), to="lan@example.vn",
                                 subject="s", text="t", kind="case_answer", about="case:3", now=NOW)
    session.commit()
    assert outbox.claim(session, message.id, cipher=contact_cipher(), now=NOW, tz=TZ) is None
    session.commit()
    assert _raw(session, message.id)["last_error"] == "contact key missing"
    assert _raw(session, message.id)["state"] == "failed"


def test_purge_deletes_finished_messages_and_old_slots(session):
    done, waiting = _sms(session, "0912345678"), _email(session)
    session.commit()
    outbox.mark_sent(session, outbox.claim(session, done.id, cipher=contact_cipher(), now=NOW, tz=TZ), NOW)
    session.commit()
    later = NOW + timedelta(days=200)
    assert outbox.purge(session, later, timedelta(days=180)) == 1
    session.commit()
    assert session.scalar(select(OutboxMessage.id)) == waiting.id
    assert session.scalar(select(OutboxDailySlot.day)) is None


def test_a_message_about_nothing_keeps_only_its_day_and_leaves_no_row_once_finished(session):
    """A case's receipt: its times would date the case, and so point at the response before it."""
    sent = outbox.queue_email(session, cipher=contact_cipher(), to="lan@example.vn", subject="s", text="t",
                              kind="case_confirmation", now=NOW)
    dropped = outbox.queue_sms(session, cipher=contact_cipher(), to="0912345678", text="t", kind="case_received",
                               when_limited=WhenLimited.DROP, now=NOW)
    tied = _sms(session, "0912345678")
    interrupted = outbox.queue_email(session, cipher=contact_cipher(), to="lan@example.vn", subject="s", text="t",
                                     kind="case_confirmation", now=NOW)
    session.commit()
    midnight = datetime(2026, 3, 2, tzinfo=timezone.utc)
    for message in (sent, dropped, interrupted):
        assert (_raw_times(session, message.id)) == (midnight, midnight)
    assert _raw_times(session, tied.id) == (NOW, NOW)
    assert outbox.due_ids(session, NOW) == [sent.id, dropped.id, interrupted.id, tied.id]
    assert outbox.mark_sent(session, outbox.claim(session, sent.id, cipher=contact_cipher(), now=NOW, tz=TZ), NOW)
    assert outbox.claim(session, tied.id, cipher=contact_cipher(), now=NOW, tz=TZ)
    assert outbox.claim(session, dropped.id, cipher=contact_cipher(), now=NOW, tz=TZ) is None  # the day is taken
    assert outbox.claim(session, interrupted.id, cipher=contact_cipher(), now=NOW, tz=TZ)
    session.commit()
    assert outbox.give_up_interrupted(session, NOW + timedelta(hours=1), timedelta(minutes=10)) == 2
    session.commit()
    assert list(session.scalars(select(OutboxMessage.id))) == [tied.id]
    assert [d.state for d in outbox.deliveries(session, "case:2")] == [DeliveryState.FAILED]


def _raw_times(session, message_id):
    row = session.get(OutboxMessage, message_id)
    session.refresh(row)
    return row.created_at, row.next_attempt_at
