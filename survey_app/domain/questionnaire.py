"""The questionnaire model and the loader that turns a YAML file into it.

A questionnaire is data, not code: reform offices add or adapt one by dropping a file into
``questionnaires/``. The loader is therefore strict and explains every problem as
``file:line: what is wrong`` so that a non-programmer can fix the file. The format is
documented in ``questionnaires/README.md``. Reading the YAML with line numbers and the checks
a schema cannot express live in ``questionnaire_file.py``.
"""

from __future__ import annotations

from dataclasses import field
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import ConfigDict, Field, ValidationError
from pydantic.dataclasses import dataclass

from survey_app.domain.questionnaire_file import (
    RESERVED_CODES,
    content_hash,
    read_yaml,
    semantic_problems,
)
from survey_app.domain.scoring import ScoringPlan

# The public names, RESERVED_CODES and content_hash included (they are defined in questionnaire_file).
__all__ = [
    "CODE_PATTERN", "NO_OPINION", "RESERVED_CODES", "CommentBox", "Criterion", "Element",
    "Expectations", "Option", "ProfileQuestion", "Questionnaire", "QuestionnaireError", "Scale",
    "ScaleLevel", "Text", "content_hash", "load_questionnaire", "parse_questionnaire",
]

# Every translatable string in a file is a mapping language -> text.
Text = dict[str, str]

CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{0,31}$"
NO_OPINION = 0

Code = Annotated[str, Field(pattern=CODE_PATTERN)]

_STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


@dataclass(config=_STRICT)
class ScaleLevel:
    value: int
    label: Text


@dataclass(config=_STRICT)
class Scale:
    levels: Annotated[tuple[ScaleLevel, ...], Field(min_length=2)]
    satisfied_from: int = 4
    # The label of the "no opinion / not applicable" answer (stored as 0); None = not offered.
    no_opinion: Text | None = None

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(level.value for level in self.levels)


@dataclass(config=_STRICT)
class Criterion:
    code: Code
    text: Text
    required: bool = False


@dataclass(config=_STRICT)
class Element:
    code: Code
    title: Text
    criteria: Annotated[tuple[Criterion, ...], Field(min_length=1)]


@dataclass(config=_STRICT)
class Option:
    code: Code
    label: Text


@dataclass(config=_STRICT)
class Expectations:
    question: Text
    options: Annotated[tuple[Option, ...], Field(min_length=1)]
    max_choices: int = Field(default=3, ge=1)


@dataclass(config=_STRICT)
class ProfileQuestion:
    code: Code
    question: Text
    options: Annotated[tuple[Option, ...], Field(min_length=1)]


@dataclass(config=_STRICT)
class CommentBox:
    label: Text
    max_length: int = Field(default=2000, ge=1, le=10000)


@dataclass(config=_STRICT)
class Questionnaire:
    id: Code
    version: Annotated[int, Field(ge=1)]
    languages: Annotated[tuple[str, ...], Field(min_length=1)]
    title: Text
    scale: Scale
    elements: Annotated[tuple[Element, ...], Field(min_length=1)]
    intro: Text | None = None
    expectations: Expectations | None = None
    profile: tuple[ProfileQuestion, ...] = ()
    comment: CommentBox | None = None
    # Filled in by the loader from the file's content; never written in the file.
    content_hash: str = field(default="", compare=False)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for element in self.elements for c in element.criteria)

    @property
    def criterion_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.criteria)

    def profile_question(self, code: str) -> ProfileQuestion | None:
        return next((q for q in self.profile if q.code == code), None)

    def text(self, text: Text, language: str) -> str:
        return text.get(language) or text[self.default_language]

    def scoring_plan(self) -> ScoringPlan:
        return ScoringPlan(
            elements=tuple((e.code, tuple(c.code for c in e.criteria)) for e in self.elements),
            satisfied_from=self.scale.satisfied_from,
            expectation_options=tuple(o.code for o in self.expectations.options)
            if self.expectations else (),
        )


class QuestionnaireError(Exception):
    """A questionnaire file is invalid; ``problems`` holds one ``file:line: message`` each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# ---------------------------------------------------------------- public entry points


def parse_questionnaire(text: str, source: str = "<string>") -> Questionnaire:
    """Parse and validate one file's text; raise QuestionnaireError listing every problem."""
    problems: list[tuple[int, str]] = []
    try:
        document, positions = read_yaml(text, problems)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise QuestionnaireError([f"{source}:{line}: not valid YAML: {getattr(exc, 'problem', exc)}"])

    def fail() -> QuestionnaireError:
        return QuestionnaireError([f"{source}:{line}: {message}" for line, message in sorted(problems)])

    if not isinstance(document, dict):
        problems.append((1, "the file must be a mapping with keys id, version, languages, ..."))
        raise fail()
    if "content_hash" in document:
        problems.append((positions[("content_hash",)], "content_hash is computed; remove it"))
        raise fail()

    try:
        questionnaire = Questionnaire(**document)
    except ValidationError as exc:
        for error in exc.errors():
            location = tuple(error["loc"])
            if error["type"] == "too_short" and len(error["input"]) >= error["ctx"]["min_length"]:
                # pydantic counts only the items that validated: a list with one bad item also
                # gets "should have at least 1 item ..., not 0". The item's own error says it.
                continue
            where = ".".join(str(part) for part in location) or "file"
            problems.append((positions.line_of(location), f"{where}: {error['msg']}"))
        raise fail() from None

    for path, message in semantic_problems(questionnaire, positions.line_of):
        problems.append((positions.line_of(path), message))
    if problems:
        raise fail()
    object.__setattr__(questionnaire, "content_hash", content_hash(document))
    return questionnaire


def load_questionnaire(path: Path) -> Questionnaire:
    return parse_questionnaire(path.read_text(encoding="utf-8"), source=str(path))
