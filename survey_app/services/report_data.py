"""The figures of officers' pages and report files, as plain dicts and lists.

Everything here is computed by services.scores and domain.scoring, so a page, a PDF and a
workbook show exactly what ``scores --format json`` prints for the same period and unit.
Comments are masked (domain.masking) before they leave this module; those of responses left out
as made up (services.integrity.counted) are not read at all.
"""

from __future__ import annotations

import math
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app.domain.breakdown import CHANNEL
from survey_app.domain.reliability import MIN_ALPHA_RESPONDENTS
from survey_app.domain.masking import mask_personal_data
from survey_app.domain.periods import Period, period_of
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.scoring import Scores
from survey_app.models import Response, Unit
from survey_app.services.integrity import counted
from survey_app.services.matrix_breakdowns import subtree_breakdowns
from survey_app.services.rating_matrix import period_matrix
from survey_app.services.scores import ScoreQuery, UnknownUnit, period_figures
from survey_app.services.units import descendant_ids

# The default of the MIN_BREAKDOWN_RESPONSES setting (config.py): a breakdown cell (one channel,
# one profile group) with fewer respondents is not shown (domain.breakdown).
MIN_BREAKDOWN_RESPONSES = 10
WEAKEST_CRITERIA = 3


def subtree_ids(session: Session, unit_code: str | None) -> set[int] | None:
    """Ids of the unit and every unit below it; None (no restriction) for no unit."""
    if unit_code is None:
        return None
    units = list(session.scalars(select(Unit)))
    root = next((u for u in units if u.code == unit_code), None)
    if root is None:
        raise UnknownUnit(unit_code)
    return descendant_ids(units)[root.id]


def _comment_rows(session: Session, questionnaire: Questionnaire, unit_ids: set[int] | None,
                  period: Period, tz: ZoneInfo, *, offset: int = 0, limit: int | None = None,
                  total: int | None = None):
    start, end = period.utc_bounds(tz)
    where = [Response.questionnaire_id == questionnaire.id, Response.submitted_at >= start,
             Response.submitted_at < end, Response.comment.is_not(None), Response.comment != "",
             # A flood's comments are left out with its answers (1,500 "Tuyệt vời" filled a PDF).
             counted()]
    if unit_ids is not None:
        where.append(Response.unit_id.in_(sorted(unit_ids)))
    if total is None:
        total = session.scalar(select(func.count(Response.id)).where(*where))
    if offset >= total or limit == 0:
        # Nothing to show: not even a look (with few comments, finding none scans the period).
        return total, []
    rows = session.execute(
        select(Response.submitted_at, Response.channel, Response.comment, Unit.code, Unit.name)
        .join(Unit, Unit.id == Response.unit_id).where(*where)
        .order_by(Response.submitted_at.desc(), Response.id.desc()).offset(offset).limit(limit))
    items = [{"submitted_at": submitted_at.astimezone(tz), "channel": channel,
              "text": mask_personal_data(comment), "unit": code, "unit_name": name}
             for submitted_at, channel, comment, code, name in rows]
    return total, items


def comment_rows(session: Session, questionnaire: Questionnaire, unit_code: str | None, period: Period,
                 tz: ZoneInfo, *, limit: int | None = None) -> tuple[int, list[dict[str, Any]]]:
    """(how many comments, the newest ``limit`` of them, masked) on the unit and the units below
    it; on every unit for None. What ``report_document`` holds under "comments"."""
    return _comment_rows(session, questionnaire, subtree_ids(session, unit_code), period, tz, limit=limit)


def unit_comments(session: Session, questionnaire: Questionnaire, unit_code: str, period: Period,
                  tz: ZoneInfo, *, page: int = 1, per_page: int = 20, total: int | None = None) -> dict[str, Any]:
    """One page of the comments on the unit and the units below it, newest first, masked.
    ``total``: how many there are, when already known (``report_document``'s "comments"), which
    spares counting them again."""
    page, per_page = max(1, page), max(1, per_page)
    total, items = _comment_rows(session, questionnaire, subtree_ids(session, unit_code), period, tz,
                                 offset=(page - 1) * per_page, limit=per_page, total=total)
    return {"total": total, "page": page, "per_page": per_page,
            "pages": max(1, math.ceil(total / per_page)), "items": items}


