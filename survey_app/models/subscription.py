from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models.account import User
from survey_app.models.unit import Unit
from survey_app.sqltypes import UTCDateTime


class Subscription(db.Model):
    """What an account asked to receive by e-mail (domain/subscriptions.py): the weekly digest of
    alerts, or the monthly or quarterly report of a unit in its scope (None: its whole scope).

    ``last_sent`` is the key of the last period sent (a Monday, ``2026-11``, ``2026-Q3``):
    ``notifications send-due`` moves it forward with a conditional UPDATE in the transaction
    that queues the message, so a period is sent once however often the command runs."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint("kind IN ('digest', 'report')", name="kind_known"),
        CheckConstraint("frequency IS NULL OR frequency IN ('month', 'quarter')", name="frequency_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    frequency: Mapped[str | None] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    last_sent: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    unit: Mapped[Unit | None] = relationship()
