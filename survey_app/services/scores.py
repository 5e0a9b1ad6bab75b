"""Indices of a period, per unit (with everything below it) and overall, with ranks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.domain.breakdown import CHANNEL, breakdown
from survey_app.domain.change import change_as_dict
from survey_app.domain.periods import Period
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.scoring import (
    ElementScore,
    Respondent,
    Scores,
    competition_ranks,
    score_blocks,
)
from survey_app.domain.submission import CHANNELS, EXPECTATIONS
from survey_app.models import Answer, Choice, Response, Unit
from survey_app.services.figures.types import FiguresQuery, UnknownUnit
from survey_app.services.integrity import counted, flagged_per_unit
from survey_app.services.invitations import issued_per_unit
from survey_app.services.matrix_breakdowns import subtree_breakdowns
from survey_app.services.rating_matrix import period_matrix, tree_order
from survey_app.services.units import descendant_ids
from survey_app.services.weighted_scores import weighted_entry, weighted_figures


# What is asked (services/figures/types.py): one questionnaire, period and scope.
ScoreQuery = FiguresQuery




def respondents_by_unit(session: Session, questionnaire: Questionnaire, period: Period,
                        tz: ZoneInfo, *, profile: bool = False) -> dict[int, list[Respondent]]:
    """Every counted response of the period, reduced to what scoring needs, grouped by unit id;
    the traits hold the channel, and the profile answers when ``profile`` (for breakdowns).
    One Python object per response: the figures are computed on arrays instead
    (services/rating_matrix.py, services/matrix_breakdowns.py); this is their reference."""
    start, end = period.utc_bounds(tz)
    in_period = (
        select(Response.id)
        .where(Response.questionnaire_id == questionnaire.id,
               Response.submitted_at >= start, Response.submitted_at < end,
               counted())  # responses flagged as made up count only once restored
    )
    units = {response_id: (unit_id, {CHANNEL: channel}) for response_id, unit_id, channel
             in session.execute(in_period.add_columns(Response.unit_id, Response.channel))}
    ratings: dict[int, dict[str, int]] = defaultdict(dict)
    for response_id, code, value in session.execute(
        select(Answer.response_id, Answer.item_code, Answer.value)
        .where(Answer.response_id.in_(in_period))
    ):
        ratings[response_id][code] = value
    expectations: dict[int, set[str]] = defaultdict(set)
    for response_id, option in session.execute(
        select(Choice.response_id, Choice.option_code)
        .where(Choice.question_code == EXPECTATIONS, Choice.response_id.in_(in_period))
    ):
        expectations[response_id].add(option)
    if profile:
        for response_id, code, option in session.execute(
            select(Choice.response_id, Choice.question_code, Choice.option_code)
            .where(Choice.question_code != EXPECTATIONS, Choice.response_id.in_(in_period))
        ):
            units[response_id][1][code] = option

    grouped: dict[int, list[Respondent]] = defaultdict(list)
    for response_id, (unit_id, traits) in units.items():
        chosen = expectations.get(response_id)
        grouped[unit_id].append(
            Respondent(ratings[response_id], frozenset(chosen) if chosen else None, traits)
        )
    return grouped


def _ranks(units: list[Unit], scores: dict[int, Scores], min_ranked: int) -> dict[int, int | None]:
    """Rank among siblings; roots and units with fewer than ``min_ranked`` respondents who rated
    at least one criterion (Scores.n: blank forms never count) are unranked."""
    siblings: dict[int, list[Unit]] = defaultdict(list)
    for unit in units:
        if unit.parent_id is not None:
            siblings[unit.parent_id].append(unit)
    ranks: dict[int, int | None] = {unit.id: None for unit in units}
    for group in siblings.values():
        values = [scores[u.id].index if scores[u.id].n >= min_ranked else None for u in group]
        for unit, rank in zip(group, competition_ranks(values)):
            ranks[unit.id] = rank
    return ranks


def _invitations(session: Session, units: list[Unit], subtree: dict[int, set[int]], period: Period,
                 tz: ZoneInfo) -> dict[int, tuple[int, int]]:
    """unit id -> (invitations issued in the period by the unit and every unit below it,
    of which answered so far)."""
    own = issued_per_unit(session, *period.utc_bounds(tz))
    totals = {}
    for unit in units:
        counts = [own.get(member, (0, 0)) for member in subtree[unit.id]]
        totals[unit.id] = (sum(issued for issued, _ in counts), sum(answered for _, answered in counts))
    return totals


def _interval(ci: tuple[float, float] | None) -> list[float] | None:
    return list(ci) if ci is not None else None


def scores_as_dict(scores: Scores, before: Scores | None = None) -> dict[str, Any]:
    """The figures of one unit (or overall); with ``before``, the previous period's figures of
    the same respondents' scope, each index's change against it (domain.change)."""
    def change(now, then) -> dict | None:
        return change_as_dict(now.index, now.ci, then.index, then.ci) if before is not None else None

    return {
        "n": scores.n,
        "index": scores.index,
        "ci": _interval(scores.ci),
        "change": change(scores, before),
        "elements": {code: {"index": e.index, "ci": _interval(e.ci), "alpha": e.alpha,
                            "change": change(e, before.elements[code] if before else None)}
                     for code, e in scores.elements.items()},
        "criteria": {code: {"n": c.n, "satisfied": c.satisfied, "index": c.index, "ci": _interval(c.ci)}
                     for code, c in scores.criteria.items()},
        "expectations": dict(scores.expectations),
    }


def breakdown_answers(questionnaire: Questionnaire, question: str) -> tuple[str, ...] | None:
    """The answers a breakdown by ``question`` has cells for; None for no such question."""
    if question == CHANNEL:
        return tuple(CHANNELS)
    found = questionnaire.profile_question(question)
    return tuple(o.code for o in found.options) if found else None


def breakdowns(questionnaire: Questionnaire, respondents: list[Respondent], questions: tuple[str, ...],
               min_responses: int) -> dict[str, dict[str, dict[str, Any]]]:
    """``{question: {answer: cell}}`` (domain.breakdown) for each of ``questions``."""
    plan = questionnaire.scoring_plan()
    return {question: breakdown(plan, respondents, question, breakdown_answers(questionnaire, question) or (),
                                min_responses)
            for question in questions}


@dataclass(frozen=True)
class PeriodFigures:
    document: dict[str, Any]      # period_scores
    previous: dict[str, Scores]   # unit code -> the previous period's scores of its subtree (shown units)
    previous_overall: Scores      # the previous period's of what "overall" covers


def _kept_scores(entry: dict[str, Any]) -> Scores:
    """The figures of a unit (or overall) of a scores document, as much of Scores as a change
    and a rank read: n, the index, the elements' indices and intervals."""
    def interval(ci):
        return tuple(ci) if ci is not None else None

    return Scores(n=entry["n"], index=entry["index"], ci=interval(entry["ci"]),
                  elements={code: ElementScore(index=e["index"], ci=interval(e["ci"]), alpha=e["alpha"])
                            for code, e in entry["elements"].items()},
                  criteria={}, expectations={})


