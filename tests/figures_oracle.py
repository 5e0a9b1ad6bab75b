"""An independent reference for services/figures: every counted response read one by one into
``domain.scoring.Respondent``s and scored by ``domain.scoring.score``, with none of the engine's
arrays, aggregates or SQL. Tests compare the engine with it on random data."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.domain.periods import Period
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.scoring import Respondent, Scores, competition_ranks, score
from survey_app.domain.submission import EXPECTATIONS
from survey_app.models import Answer, Choice, Response, ResponseFlag, Unit


def respondents(session: Session, q: Questionnaire, start: datetime, end: datetime,
                channels: tuple[str, ...] | None = None) -> dict[int, list[Respondent]]:
    """unit id -> its counted respondents of [start, end); traits: channel and profile answers."""
    left_out = {response_id for response_id, restored in session.execute(
        select(ResponseFlag.response_id, ResponseFlag.restored)) if not restored}
    kept = {}
    for response_id, unit_id, channel, at in session.execute(
            select(Response.id, Response.unit_id, Response.channel, Response.submitted_at)
            .where(Response.questionnaire_id == q.id)):
        if start <= at < end and response_id not in left_out and (channels is None or channel in channels):
            kept[response_id] = (unit_id, {"channel": channel})
    ratings: dict[int, dict[str, int]] = defaultdict(dict)
    for response_id, code, value in session.execute(select(Answer.response_id, Answer.item_code, Answer.value)):
        if response_id in kept:
            ratings[response_id][code] = value
    chosen: dict[int, set[str]] = defaultdict(set)
    for response_id, question, option in session.execute(
            select(Choice.response_id, Choice.question_code, Choice.option_code)):
        if response_id in kept:
            if question == EXPECTATIONS:
                chosen[response_id].add(option)
            else:
                kept[response_id][1][question] = option
    grouped: dict[int, list[Respondent]] = defaultdict(list)
    for response_id, (unit_id, traits) in sorted(kept.items()):
        grouped[unit_id].append(Respondent(ratings[response_id], frozenset(chosen[response_id]) or None, traits))
    return grouped


def subtrees(units: list[Unit]) -> dict[int, set[int]]:
    children = defaultdict(list)
    for unit in units:
        children[unit.parent_id].append(unit.id)
    found = {}

    def below(unit_id: int) -> set[int]:
        if unit_id not in found:
            found[unit_id] = {unit_id}.union(*(below(child) for child in children[unit_id]))
        return found[unit_id]

    for unit in units:
        below(unit.id)
    return found


def unit_scores(session: Session, q: Questionnaire, period: Period, tz,
                channels: tuple[str, ...] | None = None) -> dict[str, Scores]:
    """unit code -> the scores of the unit and every unit below it."""
    units = list(session.scalars(select(Unit)))
    grouped = respondents(session, q, *period.utc_bounds(tz), channels)
    plan = q.scoring_plan()
    return {unit.code: score(plan, [r for member in sorted(below) for r in grouped.get(member, [])])
            for unit, below in ((u, subtrees(units)[u.id]) for u in units)}


def ranks(session: Session, scores: dict[str, Scores], min_ranked: int) -> dict[str, int | None]:
    units = list(session.scalars(select(Unit)))
    by_id = {u.id: u for u in units}
    siblings = defaultdict(list)
    for unit in units:
        if unit.parent_id is not None:
            siblings[unit.parent_id].append(unit.code)
    found: dict[str, int | None] = {u.code: None for u in units}
    for group in siblings.values():
        values = [scores[c].index if scores[c].n >= min_ranked else None for c in group]
        found.update(zip(group, competition_ranks(values)))
    del by_id
    return found


def close(a, b, tolerance: float = 1e-9) -> bool:
    """Equal within ``tolerance``, element by element, for floats, pairs of them and None."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(close(x, y, tolerance) for x, y in zip(a, b))
    return math.isclose(a, b, rel_tol=0, abs_tol=tolerance)


def respondents_by_unit(session: Session, q: Questionnaire, period: Period, tz, *,
                        profile: bool = False) -> dict[int, list[Respondent]]:
    """Every counted response of the period, grouped by unit id (traits: the channel, and the
    profile answers when ``profile``)."""
    grouped = respondents(session, q, *period.utc_bounds(tz))
    if not profile:
        for members in grouped.values():
            for r in members:
                for key in [k for k in r.traits if k != "channel"]:
                    del r.traits[key]
    return dict(grouped)


def scores_as_dict(scores: Scores, before: Scores | None = None) -> dict:
    """The figures of one unit (or overall) as the scores JSON writes them."""
    from survey_app.domain.change import change_as_dict

    def interval(ci):
        return list(ci) if ci is not None else None

    def change(now, then):
        return change_as_dict(now.index, now.ci, then.index, then.ci) if before is not None else None

    return {
        "n": scores.n, "index": scores.index, "ci": interval(scores.ci), "change": change(scores, before),
        "elements": {code: {"index": e.index, "ci": interval(e.ci), "alpha": e.alpha,
                            "change": change(e, before.elements[code] if before else None)}
                     for code, e in scores.elements.items()},
        "criteria": {code: {"n": c.n, "satisfied": c.satisfied, "index": c.index, "ci": interval(c.ci)}
                     for code, c in scores.criteria.items()},
        "expectations": dict(scores.expectations),
    }


def breakdowns(q: Questionnaire, respondents_list: list[Respondent], questions: tuple[str, ...],
               min_responses: int) -> dict:
    """``{question: {answer: cell}}`` (domain.breakdown) for each of ``questions``."""
    from survey_app.domain.breakdown import breakdown
    from survey_app.services.scores import breakdown_answers
    plan = q.scoring_plan()
    return {question: breakdown(plan, respondents_list, question, breakdown_answers(q, question) or (), min_responses)
            for question in questions}


def same(found, expected, path: str = "") -> None:
    """Equal JSON documents: the same keys in the same order and the same values, floats within 1e-9."""
    if isinstance(expected, dict):
        assert isinstance(found, dict) and list(found) == list(expected), (path, list(found), list(expected))
        for key in expected:
            same(found[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, (list, tuple)):
        assert isinstance(found, (list, tuple)) and len(found) == len(expected), path
        for i, (a, b) in enumerate(zip(found, expected)):
            same(a, b, f"{path}[{i}]")
    elif isinstance(expected, float) and isinstance(found, float):
        assert close(found, expected), (path, found, expected)
    else:
        assert found == expected, (path, found, expected)
