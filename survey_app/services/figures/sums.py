"""The sums of a period: whole UTC months from models/figure_cell.py, the hours in between from
the responses.

A period [start, end) (local midnights, in UTC) is taken as the whole months between the month
starts nearest to its ends, plus or minus the hours from each end to its nearest month start:
a local month, quarter or year differs from UTC months by the zone's offset (seven hours each
side in Vietnam), so it reads a few hours of responses; a custom range at most half a month at
each end. Sums add and subtract exactly (integers). A month holding rows laid out by another
structure of the questionnaire (its file changed since), or marked stale by the database (its
responses deleted or changed by hand, models/figure_cell.FigureStale), is read from the responses.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.domain.cell_sums import SumsLayout
from survey_app.models import FigureCell, FigureStale
from survey_app.services.figures.cells import decode, month_bounds
from survey_app.services.figures.rows import cell_sums, read_rows

Cells = dict[tuple[int, str], np.ndarray]   # (unit id, channel) -> sums


def nearest_month_start(at: datetime) -> datetime:
    at = at.astimezone(UTC)
    start, following = month_bounds(date(at.year, at.month, 1))
    return start if at - start <= following - at else following


def period_sums(session: Session, questionnaire_id: str, layout: SumsLayout, start: datetime, end: datetime,
                unit_ids: list[int] | None = None) -> Cells:
    """(unit id, channel) -> the sums of the counted responses of [start, end); of the units
    ``unit_ids`` only, or of every unit."""
    found: Cells = defaultdict(lambda: np.zeros(layout.length, dtype=np.int64))

    def read(low: datetime, high: datetime, sign: int) -> None:
        if low >= high:
            return
        rows = read_rows(session, layout.plan, questionnaire_id, start=low, end=high, unit_ids=unit_ids)
        for key, vector in cell_sums(layout, rows).items():
            found[key] += sign * vector

    first, last = nearest_month_start(start), nearest_month_start(end)
    if first >= last:
        read(start, end, 1)
        return _nonzero(found, layout)
    query = (select(FigureCell.unit_id, FigureCell.channel, FigureCell.month, FigureCell.layout, FigureCell.sums)
             .where(FigureCell.questionnaire_id == questionnaire_id,
                    FigureCell.month >= first.date(), FigureCell.month < last.date()))
    if unit_ids is not None:
        query = query.where(FigureCell.unit_id.in_(unit_ids))
    rows = session.execute(query).all()
    stale = {month for _, _, month, row_layout, _ in rows if row_layout != layout.key}
    stale |= set(session.scalars(select(FigureStale.month).where(
        FigureStale.questionnaire_id == questionnaire_id, FigureStale.month >= first.date(),
        FigureStale.month < last.date())))
    for unit_id, channel, month, _, blob in rows:
        if month not in stale:
            found[(unit_id, channel)] += decode(blob)
    for month in sorted(stale):  # rows of another layout: the whole month from the responses
        read(*month_bounds(month), 1)
    read(start, first, 1)
    read(first, start, -1)
    read(last, end, 1)
    read(end, last, -1)
    return _nonzero(found, layout)


def _nonzero(found: Cells, layout: SumsLayout) -> Cells:
    responses = layout.parts["responses"].start
    return {key: vector for key, vector in found.items() if vector[responses] != 0}
