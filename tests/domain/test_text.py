"""domain/text.py: the one rule for text from outside (forms, the API, the importers)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.domain.text import disallowed_characters, is_plain_text, normalise_newlines, text_problem


@pytest.mark.parametrize("text", [
    "Sở Tư pháp", "Quầy 1, tầng trệt", "1.004227", "000.00.01.H29-240101-0001",
    "a\u00a0b",            # a no-break space, as pasted from a word processor
    "👨\u200d👩\u200d👧",  # an emoji held together by zero-width joiners
    "مرحبا", "", " ",
])
def test_ordinary_text_is_plain_on_one_line_and_on_several(text):
    assert is_plain_text(text) and is_plain_text(text, multiline=True)
    assert text_problem(text) is None


@pytest.mark.parametrize(("text", "names"), [
    ("a\x00b", ["U+0000"]),
    ("\x1b[31mred", ["U+001B"]),
    ("back\x08space", ["U+0008"]),
    ("\x7f", ["U+007F"]),
    ("\x85", ["U+0085"]),        # a C1 control (next line)
    ("\ud800", ["U+D800"]),      # a lone surrogate: not encodable as UTF-8
    ("a\u2028b", ["U+2028"]),    # the line separator
    ("\x00\x00\x01", ["U+0000", "U+0001"]),
])
def test_control_characters_are_refused_everywhere(text, names):
    assert disallowed_characters(text) == names
    assert disallowed_characters(text, multiline=True) == names
    assert "not allowed" in text_problem(text)


@pytest.mark.parametrize("text", ["a\nb", "a\r\nb", "a\rb", "a\tb"])
def test_line_breaks_and_tabs_belong_to_multi_line_text_only(text):
    assert is_plain_text(text, multiline=True)
    assert not is_plain_text(text)


def test_newlines_are_normalised_as_browsers_count_them():
    assert normalise_newlines("a\r\nb\rc\nd") == "a\nb\nc\nd"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_text_is_plain_exactly_when_no_character_is_disallowed(text):
    bad = disallowed_characters(text, multiline=True)
    assert is_plain_text(text, multiline=True) is (not bad)
    # What is refused is always one of the reported characters, and vice versa.
    assert set(bad) == {f"U+{ord(ch):04X}" for ch in normalise_newlines(text)
                        if not is_plain_text(ch, multiline=True)}
