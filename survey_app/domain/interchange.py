"""The wide CSV interchange format (see README, "Responses CSV").

One row per response: ``submitted_at, unit, questionnaire, channel, locale``, one column per
criterion (a level, empty when blank, 0 for "no opinion"), ``expectations`` (codes joined by
``;``), one column per profile question, ``comment``. A file may hold responses to several
questionnaires: its columns are then the union of theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from survey_app.domain.catalog import Catalog
from survey_app.domain.csv_files import FORMULA_TRIGGERS, neutralise
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.text import normalise_newlines
from survey_app.domain.submission import (
    CHANNELS,
    EXPECTATIONS,
    Submission,
    submission_problems,
)

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


def columns(questionnaires: list[Questionnaire]) -> list[str]:
    criteria: list[str] = []
    profile: list[str] = []
    for q in questionnaires:
        criteria += [code for code in q.criterion_codes if code not in criteria]
        profile += [p.code for p in q.profile if p.code not in profile]
    return [*LEADING_COLUMNS, *criteria, EXPECTATIONS, *profile, "comment"]


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        raise ValueError("no UTC offset")
    return moment.astimezone(timezone.utc)


def parse_record(catalog: Catalog, line: int, record: dict[str, str],
                 known_units: set[str]) -> tuple[ResponseRecord | None, list[str]]:
    """Read one row; return the response, or None and every problem of the row."""
    problems: list[str] = []
    where = f"line {line}"

    def problem(message: str) -> None:
        problems.append(f"{where}: {message}")

    raw_time = record.get("submitted_at", "")
    try:
        submitted_at = _parse_time(raw_time)
    except ValueError:
        problem(f"submitted_at '{raw_time}' is not an ISO 8601 time with offset, "
                "such as 2026-03-01T09:30:00+07:00")
        submitted_at = None
    unit = record.get("unit", "").strip()
    if unit not in known_units:
        problem(f"unknown unit '{unit}'")
    channel = record.get("channel", "").strip()
    if channel not in CHANNELS:
        problem(f"channel '{channel}' is not one of {', '.join(CHANNELS)}")
    questionnaire = catalog.get(record.get("questionnaire", "").strip())
    if questionnaire is None:
        problem(f"unknown questionnaire '{record.get('questionnaire', '')}'")
        return None, problems
    locale = record.get("locale", "").strip()
    if locale not in questionnaire.languages:
        problem(f"locale '{locale}' is not a language of {questionnaire.id}")

    own_columns = set(columns([questionnaire]))
    for column, value in record.items():
        if value.strip() and column not in own_columns:
            problem(f"column {column} is not part of questionnaire {questionnaire.id}")

    ratings: dict[str, int] = {}
    for code in questionnaire.criterion_codes:
        value = record.get(code, "").strip()
        if not value:
            continue
        try:
            ratings[code] = int(value)
        except ValueError:
            problem(f"{code}: '{value}' is not a whole number")
    expectations = frozenset(
        code.strip() for code in record.get(EXPECTATIONS, "").split(SEPARATOR) if code.strip()
    )
    profile = {p.code: record[p.code].strip() for p in questionnaire.profile
               if record.get(p.code, "").strip()}
    # A spreadsheet may save a comment's line breaks as CRLF; stored as a browser's would be.
    comment = normalise_newlines(_restore(record.get("comment", ""))).strip() or None
    submission = Submission(ratings, expectations, profile, comment)
    problems += [f"{where}: {message}" for message in submission_problems(questionnaire, submission)]
    if problems or submitted_at is None:
        return None, problems
    return ResponseRecord(submitted_at, unit, questionnaire, channel, locale, submission), []


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


def _restore(cell: str) -> str:
    """Undo ``neutralise`` so that export then import gives back the citizen's own words."""
    if cell.startswith("'") and cell[1:].lstrip("'").startswith(FORMULA_TRIGGERS):
        return cell[1:]
    return cell
