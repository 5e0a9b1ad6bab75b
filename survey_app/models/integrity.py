"""Responses that look made up (``domain/integrity.py``), and officers' decisions on them.

A response is never changed: whether it counts is kept beside it. A flagged response is left
out of the indices until an officer restores it; an officer may flag it back. Each decision is
a row of ``flag_reviews``, never edited: who decided, when, and why. A review names the
officer who judged the response, never anyone who answered it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models.account import User
from survey_app.models.response import Response
from survey_app.sqltypes import UTCDateTime


class ResponseFlag(db.Model):
    __tablename__ = "response_flags"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    # Codes of domain.integrity.Reason, sorted and comma separated ("burst,repeated").
    reasons: Mapped[str] = mapped_column(String(64))
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The latest review's decision: a restored response counts again.
    restored: Mapped[bool] = mapped_column(default=False, server_default="0")

    response: Mapped[Response] = relationship()
    reviews: Mapped[list[FlagReview]] = relationship(
        order_by="FlagReview.id", cascade="all, delete-orphan", passive_deletes=True
    )


class FlagReview(db.Model):
    """One officer's decision on a flagged response."""

    __tablename__ = "flag_reviews"
    __table_args__ = (CheckConstraint("decision IN ('restore', 'flag')", name="decision_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("response_flags.response_id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
