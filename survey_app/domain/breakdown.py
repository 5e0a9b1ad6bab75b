"""The SIPAS index by the answers of one question: by channel, by a profile question.

Each cell scores the respondents who gave that answer exactly as the whole is scored
(domain.scoring), so a cell is comparable with its unit. A cell with fewer than the minimum of
respondents (``n``: those who rated at least one criterion) keeps its ``n`` but shows no index:
its index would be noise, and a small group may point at a person. Respondents who did not
answer the question are in no cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from survey_app.domain.rating_blocks import RatingBlocks
from survey_app.domain.scoring import Respondent, Scores, ScoringPlan, score, score_blocks

__all__ = ["CHANNEL", "breakdown", "breakdown_rows"]

# The breakdown by the way a response reached us; every other breakdown is a profile question's code.
CHANNEL = "channel"


def breakdown(plan: ScoringPlan, respondents: Iterable[Respondent], question: str,
              answers: Sequence[str], min_responses: int) -> dict[str, dict[str, Any]]:
    """``{answer: {"n", "index", "ci"}}`` or ``{answer: {"n", "suppressed": True}}`` for each of
    ``answers`` (in that order, empty ones included), then any other answer found."""
    cells: dict[str, list[Respondent]] = {answer: [] for answer in answers}
    for respondent in respondents:
        answer = respondent.traits.get(question)
        if answer is not None:
            cells.setdefault(answer, []).append(respondent)
    return {answer: _cell(score(plan, members), min_responses) for answer, members in cells.items()}


def _cell(s: Scores, min_responses: int) -> dict[str, Any]:
    if s.n < min_responses:
        return {"n": s.n, "suppressed": True}
    return {"n": s.n, "index": s.index, "ci": list(s.ci) if s.ci else None}


def breakdown_rows(plan: ScoringPlan, values: np.ndarray, answer: np.ndarray, codes: Sequence[str], listed: int,
                   min_responses: int) -> dict[str, dict[str, Any]]:
    """``breakdown`` of respondents given as arrays: ``values`` their ratings (respondents x plan
    criteria, domain.rating_blocks), ``answer`` each one's answer as an index into ``codes``
    (-1: none). The first ``listed`` codes are the question's answers, each a cell even when
    empty; any other code found is a cell after them, in the order of the first row giving it,
    as ``breakdown`` finds them. Each cell's rows keep their order: its figures are bit for bit
    those of ``breakdown`` fed the same respondents in the same order."""
    answer = np.asarray(answer, dtype=np.int64)
    found = answer[answer >= listed]
    _, first = np.unique(found, return_index=True)
    cells = [*range(listed), *(int(found[i]) for i in sorted(first))]
    rank = np.full(len(codes) + 1, len(cells), dtype=np.int64)  # the last slot: no answer (-1)
    rank[cells] = np.arange(len(cells))
    cell_of = rank[answer]
    order = np.argsort(cell_of, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(cell_of, minlength=len(cells) + 1))))[:len(cells) + 1]
    blocks = RatingBlocks(plan, values[order[:bounds[-1]]], bounds, np.zeros(len(cells), dtype=np.int64),
                          np.zeros((len(cells), len(plan.expectation_options)), dtype=np.int64))
    return {codes[c]: _cell(score_blocks(plan, blocks, i, i + 1), min_responses) for i, c in enumerate(cells)}
