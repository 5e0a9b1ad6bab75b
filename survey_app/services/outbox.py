"""The outbox: every outgoing message (e-mail or SMS), written with the change that causes it
and sent afterwards, at most once (models/outbox.py holds the rows).

A caller queues in its own transaction (``queue_email``, ``queue_sms``: flush, never commit),
so a message exists exactly when its cause was committed. The sender (jobs/outbox.py, or
``flask outbox send``) then takes each due message through ``claim`` (a conditional UPDATE:
one sender only, committed before anything is sent), hands it to a transport and records the
outcome with ``mark_sent`` or ``mark_failed`` (retried with backoff, or given up). A message
found still ``sending`` long after its claim was interrupted mid-send: it may or may not have
left, so it is failed rather than sent again (``give_up_interrupted``).

Privacy: recipient and content are encrypted in ``payload`` while the message waits, and
erased with the recipient's fingerprint as soon as it is finished; ``deliveries`` reads what
is left (kind, state, tries, times, a hint such as ``…678``) for the page of its cause. A
message about nothing (``about=None``: a case's receipt, whose time must not date the case finer
than its day, and so point at the survey response given just before) is queued with the day as
its times and deleted as soon as it is finished; only while it is sent or waits for a retry
does its row hold a finer time.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey_app.domain.contact_cipher import ContactCipher, ContactKeyError
from survey_app.domain.contacts import email_address, hint, vn_mobile
from survey_app.domain.delivery import FINAL_STATES, Channel, DeliveryError, DeliveryState, RetryPolicy, WhenLimited
from survey_app.models.outbox import OutboxDailySlot, OutboxMessage

# What a finished row no longer needs: its content and whom it went to.
_ERASED = {"payload": None, "recipient_hash": None, "claim_token": None}


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class Envelope:
    """A claimed message, decrypted for its transport."""
    id: int
    kind: str
    channel: Channel
    claim_token: str
    to: str
    text: str
    subject: str = ""
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    sender: str | None = None


@dataclass(frozen=True)
class Delivery:
    """What the page of a message's cause may show."""
    id: int
    kind: str
    channel: Channel
    recipient_hint: str
    state: DeliveryState
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None


def queue_email(session: Session, *, cipher: ContactCipher, to: str, subject: str, text: str, kind: str,
                html: str | None = None, attachments: Iterable[Attachment] = (), headers: dict | None = None,
                sender: str | None = None, about: str | None = None, once_per_day: bool = False,
                when_limited: WhenLimited = WhenLimited.WAIT, now: datetime | None = None) -> OutboxMessage:
    """An e-mail to one address (ValueError if it is not one). ``once_per_day``: the address
    receives at most one such message a day (``when_limited`` says what happens to another)."""
    address = email_address(to)
    header_values = [subject, sender or "", *(headers or {}).keys(), *(headers or {}).values()]
    if any("\r" in value or "\n" in value for value in header_values):
        raise ValueError("a subject, sender or header holds a line break")  # it would forge headers
    payload = {"to": address, "subject": subject, "text": text, "html": html, "sender": sender,
               "headers": sorted((headers or {}).items()),
               "attachments": [[a.filename, base64.b64encode(a.content).decode("ascii"), a.mimetype]
                               for a in attachments]}
    return _queue(session, cipher, Channel.EMAIL, address, payload, kind=kind, about=about,
                  once_per_day=once_per_day, when_limited=when_limited, now=now)


def queue_sms(session: Session, *, cipher: ContactCipher, to: str, text: str, kind: str, about: str | None = None,
              when_limited: WhenLimited = WhenLimited.WAIT, now: datetime | None = None) -> OutboxMessage:
    """An SMS to a Vietnamese mobile number (ContactError, a ValueError, if it is not one).
    A number receives at most one message a day from the app, whatever the kind."""
    number = vn_mobile(to)
    return _queue(session, cipher, Channel.SMS, number, {"to": number, "text": text}, kind=kind, about=about,
                  once_per_day=True, when_limited=when_limited, now=now)


