from __future__ import annotations

from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models.unit import Unit


class Volume(db.Model):
    """How many transactions a unit handled through one response channel over a range of days
    (both ends inclusive): the population the weighted index stands for (docs/indices.md).

    Imported with ``flask volumes import``; the same unit, channel and days imported again
    replace the count. Periods of one unit and channel never overlap (the import refuses it),
    so that no transaction is counted twice.
    """

    __tablename__ = "volumes"
    __table_args__ = (
        UniqueConstraint("unit_id", "channel", "period_start", "period_end"),
        CheckConstraint("count >= 0", name="count_not_negative"),
        CheckConstraint("period_end >= period_start", name="period_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    # A response channel (domain/submission.py Channel), as stored with responses.
    channel: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer)

    unit: Mapped[Unit] = relationship()
