"""Breakdowns: by channel from the sums of each channel's cells; by a profile question from the
responses of the scope read as arrays (services/matrix_breakdowns.py), the one part of a page
that reads responses: profile answers are not in the sums."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy.orm import Session

from survey_app.domain.breakdown import CHANNEL
from survey_app.domain.cell_sums import SumsLayout
from survey_app.domain.scoring import Scores
from survey_app.domain.scoring_sums import score_many
from survey_app.domain.submission import CHANNELS
from survey_app.services.figures.sums import Cells
from survey_app.services.figures.types import Breakdown, BreakdownCell, FiguresQuery, Index

if TYPE_CHECKING:
    from survey_app.services.figures.scope import Tree


def _cell(answer: str, s: Scores, min_responses: int) -> BreakdownCell:
    if s.n < min_responses:
        return BreakdownCell(answer, s.n, None)
    return BreakdownCell(answer, s.n, Index(s.index, s.ci, s.n))


def _from_dicts(question: str, cells: dict[str, dict]) -> Breakdown:
    return Breakdown(question, tuple(
        BreakdownCell(answer, cell["n"], None if cell.get("suppressed") else Index(
            cell["index"], (float(cell["ci"][0]), float(cell["ci"][1])) if cell["ci"] else None, cell["n"]))
        for answer, cell in cells.items()))


def channel_breakdowns(layout: SumsLayout, cells: Cells, tree: Tree, unit_ids: list[int | None],
                       min_responses: int) -> dict[int | None, Breakdown]:
    """unit id (None: every unit read) -> its subtree's breakdown by channel."""
    channels = [*CHANNELS, *sorted({channel for _, channel in cells} - set(CHANNELS))]
    per_channel = {channel: tree.totals(cells, layout.length, {channel}) for channel in channels}
    shown = []
    for unit_id in unit_ids:
        vectors = {channel: totals[unit_id] if unit_id is not None else sum(
            (v for (_, c), v in cells.items() if c == channel), np.zeros(layout.length, dtype=np.int64))
            for channel, totals in per_channel.items()}
        shown += [(unit_id, channel, vector) for channel, vector in vectors.items()
                  if channel in CHANNELS or vector[layout.parts["responses"]][0] > 0]
    scored = score_many(layout, np.stack([vector for _, _, vector in shown])) if shown else []
    cells_of: dict[int | None, list[BreakdownCell]] = {unit_id: [] for unit_id in unit_ids}
    for (unit_id, channel, _), s in zip(shown, scored):
        cells_of[unit_id].append(_cell(channel, s, min_responses))
    return {unit_id: Breakdown(CHANNEL, tuple(found)) for unit_id, found in cells_of.items()}


def profile_breakdowns(session: Session, query: FiguresQuery, tree: Tree, unit_ids: list[int | None],
                       questions: tuple[str, ...], listed_only: bool) -> dict[int | None, dict[str, Breakdown]]:
    from survey_app.services.matrix_breakdowns import subtree_breakdowns
    from survey_app.services.rating_matrix import _period_matrix
    matrix = _period_matrix(session, query.questionnaire, *query.period.utc_bounds(query.tz), tree.units,
                            only_listed=listed_only)
    found = subtree_breakdowns(session, query.questionnaire, matrix, unit_ids, questions, query.min_breakdown)
    return {unit_id: {question: _from_dicts(question, cells) for question, cells in by.items()}
            for unit_id, by in found.items()}


def scope_breakdowns(session: Session, query: FiguresQuery, layout: SumsLayout, cells: Cells, tree: Tree,
                     shown_ids: set[int], listed_only: bool = False) -> dict[int | None, dict[str, Breakdown]]:
    """unit id (None: the scope overall) -> {question: Breakdown} for each question of ``query.by``."""
    top = next((u.id for u in tree.units if u.id in shown_ids), None) if query.unit_code else None
    unit_ids: list[int | None] = [u.id for u in tree.units if u.id in shown_ids]
    asked = [*unit_ids, None]
    found: dict[int | None, dict[str, Breakdown]] = {unit_id: {} for unit_id in asked}
    profiles = tuple(question for question in query.by if question != CHANNEL)
    by_channel = channel_breakdowns(layout, cells, tree, asked, query.min_breakdown) if CHANNEL in query.by else {}
    by_profile = profile_breakdowns(session, query, tree, asked, profiles, listed_only) if profiles else {}
    for unit_id in asked:
        source = top if unit_id is None and top is not None else unit_id
        for question in query.by:
            found[unit_id][question] = by_channel[source] if question == CHANNEL else by_profile[source][question]
    return found