def quarter_label(quarter: Period) -> str:
    return f"Q{(quarter.start.month - 1) // 3 + 1}/{quarter.start.year}"


def last_quarters(last_quarter: Period, quarters: int) -> list[Period]:
    """The ``quarters`` calendar quarters ending with the one ``last_quarter`` starts in, oldest first."""
    periods = [period_of("quarter", last_quarter.start)]
    while len(periods) < quarters:
        periods.append(periods[-1].previous())
    return periods[::-1]


def quarterly_trend(session: Session, query_base: ScoreQuery, unit_code: str, last_quarter: Period,
                    quarters: int = 8) -> list[dict[str, Any]]:
    """The unit's (pooled subtree) SIPAS and element indices in each of the last ``quarters``:
    the ``overall`` of ``scores --unit`` for each quarter, from the same counted responses."""
    q, tz = query_base.questionnaire, query_base.tz
    all_units = list(session.scalars(select(Unit)))
    root = _unit(all_units, unit_code)
    plan = q.scoring_plan()
    points = []
    for period in last_quarters(last_quarter, quarters):
        s = period_matrix(session, q, period, tz, all_units).subtree(plan, root.id)
        points.append(trend_point(period, s))
    return points


def trend_point(quarter: Period, s: Scores) -> dict[str, Any]:
    return {"label": quarter_label(quarter), "from": quarter.start.isoformat(), "to": quarter.end.isoformat(),
            "n": s.n, "index": s.index, "ci": list(s.ci) if s.ci else None,
            "elements": {code: e.index for code, e in s.elements.items()}}


def _unit(units: list[Unit], code: str) -> Unit:
    found = next((u for u in units if u.code == code), None)
    if found is None:
        raise UnknownUnit(code)
    return found


def unit_breakdowns(session: Session, questionnaire: Questionnaire, unit_code: str, period: Period,
                    tz: ZoneInfo, questions: tuple[str, ...], *,
                    min_responses: int = MIN_BREAKDOWN_RESPONSES) -> dict[str, dict[str, dict]]:
    """The SIPAS index of the unit's subtree by each of ``questions`` ("channel", profile codes),
    small cells suppressed: the ``by`` of ``scores --by`` (services.scores.breakdowns)."""
    all_units = list(session.scalars(select(Unit)))
    root = _unit(all_units, unit_code)
    matrix = period_matrix(session, questionnaire, period, tz, all_units)
    return subtree_breakdowns(session, questionnaire, matrix, root.id, questions, min_responses)


def channel_split(session: Session, questionnaire: Questionnaire, unit_code: str, period: Period,
                  tz: ZoneInfo, *, min_responses: int = MIN_BREAKDOWN_RESPONSES) -> dict[str, dict]:
    """The SIPAS index of the unit's subtree per channel; small cells suppressed."""
    return unit_breakdowns(session, questionnaire, unit_code, period, tz, (CHANNEL,),
                           min_responses=min_responses)[CHANNEL]


def _labelled(questionnaire: Questionnaire, language: str) -> dict[str, dict[str, str]]:
    q = questionnaire
    return {
        "title": q.text(q.title, language),
        "elements": {e.code: q.text(e.title, language) for e in q.elements},
        "criteria": {c.code: q.text(c.text, language) for c in q.criteria},
        "criterion_element": {c.code: e.code for e in q.elements for c in e.criteria},
        "expectations": {o.code: q.text(o.label, language) for o in q.expectations.options}
        if q.expectations else {},
    }


def _weakest(figures: dict, labels: dict) -> list[dict]:
    """The lowest criterion indices; ties in questionnaire order."""
    scored = [(c["index"], position, code) for position, (code, c) in enumerate(figures["criteria"].items())
              if c["index"] is not None]
    return [{"code": code, "label": labels["criteria"][code], "element": labels["criterion_element"][code],
             **figures["criteria"][code]} for _, _, code in sorted(scored)[:WEAKEST_CRITERIA]]


