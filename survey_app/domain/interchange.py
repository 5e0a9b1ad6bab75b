"""The wide CSV interchange format (see README, "Responses CSV").

One row per response: ``submitted_at, unit, questionnaire, channel, locale``, one column per
criterion (a level, empty when blank, 0 for "no opinion"), ``expectations`` (codes joined by
``;``), one column per profile question, ``comment``. A file may hold responses to several
questionnaires: its columns are then the union of theirs. Reading a file's rows back:
``domain/interchange_reading.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from survey_app.domain.csv_files import neutralise
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.submission import EXPECTATIONS, Submission

LEADING_COLUMNS = ("submitted_at", "unit", "questionnaire", "channel", "locale")
SEPARATOR = ";"


@dataclass(frozen=True)
class ResponseRecord:
    """A response as the interchange format carries it."""

    submitted_at: datetime           # aware, UTC
    unit: str
    questionnaire: Questionnaire
    channel: str
    locale: str
    submission: Submission


# A response as a bulk writer takes it, without a Submission: (submitted_at (aware, UTC), unit
# code, questionnaire, channel, locale, ratings as (criterion, level written in digits) pairs,
# choices as (question, option) pairs, the expectations' under EXPECTATIONS, comment or None).
# A plain tuple: a million of them are made, and read by position.
FlatRecord = tuple[datetime, str, Questionnaire, str, str, list[tuple[str, str]], list[tuple[str, str]], str | None]


def flat_record(record: ResponseRecord) -> FlatRecord:
    submission = record.submission
    choices = [(EXPECTATIONS, code) for code in sorted(submission.expectations)]
    choices += submission.profile.items()
    return (record.submitted_at, record.unit, record.questionnaire, record.channel, record.locale,
            [(code, str(value)) for code, value in submission.ratings.items()], choices, submission.comment)


def columns(questionnaires: list[Questionnaire]) -> list[str]:
    criteria: list[str] = []
    profile: list[str] = []
    for q in questionnaires:
        criteria += [code for code in q.criterion_codes if code not in criteria]
        profile += [p.code for p in q.profile if p.code not in profile]
    return [*LEADING_COLUMNS, *criteria, EXPECTATIONS, *profile, "comment"]


def format_record(record: ResponseRecord, header: list[str], tz: ZoneInfo) -> list[str]:
    submission = record.submission
    cells = {
        "submitted_at": record.submitted_at.astimezone(tz).isoformat(),
        "unit": record.unit,
        "questionnaire": record.questionnaire.id,
        "channel": record.channel,
        "locale": record.locale,
        EXPECTATIONS: SEPARATOR.join(sorted(submission.expectations)),
        "comment": neutralise(submission.comment or ""),
    }
    cells.update({code: str(value) for code, value in submission.ratings.items()})
    cells.update(submission.profile)
    return [cells.get(column, "") for column in header]
