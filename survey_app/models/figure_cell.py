"""Additive sums of the counted responses per questionnaire, UTC month (and quarter and year), unit and channel
(domain/cell_sums.py), kept by services/figures/cells.py in the transaction of every change that
moves them: a stored response, an import, a flag, a restore. services/figures reads any period
and any subtree as a sum of these rows, with only the hours a period does not share with whole
months read from the responses."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import db


class FigureCell(db.Model):
    __tablename__ = "figure_cells"

    questionnaire_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)   # the first day of the span's first UTC month
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    # The span's length from ``month``: 1 (the month), 3 (its quarter) or 12 (its year).
    months: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    layout: Mapped[str] = mapped_column(String(16))   # FigureLayout.key the sums are laid out by
    responses: Mapped[int] = mapped_column(Integer)   # counted responses (raters or not)
    raters: Mapped[int] = mapped_column(Integer)      # of which rated at least one criterion
    sums: Mapped[bytes] = mapped_column(LargeBinary)  # zlib of little-endian int32, in layout order
    # The valid and the satisfied answers per criterion (little-endian int32, uncompressed): what
    # ranks of units outside a page's scope need, without the sums.
    counts: Mapped[bytes] = mapped_column(LargeBinary)


class FigureLayout(db.Model):
    """The structure a row's sums are laid out by (criteria by element, satisfied_from, options)."""

    __tablename__ = "figure_layouts"

    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    spec: Mapped[str] = mapped_column(Text)


class FigureStale(db.Model):
    """A month whose responses were deleted or changed past the services (database triggers
    write it): services/figures reads it from the responses until ``flask figures rebuild``."""

    __tablename__ = "figure_stale"

    questionnaire_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
