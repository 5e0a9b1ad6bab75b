"""The entry points every consumer calls: figures of a scope, breakdowns, the trend, a report."""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from survey_app.domain.breakdown import CHANNEL
from survey_app.domain.cell_sums import SumsLayout
from survey_app.domain.periods import period_of
from survey_app.domain.scoring_sums import score_many
from survey_app.services.figures.breakdowns import channel_breakdowns, profile_breakdowns
from survey_app.services.figures.comments import comments
from survey_app.services.figures.scope import Tree, scope_figures
from survey_app.services.figures.sums import period_sums, periods_sums
from survey_app.services.figures.types import (
    Breakdown,
    FiguresQuery,
    Index,
    Report,
    Trend,
    TrendPoint,
)
from survey_app.services.units import subtree

__all__ = ["breakdowns", "report", "scope_figures", "trend"]



def _scope(session: Session, unit_code: str | None) -> tuple[Tree, list[int] | None, int | None]:
    """(the tree of the unit's subtree, its unit ids, the unit's id); every unit for None."""
    found = subtree(session, unit_code)
    if found.root is None:
        return Tree(found.members), None, None
    return Tree(found.members), sorted(found.ids or ()), found.root.id


def breakdowns(session: Session, query: FiguresQuery, unit_code: str | None,
               questions: tuple[str, ...]) -> dict[str, Breakdown]:
    """The SIPAS index of the unit's subtree (every unit for None) by each of ``questions``
    ("channel", profile question codes) in the query's period; cells under
    ``query.min_breakdown`` respondents suppressed. Raises UnknownUnit."""
    tree, members, root = _scope(session, unit_code)
    found: dict[str, Breakdown] = {}
    if CHANNEL in questions:
        layout = SumsLayout(query.questionnaire.scoring_plan())
        cells = period_sums(session, query.questionnaire.id, layout, *query.period.utc_bounds(query.tz), members)
        found[CHANNEL] = channel_breakdowns(layout, cells, tree, [root], query.min_breakdown)[root]
    profiles = tuple(q for q in questions if q != CHANNEL)
    if profiles:
        found.update(profile_breakdowns(session, query, tree, [root], profiles, members is not None)[root])
    return {question: found[question] for question in questions}


def trend(session: Session, query: FiguresQuery, unit_code: str, quarters: int) -> Trend:
    """The unit's (with every unit below it) SIPAS and element indices in each of the last
    ``quarters`` calendar quarters, the last being the one the query's period ends in."""
    _, members, _ = _scope(session, unit_code)
    layout = SumsLayout(query.questionnaire.scoring_plan())
    periods = [period_of("quarter", query.period.end)]
    while len(periods) < quarters:
        periods.append(periods[-1].previous())
    periods.reverse()
    found = periods_sums(session, query.questionnaire.id, layout, [p.utc_bounds(query.tz) for p in periods], members)
    scored = score_many(layout, np.stack([sum(cells.values(), np.zeros(layout.length, dtype=np.int64))
                                          for cells in found]))
    points = [TrendPoint(quarter, Index(s.index, s.ci, s.n), {code: e.index for code, e in s.elements.items()})
              for quarter, s in zip(periods, scored)]
    return Trend(unit_code, tuple(points))


def report(session: Session, query: FiguresQuery, *, comments_limit: int | None = None) -> Report:
    """The figures of the query's scope and the newest ``comments_limit`` comments (None: all;
    0: their count only): what every report document shows."""
    return Report(scope_figures(session, query), comments(session, query, query.unit_code, per_page=comments_limit))