def _queue(session: Session, cipher: ContactCipher, channel: Channel, recipient: str, payload: dict, *, kind: str,
           about: str | None, once_per_day: bool, when_limited: WhenLimited, now: datetime | None) -> OutboxMessage:
    if not kind or len(kind) > 40:
        raise ValueError("a message needs a kind of at most 40 characters")
    now = now or datetime.now(timezone.utc)
    # A message about nothing (a case's receipt, which must not date the case finer than its
    # day) is queued with the day for its times, and leaves no row once finished (_finish).
    queued_at = now if about else datetime.combine(now.astimezone(timezone.utc).date(), time(), timezone.utc)
    message = OutboxMessage(kind=kind, channel=channel, about=about, state=DeliveryState.QUEUED,
                            recipient_hint=hint(recipient), payload=cipher.encrypt(json.dumps(payload)),
                            recipient_hash=_fingerprint(cipher, channel, recipient) if once_per_day else None,
                            once_per_day=once_per_day, when_limited=WhenLimited(when_limited), attempts=0,
                            created_at=queued_at, next_attempt_at=queued_at)
    session.add(message)
    session.flush()
    session.info["outbox_queued"] = True  # jobs/outbox.py wakes the sender after the commit
    return message


def _fingerprint(cipher: ContactCipher, channel: Channel, recipient: str) -> str:
    # Lan.Nguyen@ and lan.nguyen@ reach one inbox on every server people use: one recipient.
    return cipher.fingerprint(f"{channel}:{recipient.lower()}")


def due_ids(session: Session, now: datetime, limit: int = 100) -> list[int]:
    return list(session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.state == DeliveryState.QUEUED, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)))


def next_due(session: Session) -> datetime | None:
    """When the earliest queued message is due (a retry, tomorrow's SMS), if any."""
    return session.scalar(select(func.min(OutboxMessage.next_attempt_at)).where(
        OutboxMessage.state == DeliveryState.QUEUED))


def claim(session: Session, message_id: int, *, cipher: ContactCipher, now: datetime, tz: ZoneInfo) -> Envelope | None:
    """Queued and due -> sending, for this caller alone; None if another sender has it, it is
    not due, or its recipient had a message today (then it waits for tomorrow or is dropped).
    The caller commits before sending, so that no other sender can take it meanwhile."""
    token = secrets.token_hex(16)
    claimed = session.execute(update(OutboxMessage).where(
        OutboxMessage.id == message_id, OutboxMessage.state == DeliveryState.QUEUED,
        OutboxMessage.next_attempt_at <= now)
        .values(state=DeliveryState.SENDING, claim_token=token, claimed_at=now,
                attempts=OutboxMessage.attempts + 1)).rowcount == 1
    if not claimed:
        return None
    message = session.get(OutboxMessage, message_id)
    session.refresh(message)
    if message.once_per_day and not _take_daily_slot(session, message, now.astimezone(tz).date()):
        if message.when_limited == WhenLimited.DROP:
            _finish(session, message_id, token, DeliveryState.DROPPED, now, error="had a message today")
        else:
            tomorrow = datetime.combine(now.astimezone(tz).date() + timedelta(days=1), time(7), tz)
            session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
                state=DeliveryState.QUEUED, claim_token=None, attempts=OutboxMessage.attempts - 1,
                next_attempt_at=tomorrow, last_error="had a message today; waits for tomorrow"))
        return None
    try:
        data = json.loads(cipher.decrypt(message.payload))
    except ContactKeyError:  # the key it was queued with is gone: it can never be sent
        _finish(session, message_id, token, DeliveryState.FAILED, now, error="contact key missing")
        return None
    return Envelope(id=message.id, kind=message.kind, channel=Channel(message.channel), claim_token=token,
                    to=data["to"], text=data["text"], subject=data.get("subject", ""), html=data.get("html"),
                    sender=data.get("sender"), headers=tuple(tuple(h) for h in data.get("headers", ())),
                    attachments=tuple(Attachment(name, base64.b64decode(content), mimetype)
                                      for name, content, mimetype in data.get("attachments", ())))


def _take_daily_slot(session: Session, message: OutboxMessage, day: date) -> bool:
    """The recipient's slot of the day, for this message; False if another message has it."""
    taken = session.get(OutboxDailySlot, (message.recipient_hash, day))
    if taken is not None:
        return taken.message_id == message.id
    try:
        with session.begin_nested():  # a racing sender's insert fails here, not the transaction
            session.add(OutboxDailySlot(recipient_hash=message.recipient_hash, day=day, message_id=message.id))
    except IntegrityError:
        return False
    return True


def mark_sent(session: Session, envelope: Envelope, now: datetime) -> bool:
    return _finish(session, envelope.id, envelope.claim_token, DeliveryState.SENT, now, sent_at=now, error=None)


