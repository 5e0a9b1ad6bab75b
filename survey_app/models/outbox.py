"""The outbox (``services/outbox.py``): every message the app sends, e-mail or SMS, written in
the transaction of the change that causes it and sent afterwards by the background sender.

While a message waits, its recipient and content are kept only inside ``payload``, encrypted
with the contact key (domain/contact_cipher.py); once it is sent or given up, ``payload`` and
``recipient_hash`` are erased and the row keeps only what its delivery was: kind, channel, a
hint of the recipient (``…678``), state, tries and times.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import db
from survey_app.sqltypes import UTCDateTime


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("channel IN ('email', 'sms')", name="channel_known"),
        CheckConstraint("state IN ('queued', 'sending', 'sent', 'failed', 'dropped', 'cancelled')",
                        name="state_known"),
        CheckConstraint("when_limited IN ('wait', 'drop')", name="when_limited_known"),
        # The sender's question: which queued messages are due?
        Index("ix_outbox_messages_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the message is (case_confirmation, case_answer, alert_digest...), named by its caller.
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(8))
    # What it is about, so that its page can show it: "case:42", "subscription:7".
    about: Mapped[str | None] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16))
    recipient_hint: Mapped[str] = mapped_column(String(16))
    # Encrypted JSON: recipient, subject, texts, attachments, headers. None once finished.
    payload: Mapped[str | None] = mapped_column(Text)
    # The contact's keyed fingerprint, for the one-a-day rule; None when the rule does not
    # apply, and once the message is finished.
    recipient_hash: Mapped[str | None] = mapped_column(String(64))
    once_per_day: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    when_limited: Mapped[str] = mapped_column(String(8), default="wait", server_default="wait")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A random value set by the claim: the sender that holds it is the only one that may
    # record the outcome.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Why the last try failed, without the recipient (e.g. "smtp 451", "connection refused").
    last_error: Mapped[str | None] = mapped_column(String(200))


class OutboxDailySlot(db.Model):
    """One row per contact and local day that a limited message went to it: the primary key
    makes a second one that day impossible, however many senders race. Kept two days."""

    __tablename__ = "outbox_daily_slots"

    recipient_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    message_id: Mapped[int] = mapped_column(Integer)
