"""Reading a questionnaire file: YAML with the line of every value, the checks a schema cannot
express, and the content hash.

``questionnaire.parse_questionnaire`` uses these to turn a file into a ``Questionnaire`` and to
report each problem as ``file:line: what is wrong``. Nothing here knows the model's classes: the
checks read a validated questionnaire's attributes, so this module imports none of them (and
``questionnaire.py`` can import it without a cycle).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Any, Callable, Iterator

import yaml

if TYPE_CHECKING:
    from survey_app.domain.questionnaire import Option, Questionnaire, Text

LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"
# Column and form-field names that item codes must not shadow (see the CSV contract).
RESERVED_CODES = frozenset(
    {"submitted_at", "unit", "questionnaire", "channel", "locale", "expectations", "comment",
     "csrf_token", "submission_key", "lang", "website"}
)

# A place inside the document: the keys and list indexes that lead to it.
Path_ = tuple[str | int, ...]


# ---------------------------------------------------------------- reading YAML with line numbers


class Positions(dict[str, int]):
    """Maps a path inside the document (keys and list indexes) to its 1-based line."""

    def line_of(self, path: Path_) -> int:
        for end in range(len(path), -1, -1):
            if path[:end] in self:
                return self[path[:end]]
        return 1


def read_yaml(text: str, problems: list[tuple[int, str]]) -> tuple[Any, Positions]:
    """The document and where each of its values is; adds (line, message) for keys that are
    not names and for duplicate keys. Raises yaml.YAMLError when the text is not YAML."""
    positions = Positions()
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


def semantic_problems(q: Questionnaire, line_of: Callable[[Path_], int]) -> Iterator[tuple[Path_, str]]:
    """What is wrong with a questionnaire that the schema accepted: languages, translations,
    the scale's numbering, codes used twice or reserved, option codes used twice."""
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


def content_hash(document: Any) -> str:
    """Hash of what the file says, not how it is laid out: comments and spacing don't count."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