def _expectations(figures: dict, labels: dict) -> list[dict]:
    order = list(labels["expectations"])
    shares = [(code, share) for code, share in figures["expectations"].items() if code in labels["expectations"]]
    shares.sort(key=lambda item: (item[1] is None, -(item[1] or 0.0), order.index(item[0])))
    return [{"code": code, "label": labels["expectations"][code], "share": share} for code, share in shares]


def _summary(scores: Scores) -> dict:
    return {"n": scores.n, "index": scores.index, "ci": list(scores.ci) if scores.ci else None}


def report_figures(session: Session, query: ScoreQuery, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a report shows whatever its language, as JSON-able data: the scores document, the
    previous period's n, index and interval of each unit and overall (the very scores its
    changes compare with), and how many comments there are. Raises UnknownUnit.
    ``previous``: the previous period's report_figures of the same query, if known and still
    right (kept): that period is then not read again (scores.period_figures)."""
    found = period_figures(session, query, previous["scores"] if previous is not None else None)
    total, _ = comment_rows(session, query.questionnaire, query.unit_code, query.period, query.tz, limit=0)
    return {"scores": found.document, "previous": {code: _summary(s) for code, s in found.previous.items()},
            "previous_overall": _summary(found.previous_overall), "comments_total": total}


def report_document(session: Session, query: ScoreQuery, *, comments_limit: int | None = None,
                    language: str | None = None) -> dict[str, Any]:
    """Everything one report shows, as plain data (see the keys below); raises UnknownUnit."""
    figures = report_figures(session, query)
    comments = None if comments_limit == 0 else comment_rows(
        session, query.questionnaire, query.unit_code, query.period, query.tz, limit=comments_limit)
    return assemble_report(figures, query, language=language, comments=comments)


def assemble_report(figures: dict[str, Any], query: ScoreQuery, *, language: str | None,
                    comments: tuple[int, list[dict[str, Any]]] | None) -> dict[str, Any]:
    """``report_document`` from ``report_figures`` (kept or just computed) and the comments
    (total, items); None: none shown, their count only."""
    q = query.questionnaire
    language = language if language in q.languages else q.default_language
    labels = _labelled(q, language)
    current = figures["scores"]
    before_period = query.period.previous()
    overall = current["overall"]
    units = {}
    for unit in current["units"]:
        units[unit["unit"]] = {"previous": {**figures["previous"][unit["unit"]], "rank": unit["previous_rank"]},
                               "change": unit["change"],
                               "weakest": _weakest(unit, labels), "expectations": _expectations(unit, labels)}
    # With a unit, the document's first unit is it (tree order starts with the subtree's top).
    scope = current["units"][0] if query.unit_code is not None else None
    total, items = comments if comments is not None else (figures["comments_total"], [])
    return {
        "language": language,
        "scores": current,
        "period": {"from": query.period.start.isoformat(), "to": query.period.end.isoformat()},
        "previous_period": {"from": before_period.start.isoformat(), "to": before_period.end.isoformat()},
        "scope": {"unit": scope["unit"], "name": scope["name"]} if scope else None,
        "overall": {
            "previous": figures["previous_overall"],
            "change": overall["change"],
            "element_changes": {code: e["change"] for code, e in overall["elements"].items()},
            "weakest": _weakest(overall, labels),
            "expectations": _expectations(overall, labels),
        },
        "units": units,
        "comments": {"total": total, "items": items},
        "labels": labels,
        "methodology": {
            "questionnaire": q.id, "version": q.version, "content_hash": q.content_hash,
            "min_ranked": query.min_ranked, "confidence": 0.95, "satisfied_from": q.scale.satisfied_from,
            "scale": [{"value": level.value, "label": q.text(level.label, language)} for level in q.scale.levels],
            "criterion_interval": "wilson", "index_interval": "taylor-linearised",
            "change_test": "two-sided z test at 5%, standard errors from the interval half-widths",
            "alpha": "cronbach, respondents who rated every criterion of the element",
            "alpha_min_respondents": MIN_ALPHA_RESPONDENTS,
            "timezone": str(query.tz), "responses": overall["n"],
        },
    }

