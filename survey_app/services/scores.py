"""The ``scores`` contract (README, "Scores JSON") over the figures engine (services/figures)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from survey_app.domain.breakdown import CHANNEL
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.submission import CHANNELS
from survey_app.services.figures import FiguresQuery, UnknownUnit, scope_figures, scores_document

__all__ = ["ScoreQuery", "UnknownUnit", "breakdown_answers", "period_scores"]

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
