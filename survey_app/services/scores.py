"""The ``scores`` contract (README, "Scores JSON") over the figures engine (services/figures)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from survey_app.domain.breakdown import CHANNEL
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.scoring import Scores
from survey_app.domain.submission import CHANNELS
from survey_app.services.figures import FiguresQuery, Index, UnknownUnit, scope_figures, scores_document

__all__ = ["PeriodFigures", "ScoreQuery", "UnknownUnit", "breakdown_answers", "period_figures", "period_scores"]

# What is asked (services/figures/types.py): one questionnaire, period and scope.
ScoreQuery = FiguresQuery


def breakdown_answers(questionnaire: Questionnaire, question: str) -> tuple[str, ...] | None:
    """The answers a breakdown by ``question`` has cells for; None for no such question."""
    if question == CHANNEL:
        return tuple(CHANNELS)
    found = questionnaire.profile_question(question)
    return tuple(o.code for o in found.options) if found else None


def period_scores(session: Session, query: FiguresQuery) -> dict[str, Any]:
    """The document of the ``scores`` contract, written from the typed figures."""
    return scores_document(scope_figures(session, query))


@dataclass(frozen=True)
class PeriodFigures:
    """What services/report_data.py (the old report path, going) reads; from the engine."""

    document: dict[str, Any]
    previous: dict[str, Scores]
    previous_overall: Scores


def _scores(index: Index | None) -> Scores:
    index = index or Index(None, None, 0)
    return Scores(n=index.n, index=index.value, ci=index.ci, elements={}, criteria={}, expectations={})


def period_figures(session: Session, query: FiguresQuery, previous_document: dict[str, Any] | None = None
                   ) -> PeriodFigures:
    figures = scope_figures(session, query)
    return PeriodFigures(scores_document(figures), {u.unit: _scores(u.previous) for u in figures.units},
                         _scores(figures.overall.previous))
