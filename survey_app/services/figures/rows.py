"""Counted responses read as arrays (the packed reading of services/rating_matrix.py), for the
hours a period does not share with whole months, for rebuilding sums, and for the profile
breakdowns of one unit's subtree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from survey_app.domain.cell_sums import SumsLayout, grouped_sums
from survey_app.domain.scoring import ScoringPlan
from survey_app.domain.submission import CHANNELS, EXPECTATIONS
from survey_app.models import Choice, Response
from survey_app.services.counted import counted
from survey_app.services.rating_matrix import FETCH_ROWS, FIRST_BITS, _ratings_query, _read, _unpack


@dataclass(frozen=True)
class ResponseRows:
    """One row per counted response, in id order."""

    ids: np.ndarray
    unit_ids: np.ndarray
    channels: tuple[str, ...]   # the channels met; ``channel`` indexes into it
    channel: np.ndarray
    values: np.ndarray          # rows x plan criteria
    answered: np.ndarray
    chosen: np.ndarray          # rows x plan options


def read_rows(session: Session, plan: ScoringPlan, questionnaire_id: str, *, start: datetime | None = None,
              end: datetime | None = None, unit_ids: list[int] | None = None,
              response_ids: list[int] | None = None, only_counted: bool = True) -> ResponseRows:
    where: list[ColumnElement[bool]] = [Response.questionnaire_id == questionnaire_id]
    if start is not None:
        where.append(Response.submitted_at >= start)
    if end is not None:
        where.append(Response.submitted_at < end)
    if unit_ids is not None:
        where.append(Response.unit_id.in_(unit_ids))
    if response_ids is not None:
        where.append(Response.id.in_(response_ids))
    if only_counted:
        where.append(counted())
    bits = FIRST_BITS
    while True:
        ids, units, channel, highest, packs = _read(session, _ratings_query(session, plan.criteria, bits, tuple(where)),
                                                    len(plan.criteria), bits)
        if highest < 1 << bits:
            break
        bits = int(highest).bit_length()
    order = np.argsort(ids)
    ids, units, channel = ids[order], units[order], channel[order]
    values = _unpack(packs[order], len(plan.criteria), bits)
    names = list(CHANNELS)
    if (channel < 0).any():  # a channel the app does not know (stored by hand): read as text
        others = dict(session.execute(select(Response.id, Response.channel).where(
            Response.id.in_(ids[channel < 0].tolist()))).all())
        for row in np.flatnonzero(channel < 0):
            name = others[int(ids[row])]
            if name not in names:
                names.append(name)
            channel[row] = names.index(name)
    answered = np.zeros(len(ids), dtype=bool)
    chosen = np.zeros((len(ids), len(plan.expectation_options)), dtype=bool)
    option = {code: j for j, code in enumerate(plan.expectation_options)}
    if len(ids):
        query = (select(Choice.response_id, Choice.option_code).join(Response, Response.id == Choice.response_id)
                 .where(Choice.question_code == EXPECTATIONS, *where))
        for rows in session.execute(query).partitions(FETCH_ROWS):
            pairs = list(rows)
            at = np.searchsorted(ids, np.array([p[0] for p in pairs], dtype=np.int64))
            answered[at] = True
            for row, (_, code) in zip(at.tolist(), pairs):
                j = option.get(code)
                if j is not None:
                    chosen[row, j] = True
    return ResponseRows(ids, units, tuple(names), channel, values, answered, chosen)


def cell_sums(layout: SumsLayout, rows: ResponseRows) -> dict[tuple[int, str], np.ndarray]:
    """(unit id, channel) -> the sums of its rows."""
    n_channels = len(rows.channels)
    keys, sums = grouped_sums(layout, rows.values, rows.answered, rows.chosen,
                              rows.unit_ids * n_channels + rows.channel)
    found = {}
    for key, vector in zip(keys.tolist(), sums):
        unit_id, channel = divmod(key, n_channels)
        found[(unit_id, rows.channels[channel])] = vector
    return found