def mark_failed(session: Session, envelope: Envelope, failure: DeliveryError, now: datetime,
                policy: RetryPolicy) -> DeliveryState:
    """Back in the queue after the policy's delay, or failed for good (refused, or out of tries)."""
    attempts = session.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == envelope.id))
    delay = None if failure.permanent else policy.delay_after(attempts)
    if delay is None:
        _finish(session, envelope.id, envelope.claim_token, DeliveryState.FAILED, now, error=failure.reason)
        return DeliveryState.FAILED
    session.execute(update(OutboxMessage).where(
        OutboxMessage.id == envelope.id, OutboxMessage.claim_token == envelope.claim_token,
        OutboxMessage.state == DeliveryState.SENDING)
        .values(state=DeliveryState.QUEUED, claim_token=None, next_attempt_at=now + delay, last_error=failure.reason))
    return DeliveryState.QUEUED


def give_up_interrupted(session: Session, now: datetime, timeout: timedelta) -> int:
    """Messages claimed longer ago than ``timeout`` and never finished: their sender died while
    sending. They may have left, so they are not sent again (at most once): failed."""
    stale = (OutboxMessage.state == DeliveryState.SENDING, OutboxMessage.claimed_at <= now - timeout)
    untied = session.execute(delete(OutboxMessage).where(*stale, OutboxMessage.about.is_(None))).rowcount
    return untied + session.execute(update(OutboxMessage).where(
        OutboxMessage.state == DeliveryState.SENDING, OutboxMessage.claimed_at <= now - timeout)
        .values(state=DeliveryState.FAILED, finished_at=now, last_error="interrupted while sending", **_ERASED)).rowcount


def cancel_queued(session: Session, about: str, now: datetime) -> int:
    """Withdraw the messages about something (a case deleted) that have not been claimed yet."""
    return session.execute(update(OutboxMessage).where(
        OutboxMessage.about == about, OutboxMessage.state == DeliveryState.QUEUED)
        .values(state=DeliveryState.CANCELLED, finished_at=now, **_ERASED)).rowcount


def deliveries(session: Session, about: str) -> list[Delivery]:
    """The messages about something, oldest first, as its page shows them."""
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.about == about).order_by(OutboxMessage.id))
    return [delivery_of(row) for row in rows]


def state_counts(session: Session) -> dict[tuple[Channel, DeliveryState], int]:
    rows = session.execute(select(OutboxMessage.channel, OutboxMessage.state, func.count())
                           .group_by(OutboxMessage.channel, OutboxMessage.state))
    return {(Channel(channel), DeliveryState(state)): n for channel, state, n in rows}


def recent_failures(session: Session, limit: int = 10) -> list[Delivery]:
    """The last messages given up, newest first (for the operator: `flask outbox status`)."""
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.state == DeliveryState.FAILED)
                           .order_by(OutboxMessage.finished_at.desc(), OutboxMessage.id.desc()).limit(limit))
    return [delivery_of(row) for row in rows]


def delivery_of(message: OutboxMessage) -> Delivery:
    state = DeliveryState(message.state)
    return Delivery(id=message.id, kind=message.kind, channel=Channel(message.channel),
                    recipient_hint=message.recipient_hint, state=state, attempts=message.attempts,
                    created_at=message.created_at, sent_at=message.sent_at, last_error=message.last_error,
                    next_attempt_at=message.next_attempt_at if state == DeliveryState.QUEUED else None)


def purge(session: Session, now: datetime, keep: timedelta) -> int:
    """Delete finished messages older than ``keep``, and the daily slots of days gone by."""
    session.execute(delete(OutboxDailySlot).where(OutboxDailySlot.day < (now - timedelta(days=2)).date()))
    return session.execute(delete(OutboxMessage).where(
        OutboxMessage.state.in_([s.value for s in FINAL_STATES]), OutboxMessage.created_at <= now - keep)).rowcount


def _finish(session: Session, message_id: int, token: str, state: DeliveryState, now: datetime, *,
            error: str | None, sent_at: datetime | None = None) -> bool:
    holder = (OutboxMessage.id == message_id, OutboxMessage.claim_token == token,
              OutboxMessage.state == DeliveryState.SENDING)
    # About nothing: no page shows it, and its times would date its cause. Gone.
    if session.execute(delete(OutboxMessage).where(*holder, OutboxMessage.about.is_(None))).rowcount == 1:
        return True
    return session.execute(update(OutboxMessage).where(
        OutboxMessage.id == message_id, OutboxMessage.claim_token == token,
        OutboxMessage.state == DeliveryState.SENDING)
        .values(state=state, finished_at=now, sent_at=sent_at, last_error=error, **_ERASED)).rowcount == 1
