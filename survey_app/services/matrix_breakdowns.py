"""Breakdowns (by channel, by a profile question) of a unit's subtree, from the arrays of a
period (services/rating_matrix.py) instead of one Respondent per response.

The channel of each row comes with the matrix; profile answers are read once per matrix, one
short row of integers per response that answered any, once per call for every unit asked.
The cells hold what ``services.scores.breakdowns`` gives for the same counted responses
(domain.breakdown.breakdown_rows).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from survey_app.domain.breakdown import CHANNEL, breakdown_rows
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.submission import CHANNELS
from survey_app.models import Choice, Response
from survey_app.services.rating_matrix import FETCH_ROWS, PeriodMatrix

OTHER = 30000  # an option code the questionnaire does not list (an older version's): read again as text


def subtree_breakdowns(session: Session, questionnaire: Questionnaire, matrix: PeriodMatrix,
                       unit_ids: list[int | None], questions: tuple[str, ...], min_responses: int
                       ) -> dict[int | None, dict[str, dict[str, dict[str, Any]]]]:
    """unit id -> ``{question: {answer: cell}}`` for the counted responses of the unit and every
    unit below it (of every row for None). Each question's answers are read once for them all."""
    plan = questionnaire.scoring_plan()
    memo: dict[Any, Any] = {}
    answers = {question: answers_of(session, questionnaire, matrix, question, memo) for question in questions}
    found = {}
    for unit_id in unit_ids:
        rows = matrix.subtree_rows(unit_id) if unit_id is not None else slice(None)
        found[unit_id] = {question: breakdown_rows(plan, matrix.blocks.values[rows], answer[rows], codes, listed,
                                                   min_responses)
                          for question, (answer, codes, listed) in answers.items()}
    return found


def answers_of(session: Session, questionnaire: Questionnaire, matrix: PeriodMatrix,
               question: str, memo: dict) -> tuple[np.ndarray, list[str], int]:
    """(each row's answer as an index into codes, -1 for none; codes; how many of them the
    question lists) for the channel or a profile question; ``memo`` keeps what one read found."""
    key = ("answers", question)
    if key not in memo:
        if question == CHANNEL:
            memo[key] = _channels(session, matrix, memo)
        else:
            # Every profile question in one pass over the period's choices: a page shows them all.
            asked = [question, *(p.code for p in questionnaire.profile if p.code != question)]
            for code, found in zip(asked, _profile(session, questionnaire, matrix, asked, memo)):
                memo.setdefault(("answers", code), found)
    return memo[key]


def _rows_of(matrix: PeriodMatrix, response_ids: np.ndarray, memo: dict) -> np.ndarray:
    """The rows of the matrix holding these responses (every one of them is there)."""
    if "id order" not in memo:
        memo["id order"] = np.argsort(matrix.ids, kind="stable")
    order = memo["id order"]
    return order[np.searchsorted(matrix.ids, response_ids, sorter=order)]


def _with_others(matrix: PeriodMatrix, answer: np.ndarray, codes: list[str], pairs, memo: dict) -> None:
    """Give the rows of (response id, code) pairs their codes, each new code appended to ``codes``."""
    pairs = list(pairs)
    if not pairs:
        return
    ids = np.array([response_id for response_id, _ in pairs], dtype=np.int64)
    index = {code: i for i, code in enumerate(codes)}
    for code in (code for _, code in pairs):
        if code not in index:
            index[code] = len(codes)
            codes.append(code)
    answer[_rows_of(matrix, ids, memo)] = [index[code] for _, code in pairs]


def _channels(session: Session, matrix: PeriodMatrix, memo: dict) -> tuple[np.ndarray, list[str], int]:
    answer, codes = matrix.channels.astype(np.int64), [str(c) for c in CHANNELS]
    others = matrix.ids[answer < 0]
    if len(others):  # a channel the app does not know (stored by hand): its own cell, as before
        _with_others(matrix, answer, codes, (
            (response_id, channel) for chunk in range(0, len(others), FETCH_ROWS)
            for response_id, channel in session.execute(
                select(Response.id, Response.channel).where(
                    Response.id.in_(others[chunk:chunk + FETCH_ROWS].tolist())).order_by(Response.id))), memo)
    return answer, codes, len(CHANNELS)


def _profile(session: Session, questionnaire: Questionnaire, matrix: PeriodMatrix,
             questions: list[str], memo: dict) -> list[tuple[np.ndarray, list[str], int]]:
    listed = {}
    columns = []
    for question in questions:
        found = questionnaire.profile_question(question)
        listed[question] = [o.code for o in found.options] if found else []
        option = case({code: i for i, code in enumerate(listed[question])}, value=Choice.option_code,
                      else_=OTHER) if listed[question] else literal(OTHER)
        # One answer per question and response is what a submission stores; should a response
        # hold two, the first the questionnaire lists stands.
        columns.append(func.coalesce(func.min(option).filter(Choice.question_code == question), -1))
    query = (select(Choice.response_id, *columns).join(Response, Response.id == Choice.response_id)
             .where(Choice.question_code.in_(questions), *matrix.where).group_by(Choice.response_id))
    width = 1 + len(questions)
    chunks = [np.array(list(map(tuple, rows)), dtype=np.int64).reshape(len(rows), width)
              for rows in session.connection().execute(query).partitions(FETCH_ROWS)]
    table = np.concatenate([np.zeros((0, width), dtype=np.int64), *chunks])
    rows = _rows_of(matrix, table[:, 0], memo)
    found = []
    for i, question in enumerate(questions):
        answer = np.full(len(matrix.ids), -1, dtype=np.int64)
        answer[rows] = table[:, 1 + i]
        codes = list(listed[question])
        if (table[:, 1 + i] == OTHER).any():
            _others(session, matrix, answer, codes, question, memo)
        found.append((answer, codes, len(listed[question])))
    return found


def _others(session: Session, matrix: PeriodMatrix, answer: np.ndarray, codes: list[str], question: str,
            memo: dict) -> None:
    """Options of ``question`` the questionnaire does not list, read as text (rare: responses to
    an older version)."""
    known = set(codes)
    pairs = session.execute(
        select(Choice.response_id, Choice.option_code).join(Response, Response.id == Choice.response_id)
        .where(Choice.question_code == question, *matrix.where,
               Choice.option_code.not_in(known) if known else literal(True))
        .order_by(Choice.response_id, Choice.option_code)).all()
    rows = _rows_of(matrix, np.array([response_id for response_id, _ in pairs], dtype=np.int64), memo)
    _with_others(matrix, answer, codes, [pair for pair, row in zip(pairs, rows) if answer[row] == OTHER], memo)
