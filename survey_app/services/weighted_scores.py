"""The ``weighted`` block of the scores document: post-stratified by unit and channel."""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from survey_app.domain.periods import Period
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.scoring import Respondent
from survey_app.domain.submission import CHANNELS
from survey_app.domain.weighting import weighted_sipas, weighted_sipas_of
from survey_app.models import Answer, Response, Unit
from survey_app.services.rating_matrix import PeriodMatrix
from survey_app.services.volumes import cell_volumes


def weighted_figures(session: Session, questionnaire: Questionnaire, period: Period, tz: ZoneInfo,
                     shown: list[Unit], subtree: dict[int, set[int]], *,
                     where: tuple[ColumnElement[bool], ...] = (),
                     rows: PeriodMatrix | None = None) -> tuple[dict[int, dict | None], dict | None]:
    """({unit id: weighted block or None} for the ``shown`` units, the block of them all).

    A block is ``{"index", "ci", "deff"}``, None where the volumes do not cover the period for
    every (unit, channel) cell with a rater (docs/indices.md, "Weighted index"). ``where``
    narrows the responses counted, as the unweighted figures are narrowed. ``rows``, the period's
    responses already read into arrays (services/rating_matrix.py, which counts only what
    integrity.counted counts), replaces both reading them again and ``where``.
    """
    volumes = cell_volumes(session, period, tz)
    if not volumes:  # nothing can be weighted: spare reading the answers again
        return {unit.id: None for unit in shown}, None
    if rows is not None:
        return _figures_of_rows(questionnaire, shown, subtree, volumes, rows)
    by_unit = _respondents_by_cell(session, questionnaire, period, tz, where)
    plan = questionnaire.scoring_plan()
    criteria = set(plan.criteria)

    def block(unit_ids: set[int]) -> dict | None:
        respondents, cells = [], []
        for unit_id in unit_ids:
            for channel, respondent in by_unit.get(unit_id, []):
                respondents.append(respondent)
                cells.append((unit_id, channel))
        # Most units have some channel without a volume: answer those before building matrices.
        if any(volumes.get(cell, 0) <= 0 for cell, respondent in zip(cells, respondents)
               if _rated(respondent, criteria)):
            return None
        weighted = weighted_sipas(plan, respondents, cells, volumes)
        return weighted.as_dict() if weighted is not None else None

    return ({unit.id: block(subtree[unit.id]) for unit in shown},
            block({unit.id for unit in shown}))


def _figures_of_rows(questionnaire: Questionnaire, shown: list[Unit], subtree: dict[int, set[int]],
                     volumes: dict, rows: PeriodMatrix) -> tuple[dict[int, dict | None], dict | None]:
    plan = questionnaire.scoring_plan()
    # A cell as one integer: unit id and channel (-1, any unknown channel, has no volume).
    per_unit = len(CHANNELS) + 1
    cells = rows.unit_ids * per_unit + rows.channels + 1
    coded = {unit_id * per_unit + CHANNELS.index(channel) + 1: volume
             for (unit_id, channel), volume in volumes.items() if channel in CHANNELS}
    values = rows.blocks.values

    def block(selection: slice | np.ndarray) -> dict | None:
        rated = (values[selection] > 0).any(axis=1)
        # Most units have some channel without a volume: answer those before weighting.
        if any(coded.get(cell, 0) <= 0 for cell in np.unique(cells[selection][rated]).tolist()):
            return None
        weighted = weighted_sipas_of(plan, values[selection], cells[selection], coded)
        return weighted.as_dict() if weighted is not None else None

    shown_ids = {unit.id for unit in shown}
    root = next((unit.id for unit in shown if subtree[unit.id] == shown_ids), None)
    if len(shown_ids) == len(rows.spans):
        everything: slice | np.ndarray = slice(None)
    elif root is not None:  # scores --unit: the root's subtree
        everything = rows.subtree_rows(root)
    else:
        everything = np.isin(rows.unit_ids, list(shown_ids))
    return {unit.id: block(rows.subtree_rows(unit.id)) for unit in shown}, block(everything)


def _rated(respondent: Respondent, criteria: set[str]) -> bool:
    """Whether the respondent gave a valid answer (a level, not "no opinion") to a criterion."""
    return any(value > 0 for code, value in respondent.ratings.items() if code in criteria)


def _respondents_by_cell(session: Session, questionnaire: Questionnaire, period: Period, tz: ZoneInfo,
                         where: tuple[ColumnElement[bool], ...]) -> dict[int, list[tuple[str, Respondent]]]:
    """unit id -> [(channel, ratings)] of the period's responses (only ratings matter here)."""
    start, end = period.utc_bounds(tz)
    in_period = (
        select(Response.id)
        .where(Response.questionnaire_id == questionnaire.id,
               Response.submitted_at >= start, Response.submitted_at < end, *where)
    )
    ratings: dict[int, dict[str, int]] = defaultdict(dict)
    for response_id, code, value in session.execute(
        select(Answer.response_id, Answer.item_code, Answer.value).where(Answer.response_id.in_(in_period))
    ):
        ratings[response_id][code] = value
    grouped: dict[int, list[tuple[str, Respondent]]] = defaultdict(list)
    for response_id, unit_id, channel in session.execute(in_period.add_columns(Response.unit_id, Response.channel)):
        grouped[unit_id].append((channel, Respondent(ratings[response_id])))
    return grouped


def weighted_entry(block: dict | None) -> dict:
    """What a unit's (or overall) figures gain: ``weighted``, or nothing at all when the
    volumes do not cover the period (absent rather than null: README, "Scores JSON")."""
    return {"weighted": block} if block is not None else {}
