"""The audit log: one row per thing someone did (``domain/audit.py`` says what may be in it).

Rows are only ever added. The actor is an account (a page, a sign-in) or, for a command run
on the server where nobody signs in, the operator: "cli:" and the system user's name.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models.account import User
from survey_app.models.unit import Unit
from survey_app.sqltypes import UTCDateTime


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (operator IS NULL)", name="one_actor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # A value of domain.audit.AuditAction; not a CHECK, so that a new action needs no migration.
    action: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    operator: Mapped[str | None] = mapped_column(String(64))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    detail: Mapped[dict] = mapped_column(JSON)

    user: Mapped[User | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
