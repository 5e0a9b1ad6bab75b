from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models.unit import Unit
from survey_app.sqltypes import UTCDateTime


class Response(db.Model):
    """One citizen's completed questionnaire. Never updated once stored."""

    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_questionnaire_submitted", "questionnaire_id", "submitted_at"),
        # The recent responses of a unit: what screening a new one counts and compares
        # (services/integrity.py); also every lookup by unit.
        Index("ix_responses_unit_submitted", "unit_id", "submitted_at"),
        # The recent responses of a unit with the same answers as a new one (the repetition rule);
        # only those that have a digest: an import of a million responses adds nothing to it.
        Index("ix_responses_unit_digest", "unit_id", "answers_digest", "submitted_at",
              sqlite_where=text("answers_digest IS NOT NULL"), postgresql_where=text("answers_digest IS NOT NULL")),
        # A kiosk's answer is stored at most once, however often its queue is sent (replays, two
        # syncs at once, a sync cut off halfway, a restored queue): the kiosk's contract,
        # whatever becomes of other channels' keys (services/kiosk_queue.py).
        Index("uq_responses_kiosk_submission_key", "kiosk_id", "submission_key", unique=True,
              sqlite_where=text("kiosk_id IS NOT NULL"), postgresql_where=text("kiosk_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    # Which questionnaire, exactly, was answered: editing a file never changes past results.
    questionnaire_id: Mapped[str] = mapped_column(String(32))
    questionnaire_version: Mapped[int]
    questionnaire_hash: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(Text)
    # A random key carried by the form, so that a citizen who submits twice (double tap, a
    # retry after a network error) is counted once. Null for imported responses.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The kiosk it was given on, for kiosk submissions.
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id"), index=True)
    # domain.integrity.answers_digest of what it holds, for responses stored from the web (the
    # ones screened); null for imported ones and for those stored before it was kept.
    answers_digest: Mapped[str | None] = mapped_column(String(32))
    # When it reached the server, for an answer that waited in a kiosk's queue: ``submitted_at``
    # is then the time the citizen gave it (the kiosk's clock, within limits). Null otherwise.
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )
    choices: Mapped[list[Choice]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(db.Model):
    """A rating of one criterion: a level of the scale, or 0 for "no opinion".

    A blank answer has no row.
    """

    __tablename__ = "answers"
    __table_args__ = (CheckConstraint("value >= 0", name="value_not_negative"),)

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    item_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger)

    response: Mapped[Response] = relationship(back_populates="answers")


class Choice(db.Model):
    """An option chosen for a choice question: the expectations or a profile question."""

    __tablename__ = "choices"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    option_code: Mapped[str] = mapped_column(String(32), primary_key=True)

    response: Mapped[Response] = relationship(back_populates="choices")
