"""Reading the rows of a wide CSV file (``domain/interchange.py``) back into responses.

``RowReader.read`` checks a row in full and names each of its problems; ``RowReader.quick``
accepts a row written exactly as an export writes it with a lookup per cell, and leaves any
other row to ``read``, so that both accept the same rows and give the same values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from operator import itemgetter
from typing import Any

from survey_app.domain.catalog import Catalog
from survey_app.domain.csv_files import restore_neutralised
from survey_app.domain.interchange import SEPARATOR, FlatRecord, ResponseRecord, columns
from survey_app.domain.questionnaire import NO_OPINION, Questionnaire
from survey_app.domain.submission import CHANNELS, EXPECTATIONS, Submission, submission_problems
from survey_app.domain.text import normalise_newlines, text_problem


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

    def profile_question(self, code: str) -> Any:
        return self._profile.get(code)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._questionnaire, name)


@dataclass(frozen=True)
class RowLayout:
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
        self._layouts: dict[str, RowLayout] = {}
        self._quick: dict[str, Callable[[list[str]], FlatRecord | None]] = {}

    def _layout(self, questionnaire: Questionnaire) -> RowLayout:
        layout = self._layouts.get(questionnaire.id)
        if layout is None:
            at = self._position
            own = set(columns([questionnaire]))
            layout = self._layouts[questionnaire.id] = RowLayout(
                questionnaire=questionnaire, prepared=_Prepared(questionnaire),
                criteria=tuple((code, at[code]) for code in questionnaire.criterion_codes if code in at),
                profile=tuple((p.code, at[p.code]) for p in questionnaire.profile if p.code in at),
                expectations=at.get(EXPECTATIONS), comment=at.get("comment"),
                foreign=tuple((column, i) for i, column in enumerate(self._header) if column not in own),
            )
        return layout

    def quick(self, cells: list[str]) -> FlatRecord | None:
        """The row as a FlatRecord when it is plainly good, else None, and ``read`` decides.

        "Plainly good" is every cell exactly as an export writes it (no stray spaces, no leading
        zeros, no repeated option): then each check is one lookup of the cell itself in a set
        worked out once per file, which is what lets a million rows be read in seconds. Any row it
        does not accept goes to ``read``, which accepts or refuses it and names each problem, so
        both ways accept the same rows and store the same values.
        """
        check = self._quick.get(cells[self._position["questionnaire"]])
        if check is None:
            questionnaire = self._catalog.get(cells[self._position["questionnaire"]])
            if questionnaire is None or "submitted_at" not in self._position:
                return None
            check = self._quick[questionnaire.id] = self._quick_check(questionnaire)
        return check(cells)

    def _quick_check(self, questionnaire: Questionnaire) -> Callable[[list[str]], FlatRecord | None]:
        q = questionnaire
        layout = self._layout(q)
        at = self._position
        time_at, unit_at, channel_at, locale_at = (at["submitted_at"], at["unit"], at["channel"], at["locale"])
        units, channels, languages = self._units, frozenset(CHANNELS), frozenset(q.languages)
        foreign = [i for _, i in layout.foreign]
        codes = [code for code, _ in layout.criteria]
        # Every cell a rating may hold as written by an export: a level, "0" for no opinion, blank.
        levels = {str(value) for value in q.scale.values} | ({str(NO_OPINION)} if q.scale.no_opinion else set())
        rating_cells = frozenset(levels | {""})
        required = [j for j, (code, _) in enumerate(layout.criteria)
                    if next(c for c in q.criteria if c.code == code).required]
        if any(c.required and c.code not in codes for c in q.criteria):
            return lambda cells: None  # a required criterion without a column: read() says so
        positions = [i for _, i in layout.criteria]
        ratings_of = (itemgetter(*positions) if len(positions) > 1
                      else (lambda cells: (cells[positions[0]],)) if positions else (lambda cells: ()))
        expectations_at = layout.expectations
        options = frozenset(o.code for o in q.expectations.options) if q.expectations else frozenset()
        max_choices = q.expectations.max_choices if q.expectations else 0
        profile = [(code, i, frozenset({"", *(o.code for o in q.profile_question(code).options)}))
                   for code, i in layout.profile]
        comment_at = layout.comment
        max_length = q.comment.max_length if q.comment is not None else -1
        fromisoformat, utc = datetime.fromisoformat, timezone.utc

        def check(cells: list[str]) -> FlatRecord | None:
            unit, channel, locale = cells[unit_at], cells[channel_at], cells[locale_at]
            if unit not in units or channel not in channels or locale not in languages:
                return None
            for i in foreign:
                if cells[i]:
                    return None
            values = ratings_of(cells)
            if not rating_cells.issuperset(values):
                return None
            for j in required:
                if not values[j]:
                    return None
            ratings = [pair for pair in zip(codes, values) if pair[1]]
            choices = []
            if expectations_at is not None and (raw := cells[expectations_at]):
                chosen = raw.split(SEPARATOR)
                if (len(chosen) > max_choices or not options.issuperset(chosen)
                        or len(set(chosen)) != len(chosen)):
                    return None
                choices = [(EXPECTATIONS, code) for code in chosen]
            for code, i, allowed in profile:
                option = cells[i]
                if option not in allowed:
                    return None
                if option:
                    choices.append((code, option))
            comment = None
            if comment_at is not None and (raw := cells[comment_at]):
                comment = normalise_newlines(restore_neutralised(raw)).strip() or None
                if comment is not None and (len(comment) > max_length
                                            or text_problem(comment, multiline=True) is not None):
                    return None
            if not (ratings or choices or comment):
                return None
            try:
                moment = fromisoformat(cells[time_at])
            except ValueError:
                return None
            if moment.tzinfo is None:
                return None
            return moment.astimezone(utc), unit, q, channel, locale, ratings, choices, comment

        return check

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
        comment = normalise_newlines(restore_neutralised(raw_comment)).strip() or None if raw_comment else None
        submission = Submission(ratings, expectations, profile, comment)
        problems += [f"{where}: {message}"
                     for message in submission_problems(layout.prepared, submission)]  # type: ignore[arg-type]
        if problems or submitted_at is None:
            return None, problems
        return ResponseRecord(submitted_at, unit, questionnaire, channel, locale, submission), []
