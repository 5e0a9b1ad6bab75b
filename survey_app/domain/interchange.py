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
    """Read one row given as column -> cell; return the response, or None and every problem."""
    return RowReader(catalog, list(record), known_units).read(line, list(record.values()))


class _Prepared:
    """A questionnaire with what ``submission_problems`` asks of it for every row worked out
    once: its criteria and profile questions are derived afresh on each access, which a file
    of a million rows would pay for a million times. Anything else is the questionnaire's own."""

    def __init__(self, questionnaire: Questionnaire):
        self._questionnaire = questionnaire
        self.criteria = questionnaire.criteria
        self.criterion_codes = questionnaire.criterion_codes
        self._profile = {question.code: question for question in questionnaire.profile}

    def profile_question(self, code: str):
        return self._profile.get(code)

    def __getattr__(self, name: str):
        return getattr(self._questionnaire, name)


@dataclass(frozen=True)
class _Layout:
    """Where one questionnaire's answers are in the cells of a file's row."""

    questionnaire: Questionnaire
    prepared: _Prepared
    criteria: tuple[tuple[str, int], ...]      # criterion code, position
    profile: tuple[tuple[str, int], ...]       # profile question, position
    expectations: int | None
    comment: int | None
    foreign: tuple[tuple[str, int], ...]       # the file's columns that are not the questionnaire's


class RowReader:
    """Reads the rows of one file, given as lists of cells in the order of its ``header``.

    The positions of the columns and each questionnaire's layout are worked out once per file.
    """

    def __init__(self, catalog: Catalog, header: list[str], known_units: set[str] | dict[str, object]):
        self._catalog = catalog
        self._header = header
        self._position = {column: i for i, column in enumerate(header)}
        self._units = known_units
        self._layouts: dict[str, _Layout] = {}

    def _layout(self, questionnaire: Questionnaire) -> _Layout:
        layout = self._layouts.get(questionnaire.id)
        if layout is None:
            at = self._position
            own = set(columns([questionnaire]))
            layout = self._layouts[questionnaire.id] = _Layout(
                questionnaire=questionnaire, prepared=_Prepared(questionnaire),
                criteria=tuple((code, at[code]) for code in questionnaire.criterion_codes if code in at),
                profile=tuple((p.code, at[p.code]) for p in questionnaire.profile if p.code in at),
                expectations=at.get(EXPECTATIONS), comment=at.get("comment"),
                foreign=tuple((column, i) for i, column in enumerate(self._header) if column not in own),
            )
        return layout

    def _cell(self, cells: list[str], column: str) -> str:
        position = self._position.get(column)
        return "" if position is None else cells[position]

    def read(self, line: int, cells: list[str]) -> tuple[ResponseRecord | None, list[str]]:
        """Read one row; return the response, or None and every problem of the row."""
        problems: list[str] = []
        where = f"line {line}"

        def problem(message: str) -> None:
            problems.append(f"{where}: {message}")

        raw_time = self._cell(cells, "submitted_at")
        try:
            submitted_at = _parse_time(raw_time)
        except ValueError:
            problem(f"submitted_at '{raw_time}' is not an ISO 8601 time with offset, "
                    "such as 2026-03-01T09:30:00+07:00")
            submitted_at = None
        unit = self._cell(cells, "unit").strip()
        if unit not in self._units:
            problem(f"unknown unit '{unit}'")
        channel = self._cell(cells, "channel").strip()
        if channel not in CHANNELS:
            problem(f"channel '{channel}' is not one of {', '.join(CHANNELS)}")
        questionnaire = self._catalog.get(self._cell(cells, "questionnaire").strip())
        if questionnaire is None:
            problem(f"unknown questionnaire '{self._cell(cells, 'questionnaire')}'")
            return None, problems
        locale = self._cell(cells, "locale").strip()
        if locale not in questionnaire.languages:
            problem(f"locale '{locale}' is not a language of {questionnaire.id}")

        layout = self._layout(questionnaire)
        for column, i in layout.foreign:
            if cells[i].strip():
                problem(f"column {column} is not part of questionnaire {questionnaire.id}")

        ratings: dict[str, int] = {}
        for code, i in layout.criteria:
            value = cells[i].strip()
            if not value:
                continue
            try:
                ratings[code] = int(value)
            except ValueError:
                problem(f"{code}: '{value}' is not a whole number")
        raw_expectations = "" if layout.expectations is None else cells[layout.expectations]
        expectations = frozenset(
            code.strip() for code in raw_expectations.split(SEPARATOR) if code.strip()
        ) if raw_expectations else frozenset()
        profile = {code: cells[i].strip() for code, i in layout.profile if cells[i].strip()}
        # A spreadsheet may save a comment's line breaks as CRLF; stored as a browser's would be.
        raw_comment = "" if layout.comment is None else cells[layout.comment]
        comment = normalise_newlines(_restore(raw_comment)).strip() or None if raw_comment else None
        submission = Submission(ratings, expectations, profile, comment)
        problems += [f"{where}: {message}"
                     for message in submission_problems(layout.prepared, submission)]  # type: ignore[arg-type]
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
