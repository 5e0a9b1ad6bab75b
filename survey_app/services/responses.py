"""Storing responses."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Protocol

from sqlalchemy import Insert, Integer, SmallInteger, String, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, make_transient_to_detached

from survey_app.domain.integrity import answers_digest
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.submission import (
    CHANNELS,
    EXPECTATIONS,
    Submission,
    submission_problems,
)
from survey_app.models import Answer, Choice, Response
from survey_app.services.figures import cells


class UnitLike(Protocol):
    """A unit or what a survey page keeps of one (web/public/public_units.py): its id."""

    id: int


class InvalidSubmission(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def already_submitted(session: Session, submission_key: str) -> bool:
    return session.scalar(select(Response.id).where(Response.submission_key == submission_key)) is not None


def check_submission(questionnaire: Questionnaire, submission: Submission, locale: str, channel: str) -> list[str]:
    """Everything that keeps this submission from being stored (empty: it may be)."""
    problems = submission_problems(questionnaire, submission)
    if locale not in questionnaire.languages:
        problems.append(f"locale: {locale} is not a language of {questionnaire.id}")
    if channel not in CHANNELS:
        problems.append(f"channel: {channel} is not one of {', '.join(CHANNELS)}")
    return problems


def record_response(session: Session, *, unit: UnitLike, questionnaire: Questionnaire,
                    submission: Submission, locale: str, channel: str, submitted_at: datetime,
                    submission_key: str | None = None, kiosk_id: int | None = None,
                    received_at: datetime | None = None) -> Response:
    """Insert one response with its answers (not committed); raise InvalidSubmission and add
    nothing if it is invalid.

    A unique ``submission_key`` makes a resubmitted form fail at its insert (IntegrityError)
    instead of being counted twice; ``already_submitted`` tells the caller it was stored before.
    """
    response = _record(session, unit=unit, questionnaire=questionnaire, submission=submission, locale=locale,
                       channel=channel, submitted_at=submitted_at, submission_key=submission_key,
                       kiosk_id=kiosk_id, received_at=received_at, once=False)
    assert response is not None
    return response


def record_response_once(session: Session, *, unit: UnitLike, questionnaire: Questionnaire,
                         submission: Submission, locale: str, channel: str, submitted_at: datetime,
                         submission_key: str, kiosk_id: int | None = None,
                         received_at: datetime | None = None) -> Response | None:
    """``record_response``, or None (and nothing added) when ``submission_key`` is stored already.

    The unique key decides, without a look first (a form is almost always new), and without an
    error that would spoil the transaction: ON CONFLICT DO NOTHING, which on PostgreSQL waits for
    a twin request inserting the same key to commit (then it is a repeat) or roll back.
    """
    return _record(session, unit=unit, questionnaire=questionnaire, submission=submission, locale=locale,
                   channel=channel, submitted_at=submitted_at, submission_key=submission_key,
                   kiosk_id=kiosk_id, received_at=received_at, once=True)


def _record(session: Session, *, unit: UnitLike, questionnaire: Questionnaire, submission: Submission,
            locale: str, channel: str, submitted_at: datetime, submission_key: str | None,
            kiosk_id: int | None, received_at: datetime | None, once: bool) -> Response | None:
    problems = check_submission(questionnaire, submission, locale, channel)
    if problems:
        raise InvalidSubmission(problems)

    values = {
        "unit_id": unit.id,
        "questionnaire_id": questionnaire.id,
        "questionnaire_version": questionnaire.version,
        "questionnaire_hash": questionnaire.content_hash,
        "locale": locale,
        "channel": channel,
        "submitted_at": submitted_at,
        "comment": submission.comment,
        "submission_key": submission_key,
        "kiosk_id": kiosk_id,
        "received_at": received_at,
        "answers_digest": answers_digest(submission.ratings, submission.expectations, submission.profile,
                                         submission.comment),
    }
    # Inserted as a row and then put in the session as the object it is (no unit-of-work flush:
    # a third of storing a submission went there); its answers and choices load when read.
    table = Response.__table__
    statement = insert(table)
    if once:
        dialect_insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = dialect_insert(table).on_conflict_do_nothing(index_elements=["submission_key"])
    response_id = session.execute(statement.returning(table.c.id), values).scalar()
    if response_id is None:
        return None
    response = Response(id=response_id, **values)
    make_transient_to_detached(response)
    session.add(response)
    add_answers(session, response.id, submission)
    cells.add_submission(session, questionnaire, unit.id, channel, submitted_at, submission)
    return response


def add_answers(session: Session, response_id: int, submission: Submission) -> None:
    """Insert the answers and choices of the stored response ``response_id`` in one statement
    each, without an ORM object per answer. The response's ``answers`` and ``choices`` load
    from the database when read.

    On PostgreSQL the rows go as two arrays unnested by the server: psycopg runs an executemany
    as one statement per row (22 for a full SIPAS form), which took longer than the rest of the
    store. SQLite's executemany is a loop in C, as fast as anything else there.
    """
    ratings = list(submission.ratings.items())
    choices = [(EXPECTATIONS, code) for code in sorted(submission.expectations)] + list(submission.profile.items())
    if session.get_bind().dialect.name == "postgresql":
        answers_statement, choices_statement = _unnested_inserts()
        if ratings:
            codes, values = zip(*ratings)
            session.execute(answers_statement, {"response_id": response_id, "first": list(codes),
                                                "second": list(values)})
        if choices:
            questions, options = zip(*choices)
            session.execute(choices_statement, {"response_id": response_id, "first": list(questions),
                                                "second": list(options)})
        return
    if ratings:
        session.execute(insert(Answer.__table__), [
            {"response_id": response_id, "item_code": code, "value": value} for code, value in ratings])
    if choices:
        session.execute(insert(Choice.__table__), [
            {"response_id": response_id, "question_code": question, "option_code": option}
            for question, option in choices])


@lru_cache(maxsize=1)
def _unnested_inserts() -> tuple[Insert, Insert]:
    """INSERT ... SELECT :response_id, * FROM unnest(:first, :second), for answers and choices."""

    def unnested(table, first: str, second: str, second_type) -> Insert:
        rows = func.unnest(bindparam("first", type_=ARRAY(String)), bindparam("second", type_=ARRAY(second_type)))
        pairs = rows.table_valued(first, second).render_derived()
        return insert(table).from_select(
            ["response_id", first, second],
            select(bindparam("response_id", type_=Integer), pairs.c[first], pairs.c[second]))

    return (unnested(Answer.__table__, "item_code", "value", SmallInteger),
            unnested(Choice.__table__, "question_code", "option_code", String))


def submission_of(response: Response) -> Submission:
    """The submission a stored response holds (the inverse of ``record_response``)."""
    expectations = frozenset(c.option_code for c in response.choices if c.question_code == EXPECTATIONS)
    profile = {c.question_code: c.option_code for c in response.choices if c.question_code != EXPECTATIONS}
    return Submission(
        ratings={a.item_code: a.value for a in response.answers},
        expectations=expectations,
        profile=profile,
        comment=response.comment,
    )