def period_scores(session: Session, query: ScoreQuery) -> dict[str, Any]:
    """The document of the ``scores`` contract (README, "Scores JSON")."""
    return period_figures(session, query).document


def period_figures(session: Session, query: ScoreQuery, previous_document: dict[str, Any] | None = None) -> PeriodFigures:
    """``period_scores`` with the previous period's scores its changes compare with, from the
    same counted responses (services.report_data shows them).

    ``previous_document``: the previous period's ``period_scores`` for the same query, when it is
    known and still right (kept figures, services/officer_figures.py): its units' n, indices,
    intervals and ranks are the very numbers a read of that period gives, so it is not read again."""
    q = query.questionnaire
    all_units = list(session.scalars(select(Unit)))
    subtree = descendant_ids(all_units)
    if query.unit_code is not None:
        root = next((u for u in all_units if u.code == query.unit_code), None)
        if root is None:
            raise UnknownUnit(query.unit_code)
        shown = [u for u in all_units if u.id in subtree[root.id]]
    else:
        shown = all_units

    # Every figure but the breakdowns is scored on arrays read once per period (services/rating_matrix.py).
    plan = q.scoring_plan()
    periods = (query.period,) if previous_document is not None else (query.period, query.period.previous())
    matrices = [period_matrix(session, q, period, query.tz, all_units) for period in periods]
    current = {unit.id: matrices[0].subtree(plan, unit.id) for unit in all_units}
    ranks = _ranks(all_units, current, query.min_ranked)
    if previous_document is None:
        previous = {unit.id: matrices[1].subtree(plan, unit.id) for unit in all_units}
        previous_ranks = _ranks(all_units, previous, query.min_ranked)
        previous_all = score_blocks(plan, matrices[1].blocks)
    else:
        kept = {entry["unit"]: entry for entry in previous_document["units"]}
        previous = {unit.id: _kept_scores(kept[unit.code]) for unit in shown}
        previous_ranks = {unit.id: kept[unit.code]["rank"] for unit in shown}
        previous_all = _kept_scores(previous_document["overall"])
    invitations = _invitations(session, shown, subtree, query.period, query.tz)
    # Post-stratified by unit and channel (docs/indices.md, "Weighted index").
    weighted, weighted_overall = weighted_figures(session, q, query.period, query.tz, shown, subtree, rows=matrices[0])
    flagged = flagged_per_unit(session, q.id, *query.period.utc_bounds(query.tz))
    shown_ids = {u.id for u in shown}
    if query.unit_code is not None:  # the shown units are the root's subtree
        overall, overall_before = current[root.id], previous[root.id]
    else:
        overall, overall_before = score_blocks(plan, matrices[0].blocks), previous_all

    def by(unit_id: int | None) -> dict[str, Any]:
        """Breakdowns of the unit's subtree (None: every unit), on the same arrays."""
        if not query.by:
            return {}
        return {"by": subtree_breakdowns(session, q, matrices[0], unit_id, query.by, query.min_breakdown)}

    by_id = {u.id: u for u in all_units}
    units = []
    for unit in tree_order(shown):
        rank, previous_rank = ranks[unit.id], previous_ranks[unit.id]
        issued, answered = invitations[unit.id]
        units.append({
            "unit": unit.code,
            "name": unit.name,
            "parent": by_id[unit.parent_id].code if unit.parent_id else None,
            **scores_as_dict(current[unit.id], previous[unit.id]),
            **by(unit.id),
            "rank": rank,
            "previous_rank": previous_rank,
            "rank_change": previous_rank - rank if rank is not None and previous_rank is not None else None,
            "invitations": issued,
            "response_rate": answered / issued if issued else None,
            **weighted_entry(weighted[unit.id]),
            "flagged": sum(flagged.get(member, 0) for member in subtree[unit.id]),
        })
    document = {
        "questionnaire": q.id,
        "from": query.period.start.isoformat(),
        "to": query.period.end.isoformat(),
        "overall": {**scores_as_dict(overall, overall_before), **by(root.id if query.unit_code else None),
                    "flagged": sum(flagged.get(unit_id, 0) for unit_id in shown_ids),
                    **weighted_entry(weighted_overall)},
        "units": units,
    }
    return PeriodFigures(document, {unit.code: previous[unit.id] for unit in shown}, overall_before)
