"""What text we accept from outside: one rule for every form, the API and the CSV importers.

Text is accepted when it is printable: no control characters (NUL above all, which
PostgreSQL refuses, but also the escape and backspace characters that garble logs and
terminals), no lone surrogates (which cannot be encoded as UTF-8), and in a single-line field no
line or paragraph separators. A multi-line field (a comment) may also hold line breaks and tabs;
its line breaks are normalised to ``\\n`` first, as browsers send CRLF. Unicode spaces and format
characters (a no-break space, the zero-width joiner inside an emoji) are ordinary text.

Such text is refused, never silently cleaned: an importer names the line, the API the field,
a form the question, and nothing is stored.
"""

from __future__ import annotations

import unicodedata

# Categories never allowed: control characters, lone surrogates.
_NEVER = frozenset({"Cc", "Cs"})
# Line and paragraph separators: a line break in all but name.
_SEPARATORS = frozenset({"Zl", "Zp"})
MULTILINE_ALLOWED = frozenset("\n\t")


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR -> LF, the way a textarea's line breaks are counted."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def disallowed_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The characters of ``text`` (after normalising its line breaks when ``multiline``) that
    it may not hold, each once, as ``U+0000``-style names; empty when the text is acceptable."""
    if multiline:
        text = normalise_newlines(text)
    found: dict[str, None] = {}
    for ch in text:
        if ch.isprintable() or (multiline and ch in MULTILINE_ALLOWED):
            continue
        if unicodedata.category(ch) in _NEVER | _SEPARATORS:
            found[f"U+{ord(ch):04X}"] = None
    return list(found)


def is_plain_text(text: str, *, multiline: bool = False) -> bool:
    return not disallowed_characters(text, multiline=multiline)


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """An English sentence saying what is wrong with ``text``, or None when it is acceptable."""
    bad = disallowed_characters(text, multiline=multiline)
    if not bad:
        return None
    return f"contains characters that are not allowed in text ({', '.join(bad[:5])})"
