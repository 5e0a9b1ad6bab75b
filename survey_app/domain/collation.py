"""Alphabetical order of Vietnamese names, as a reader expects it in a sorted table.

Code-point order puts "Đ" after "Z" and "Ủy" after "Xã"; the Vietnamese alphabet is
a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, and tone marks only break ties
(a, à, á, ả, ã, ạ; we follow the order of the Vietnamese standard TCVN 5712: none, grave,
hook, tilde, acute, dot below).
"""

from __future__ import annotations

import unicodedata

# Marks that make a different letter (ă â ê ô ơ ư) rather than a tone.
_LETTER_MARKS = {"\u0306": "1", "\u0302": "2", "\u031b": "3"}
_TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_key(text: str) -> tuple[tuple[str, ...], tuple[int, ...], str]:
    """A sort key: letters first (with đ after d and ă, â after a), then tones, then the text
    itself so that the order is total."""
    letters: list[str] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFD", text.casefold()):
        if char in _LETTER_MARKS and letters:
            letters[-1] += _LETTER_MARKS[char]
        elif char in _TONE_MARKS:
            if tones:
                tones[-1] = _TONE_MARKS[char]
        elif unicodedata.combining(char):
            continue
        else:
            letters.append("d4" if char == "đ" else char)
            tones.append(0)
    return tuple(letters), tuple(tones), text
