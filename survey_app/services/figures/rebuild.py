"""Making the sums of models/figure_cell.py again from the responses: ``flask figures rebuild``
and the migrations that change their layout."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from survey_app.domain.cell_sums import SumsLayout
from survey_app.domain.questionnaire import Questionnaire
from survey_app.models import FigureCell, FigureStale, Response
from survey_app.services.figures.cells import (
    SPANS,
    RowKey,
    decode,
    encode,
    encode_counts,
    keep_layout,
    layout_of,
    month_bounds,
    month_of,
    span_start,
)
from survey_app.services.figures.rows import cell_sums, read_rows


def rebuild(session: Session, questionnaires: Iterable[Questionnaire]) -> int:
    """Every row made again from the responses, month by month (quarters and years summed from
    their months); returns how many rows."""
    made = 0
    for questionnaire in questionnaires:
        layout = layout_of(questionnaire)
        keep_layout(session, layout)
        session.execute(delete(FigureCell).where(FigureCell.questionnaire_id == questionnaire.id))
        session.execute(delete(FigureStale).where(FigureStale.questionnaire_id == questionnaire.id))
        first, last = session.execute(select(func.min(Response.submitted_at), func.max(Response.submitted_at))
                                      .where(Response.questionnaire_id == questionnaire.id)).one()
        if first is None:
            continue
        month = month_of(first)
        while month <= month_of(last):
            start, end = month_bounds(month)
            found = cell_sums(layout, read_rows(session, layout.plan, questionnaire.id, start=start, end=end))
            rows: dict[RowKey, np.ndarray] = {}
            for (unit_id, channel), vector in found.items():
                rows[(unit_id, month, channel, 1)] = vector
            made += _insert_rows(session, questionnaire.id, layout, rows)
            month = end.date()
        for months in SPANS[1:]:  # a quarter's and a year's rows: the sums of their months' rows
            spans: dict[RowKey, np.ndarray] = {}
            for unit_id, month, channel, blob in session.execute(
                    select(FigureCell.unit_id, FigureCell.month, FigureCell.channel, FigureCell.sums)
                    .where(FigureCell.questionnaire_id == questionnaire.id, FigureCell.months == 1)):
                key = (unit_id, span_start(month, months), channel, months)
                spans[key] = spans[key] + decode(blob) if key in spans else decode(blob)
            made += _insert_rows(session, questionnaire.id, layout, spans)
    session.flush()
    return made


def _insert_rows(session: Session, questionnaire_id: str, layout: SumsLayout, rows: dict[RowKey, np.ndarray]) -> int:
    if rows:
        session.execute(FigureCell.__table__.insert(), [
            {"questionnaire_id": questionnaire_id, "unit_id": unit_id, "month": month, "channel": channel,
             "months": months, "layout": layout.key, "responses": int(v[layout.parts["responses"]][0]),
             "raters": int(v[layout.parts["raters"]][0]), "sums": encode(v), "counts": encode_counts(layout, v)}
            for (unit_id, month, channel, months), v in rows.items()])
    return len(rows)
