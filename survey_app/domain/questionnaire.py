"""The questionnaire model and the loader that turns a YAML file into it.

A questionnaire is data, not code: reform offices add or adapt one by dropping a file into
``questionnaires/``. The loader is therefore strict and explains every problem as
``file:line: what is wrong`` so that a non-programmer can fix the file. The format is
documented in ``questionnaires/README.md``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import field
from pathlib import Path
from typing import Annotated, Any, Iterator

import yaml
from pydantic import ConfigDict, Field, ValidationError
from pydantic.dataclasses import dataclass

from survey_app.domain.scoring import ScoringPlan

# Every translatable string in a file is a mapping language -> text.
Text = dict[str, str]

CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{0,31}$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"
# Column and form-field names that item codes must not shadow (see the CSV contract).
RESERVED_CODES = frozenset(
    {"submitted_at", "unit", "questionnaire", "channel", "locale", "expectations", "comment",
     "csrf_token", "submission_key", "lang", "website"}
)
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


# ---------------------------------------------------------------- reading YAML with line numbers

Path_ = tuple[str | int, ...]


class _Positions(dict):
    """Maps a path inside the document (keys and list indexes) to its 1-based line."""

    def line_of(self, path: Path_) -> int:
        for end in range(len(path), -1, -1):
            if path[:end] in self:
                return self[path[:end]]
        return 1


def _read_yaml(text: str, problems: list[tuple[int, str]]) -> tuple[Any, _Positions]:
    positions = _Positions()
    constructor = yaml.SafeLoader("")  # only used to turn scalar nodes into Python values

    def build(node: yaml.Node, path: Path_) -> Any:
        positions[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = constructor.construct_object(key_node)
                key_line = key_node.start_mark.line + 1
                if not isinstance(key, str):
                    # e.g. `1:` or `no:` (YAML reads that as false); a list as key is not hashable.
                    written = key_node.value if isinstance(key_node, yaml.ScalarNode) else "[...]"
                    problems.append((key_line, f"key '{written}' is not a name; put it in quotes"))
                    continue
                if key in result:
                    # PyYAML would silently keep the last one; a duplicate is always a mistake.
                    problems.append((key_line, f"duplicate key '{key}'"))
                result[key] = build(value_node, path + (key,))
                # Point at the key, not at its value (which may start on the next line).
                positions[path + (key,)] = key_line
            return result
        if isinstance(node, yaml.SequenceNode):
            return [build(item, path + (i,)) for i, item in enumerate(node.value)]
        return constructor.construct_object(node)

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    return (build(root, ()) if root is not None else None), positions


# ---------------------------------------------------------------- checks beyond the schema


def _texts(value: Any, path: Path_) -> Iterator[tuple[Path_, Text]]:
    """Every translatable text in a validated questionnaire, with its path in the file."""
    if isinstance(value, dict):
        yield path, value
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from _texts(item, path + (i,))
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            yield from _texts(getattr(value, name), path + (name,))


def _semantic_problems(q: Questionnaire, line_of) -> Iterator[tuple[Path_, str]]:
    languages = q.languages
    for i, language in enumerate(languages):
        if not re.match(LANGUAGE_PATTERN, language):
            yield ("languages", i), f"'{language}' is not a language code such as vi or en"
    if len(set(languages)) != len(languages):
        yield ("languages",), "a language is listed twice"

    for path, text in _texts(q, ()):
        missing = [lang for lang in languages if not text.get(lang)]
        unknown = [lang for lang in text if lang not in languages]
        if missing:
            yield path, f"missing translation for {', '.join(missing)}"
        if unknown:
            yield path, f"translation for {', '.join(unknown)}, which is not in languages"

    values = q.scale.values
    if list(values) != list(range(1, len(values) + 1)):
        yield ("scale", "levels"), "scale levels must be numbered 1, 2, 3, ... in order"
    if q.scale.satisfied_from not in values:
        yield ("scale", "satisfied_from"), f"satisfied_from must be one of the levels {list(values)}"

    # Item codes become form fields and CSV columns, so they share one namespace.
    seen: dict[str, Path_] = {}
    named: list[tuple[Path_, str]] = []
    for e_index, element in enumerate(q.elements):
        named.append((("elements", e_index, "code"), element.code))
        for c_index, criterion in enumerate(element.criteria):
            named.append((("elements", e_index, "criteria", c_index, "code"), criterion.code))
    for p_index, question in enumerate(q.profile):
        named.append((("profile", p_index, "code"), question.code))
    for path, code in named:
        if code in RESERVED_CODES:
            yield path, f"'{code}' is reserved; choose another code"
        elif code in seen:
            yield path, f"duplicate code '{code}' (first used on line {line_of(seen[code])})"
        else:
            seen[code] = path

    option_lists: list[tuple[Path_, tuple[Option, ...]]] = [
        (("profile", i, "options"), question.options) for i, question in enumerate(q.profile)
    ]
    if q.expectations:
        option_lists.append((("expectations", "options"), q.expectations.options))
        if q.expectations.max_choices > len(q.expectations.options):
            yield ("expectations", "max_choices"), "max_choices is larger than the number of options"
    for path, options in option_lists:
        codes: set[str] = set()
        for i, option in enumerate(options):
            if option.code in codes:
                yield path + (i, "code"), f"duplicate option code '{option.code}'"
            codes.add(option.code)


# ---------------------------------------------------------------- public entry points


def content_hash(document: Any) -> str:
    """Hash of what the file says, not how it is laid out: comments and spacing don't count."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_questionnaire(text: str, source: str = "<string>") -> Questionnaire:
    """Parse and validate one file's text; raise QuestionnaireError listing every problem."""
    problems: list[tuple[int, str]] = []
    try:
        document, positions = _read_yaml(text, problems)
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

    for path, message in _semantic_problems(questionnaire, positions.line_of):
        problems.append((positions.line_of(path), message))
    if problems:
        raise fail()
    object.__setattr__(questionnaire, "content_hash", content_hash(document))
    return questionnaire


def load_questionnaire(path: Path) -> Questionnaire:
    return parse_questionnaire(path.read_text(encoding="utf-8"), source=str(path))
