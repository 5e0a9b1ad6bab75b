"""The figures of the officers' pages and report files, computed once for each state of the
data they read (services/figures_cache.py, services/data_fingerprint.py).

The same documents as services/report_data.py computes, through JSON: a page shows what the
functions there return, whether the figures were kept or just computed. A closed period is
computed once and read from the table until something changes its data: a late response, an
import, a flag decided, a unit renamed, volumes imported. The current period is computed again
after every new response, each of its quarters of the trend on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from survey_app.domain.periods import Period, period_of
from survey_app.domain.questionnaire import Questionnaire
from survey_app.services.data_fingerprint import data_fingerprint, data_fingerprints
from survey_app.services.figures_cache import cached, kept, question_key
from survey_app.services.rating_matrix import kept_matrices
from survey_app.services.report_data import (
    assemble_report,
    comment_rows,
    last_quarters,
    quarterly_trend,
    report_figures,
    unit_breakdowns,
)
from survey_app.services.scores import ScoreQuery


def _asked(questionnaire: Questionnaire, period: Period, tz: ZoneInfo) -> dict[str, Any]:
    return {"questionnaire": questionnaire.id, "content": questionnaire.content_hash,
            "from": period.start.isoformat(), "to": period.end.isoformat(), "tz": str(tz)}


def report_summary(session: Session, query: ScoreQuery, *, language: str | None) -> dict[str, Any]:
    """``report_document(query, comments_limit=0, language=language)``, its figures kept (the
    period's and the one before it, in every language at once)."""
    return assemble_report(_figures(session, query), query, language=language, comments=None)


def _report_question(session: Session, query: ScoreQuery) -> tuple[dict[str, Any], str]:
    q = query.questionnaire
    responses_from, _ = query.period.previous().utc_bounds(query.tz)
    _, responses_to = query.period.utc_bounds(query.tz)
    fingerprint = data_fingerprint(session, q.id, responses_from, responses_to, query.period, query.tz)
    question = {"figures": "report", **_asked(q, query.period, query.tz), "unit": query.unit_code,
                "min_ranked": query.min_ranked, "by": list(query.by), "min_breakdown": query.min_breakdown}
    return question, fingerprint


def _figures(session: Session, query: ScoreQuery) -> dict[str, Any]:
    """``report_figures``, kept. Computing them takes the previous period's figures from the
    kept ones when they are there and still right (a closed period, warmed or seen): the period
    being looked at, the running one most often, is then the only one read."""
    question, fingerprint = _report_question(session, query)

    def compute() -> dict[str, Any]:
        before = kept(session, *_report_question(session, replace(query, period=query.period.previous())))
        return report_figures(session, query, before)

    return cached(session, question, fingerprint, compute)


def full_report(session: Session, query: ScoreQuery, *, language: str | None,
                comments_limit: int | None = None) -> dict[str, Any]:
    """``report_document(query, comments_limit=..., language=...)``: the kept figures, with the
    comments read now (they are many, and a page of them is quick to read)."""
    figures = _figures(session, query)
    comments = None if comments_limit == 0 else comment_rows(
        session, query.questionnaire, query.unit_code, query.period, query.tz, limit=comments_limit)
    return assemble_report(figures, query, language=language, comments=comments)


def trend(session: Session, query_base: ScoreQuery, unit_code: str, last_quarter: Period,
          quarters: int) -> list[dict[str, Any]]:
    """``quarterly_trend``, each quarter kept on its own: a response today changes the last
    point only."""
    q, tz = query_base.questionnaire, query_base.tz
    quarters_asked = last_quarters(last_quarter, quarters)
    fingerprints = data_fingerprints(session, q.id, [(*quarter.utc_bounds(tz), quarter) for quarter in quarters_asked],
                                     tz)
    points = []
    # Newest first: the last quarters are the page's period and the one before it, which a view
    # has just read (rating_matrix.kept_matrices).
    for quarter, fingerprint in reversed(list(zip(quarters_asked, fingerprints))):
        question = {"figures": "trend point", **_asked(q, quarter, tz), "unit": unit_code}
        points += cached(session, question, fingerprint,
                         lambda quarter=quarter: quarterly_trend(session, query_base, unit_code, quarter, 1))
    return points[::-1]


def breakdowns(session: Session, questionnaire: Questionnaire, unit_code: str, period: Period, tz: ZoneInfo,
               questions: tuple[str, ...], *, min_responses: int) -> dict[str, Any]:
    """``unit_breakdowns``, kept."""
    start, end = period.utc_bounds(tz)
    fingerprint = data_fingerprint(session, questionnaire.id, start, end, period, tz)
    question = {"figures": "breakdowns", **_asked(questionnaire, period, tz), "unit": unit_code,
                "questions": list(questions), "min_responses": min_responses}
    return cached(session, question, fingerprint,
                  lambda: unit_breakdowns(session, questionnaire, unit_code, period, tz, questions,
                                          min_responses=min_responses))


def drawing(session: Session, name: Any, inputs: Any, draw: Callable[[], str]) -> str:
    """A chart (SVG text) drawn from ``inputs`` (every number and label it shows), kept under
    ``name`` (which chart of which page, in which language) and drawn again only when its
    inputs change: one row per chart, replaced, however often its figures change."""
    return cached(session, {"drawing": name}, question_key(inputs), draw)


def warm(session: Session, query_base: ScoreQuery, unit_codes: list[str], *, trend_quarters: int,
         questions: tuple[str, ...], min_breakdown: int) -> int:
    """Compute and keep, for the period of ``query_base``, what the officers' pages read: the
    units table of the whole tree, and for each of ``unit_codes`` its table and unit page
    (figures, trend, breakdowns). Each period is read once (rating_matrix.kept_matrices) and
    each unit's scores computed once for all of them; figures already kept and still right
    are left as they are. Returns how many units were done."""
    period, q, tz = query_base.period, query_base.questionnaire, query_base.tz
    last_quarter = period_of("quarter", period.end)
    with kept_matrices():
        _figures(session, replace(query_base, unit_code=None))
        for code in unit_codes:
            query = replace(query_base, unit_code=code)
            _figures(session, query)
            trend(session, query, code, last_quarter, trend_quarters)
            breakdowns(session, q, code, period, tz, questions, min_responses=min_breakdown)
    return len(unit_codes)
