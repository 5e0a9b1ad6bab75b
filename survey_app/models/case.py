"""A citizen's reply request (``domain/cases.py``) and its history.

Anonymity by construction: a case holds its unit, the day it was received, the citizen's text
and an encrypted contact, and nothing that leads to a survey response: no response id, no
submission key, no time finer than the day of its receipt (the confirmation link carries its own
signed time, the database does not). The times it does hold are those of the unit's staff
acting on it, and of the citizen's rating, long after.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models.account import User
from survey_app.models.unit import Unit
from survey_app.sqltypes import UTCDateTime


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("year", "sequence"),
        Index("ix_cases_unit_status", "unit_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # PA-2026-000123
    year: Mapped[int]
    sequence: Mapped[int]
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    received_on: Mapped[date] = mapped_column(Date, index=True)  # a local day, never a time
    text: Mapped[str] = mapped_column(Text)
    contact_kind: Mapped[str] = mapped_column(String(8))
    # Fernet token of the phone number or address (domain/contact_cipher.py); the key is never
    # in the database. None once deleted, CASE_CONTACT_KEEP_DAYS after closing.
    contact_sealed: Mapped[str | None] = mapped_column(Text)
    # An e-mail contact confirms its address first; until then the unit never sees the case.
    confirmed: Mapped[bool] = mapped_column(Boolean)
    # SHA-256 of the reply form's own key: the same form sent twice makes one case.
    form_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    acknowledge_by: Mapped[date] = mapped_column(Date)
    answer_by: Mapped[date] = mapped_column(Date)  # the first answer's deadline, which the figures judge
    reanswer_by: Mapped[date | None] = mapped_column(Date)  # the deadline after a reopen
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())    # the first time
    first_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())        # the latest answer
    answer_text: Mapped[str | None] = mapped_column(Text)
    cause: Mapped[str | None] = mapped_column(String(16))
    # SHA-256 of the single-use link the answer was sent with; None once used.
    answer_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    resolution: Mapped[str | None] = mapped_column(String(8))
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    reopened: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()
    events: Mapped[list[CaseEvent]] = relationship(order_by="CaseEvent.id", back_populates="case",
                                                   cascade="all, delete-orphan")

    @property
    def answer_due(self) -> date:
        """The answer's deadline now: after a reopen, the new one."""
        return self.reanswer_by or self.answer_by


class CaseEvent(db.Model):
    """One step of a case's history, as its page shows it (the audit log records staff's too)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # The local day; the time only for what staff, the jobs or a rating did (never the receipt).
    occurred_on: Mapped[date] = mapped_column(Date)
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # received, confirmed, acknowledged, answered, reopened, rated, closed, escalated, contact_deleted
    what: Mapped[str] = mapped_column(String(24))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()
