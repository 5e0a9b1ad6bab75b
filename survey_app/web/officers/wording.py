"""Numbers, dates, periods and rank changes in the reader's language (``?lang=``): ``81,8`` and
``31/12/2026`` in Vietnamese, ``81.8`` and ``31 Dec 2026`` in English. Figures go through the
report files' own formatting (reports/formatting.py), so a page and a file print the same."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from survey_app.domain.periods import Period
from survey_app.domain.rank_change import DOWN, NEW, SAME, UP, RankChange
from survey_app.domain.report_period import name_of
from survey_app.reports.channel_names import channel_name
from survey_app.reports.formatting import Figures


def language() -> str:
    return str(get_locale() or "vi")


def _figures() -> Figures:
    return Figures(language())


def index(value: float | None) -> str:
    return _figures().index(value)


def interval(ci) -> str:
    return _figures().interval(ci)


def points(value: float | None) -> str:
    """A change in percentage points, always signed: "+2,3", "−1,0" (a true minus sign)."""
    return _figures().points(value)


def coefficient(value: float | None) -> str:
    """A coefficient (Cronbach's alpha, a design effect), two decimals."""
    return _figures().coefficient(value)


def count(value: int | None) -> str:
    return _figures().count(value)


def share(value: float | None) -> str:
    """A share already in percent (expectations): 31.5 -> "31,5%"."""
    return _figures().share(value)


def rate(value: float | None) -> str:
    """A fraction 0-1 (response rates): 0.725 -> "72,5%"."""
    return _figures().rate(value)


def day(value: date) -> str:
    return _figures().day(value)


def period_name(period: Period) -> str:
    """What officers call the period ("Quý 1/2026", "Tháng 3/2026", "Năm 2026"), or the two
    dates of a custom range."""
    kind = name_of(period).kind
    if kind == "quarter":
        return format_date(period.start, _("QQQ y"))
    if kind == "month":
        return format_date(period.start, _("MMMM y"))
    if kind == "year":
        return _("Year %(year)s", year=period.start.year)
    return dates(period)


def dates(period: Period) -> str:
    return f"{day(period.start)} – {day(period.end)}"


def rank_change(change: RankChange) -> str:
    if change.direction == UP:
        return _("up %(steps)s", steps=change.steps)
    if change.direction == DOWN:
        return _("down %(steps)s", steps=change.steps)
    if change.direction == SAME:
        return _("unchanged")
    if change.direction == NEW:
        return _("not ranked before")
    return ""


def channel(code: str) -> str:
    return channel_name(code)
