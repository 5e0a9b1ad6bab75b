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

from survey_app.domain.scoring import Respondent, ScoringPlan, score

__all__ = ["CHANNEL", "breakdown"]

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
    result: dict[str, dict[str, Any]] = {}
    for answer, members in cells.items():
        s = score(plan, members)
        if s.n < min_responses:
            result[answer] = {"n": s.n, "suppressed": True}
        else:
            result[answer] = {"n": s.n, "index": s.index, "ci": list(s.ci) if s.ci else None}
    return result
