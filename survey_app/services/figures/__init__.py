"""The one read model: the figures of a scope and period, breakdowns and trends, as typed values.

Every page, file, command and job asks here; nothing else computes a figure.
"""

from survey_app.services.figures.comments import comments
from survey_app.services.figures.document import scores_document
from survey_app.services.figures.engine import breakdowns, report, scope_figures, trend
from survey_app.services.figures.types import (
    Breakdown,
    BreakdownCell,
    Change,
    ChannelCount,
    Comment,
    CommentPage,
    CriterionFigures,
    ElementFigures,
    Figures,
    FiguresQuery,
    Index,
    Report,
    ScopeFigures,
    Trend,
    TrendPoint,
    UnitFigures,
    UnknownUnit,
    Weighted,
)

__all__ = [
    "Breakdown", "BreakdownCell", "Change", "ChannelCount", "CriterionFigures", "ElementFigures", "Figures",
    "FiguresQuery", "Index", "ScopeFigures", "Trend", "TrendPoint", "UnitFigures", "UnknownUnit", "Weighted",
    "Comment", "CommentPage", "Report",
    "breakdowns", "comments", "report", "scope_figures", "scores_document", "trend",
]
