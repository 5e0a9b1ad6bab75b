"""Figures as a report prints them in its own language, whatever the request's language.

A report file is made for one language (``lang``), and the command line has no request, so
these take the language explicitly (Babel, not Flask-Babel's request locale): ``81,8``,
``1.200``, ``31/12/2026`` in Vietnamese; ``81.8``, ``1,200``, ``31 Dec 2026`` in English. The
patterns are those of the officer pages, so a page and a file print the same figures.
"""

from __future__ import annotations

import functools
import math
from datetime import date, datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal as _babel_decimal

REPORT_LANGUAGES = ("vi", "en")
NONE = "—"
INDEX_FORMAT = "#,##0.0"        # indices to one decimal, as SIPAS reports print them
DATE_FORMATS = {"vi": "dd/MM/yyyy", "en": "d MMM y"}
DATETIME_FORMATS = {"vi": "dd/MM/yyyy HH:mm", "en": "d MMM y, HH:mm"}


def format_decimal(value, pattern: str, *, locale: str) -> str:
    """Babel's format_decimal, remembered: a page of 200 units formats some 3,000 numbers at
    about 0.1 ms each, and the same kept figures are shown again and again."""
    if isinstance(value, float):
        # -0.0 equals 0.0 as a key, but Babel may print it with its sign.
        return _remembered(value, math.copysign(1.0, value), pattern, locale)
    return _babel_decimal(value, pattern, locale=locale)


@functools.lru_cache(maxsize=1 << 16)
def _remembered(value: float, sign: float, pattern: str, locale: str) -> str:
    return _babel_decimal(value, pattern, locale=locale)


class Figures:
    """The formatting functions of one language, handed to a template."""

    def __init__(self, lang: str):
        self.lang = lang

    def index(self, value: float | None) -> str:
        return NONE if value is None else format_decimal(value, INDEX_FORMAT, locale=self.lang)

    def interval(self, ci) -> str:
        return NONE if not ci else f"{self.index(ci[0])}–{self.index(ci[1])}"

    def points(self, value: float | None) -> str:
        """A change in percentage points, signed: "+2,3", "−1,0" (a true minus sign), "0,0"."""
        if value is None:
            return NONE
        text = self.index(abs(value))
        if text == self.index(0.0):
            return text
        return ("+" if value > 0 else "−") + text

    def coefficient(self, value: float | None) -> str:
        """A coefficient such as Cronbach's alpha, two decimals: 0.8312 -> "0,83"."""
        return NONE if value is None else format_decimal(value, "0.00", locale=self.lang)

    def count(self, value: int | None) -> str:
        return NONE if value is None else format_decimal(value, "#,##0", locale=self.lang)

    def share(self, value: float | None) -> str:
        """A share already in percent (expectations): 31.5 -> "31,5%"."""
        return NONE if value is None else f"{self.index(value)}%"

    def rate(self, value: float | None) -> str:
        """A fraction 0-1 (response rates): 0.725 -> "72,5%"."""
        return NONE if value is None else self.share(100.0 * value)

    def day(self, value: date | str) -> str:
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return format_date(value, DATE_FORMATS.get(self.lang, DATE_FORMATS["en"]), locale=self.lang)

    def moment(self, value: datetime) -> str:
        """A local time (already in the deployment's zone) to the minute."""
        return format_datetime(value, DATETIME_FORMATS.get(self.lang, DATETIME_FORMATS["en"]),
                               tzinfo=value.tzinfo, locale=self.lang)
