"""The period a report asks for, read from what a reader typed or picked, and the periods the
picker offers.

Addresses carry ``from`` and ``to`` (local dates, both inclusive); the picker may also send a
calendar period by its code (``2026``, ``2026-Q1``, ``2026-03``), which the view turns into
``from``/``to``. Anything else is a ``PeriodProblem`` that the reader is told about (a 400),
never an error deep in the scoring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from survey_app.domain.periods import Period, calendar_kind, last_full_quarter, period_of

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERIOD_CODE = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4])|-(?P<month>\d{2}))?$")
# Reports compare a period with the one before it: years outside this range are typing
# mistakes, and year 1 would have no previous period at all.
FIRST_YEAR, LAST_YEAR = 2000, 2099
# Ten years and a leap day or three: longer ranges are mistakes, and slow.
MAX_DAYS = 3653


class PeriodProblem(ValueError):
    """What is wrong, as one of the ``reason`` codes below, for a message in the reader's language."""

    MISSING = "missing"      # only one of from/to
    FORMAT = "format"        # not YYYY-MM-DD, or no such day
    ORDER = "order"          # from after to
    RANGE = "range"          # outside FIRST_YEAR..LAST_YEAR or longer than MAX_DAYS

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _day(raw: str) -> date:
    if not ISO_DATE.match(raw):
        raise PeriodProblem(PeriodProblem.FORMAT)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise PeriodProblem(PeriodProblem.FORMAT) from None


def _checked(period: Period) -> Period:
    if not (FIRST_YEAR <= period.start.year and period.end.year <= LAST_YEAR) or period.days > MAX_DAYS:
        raise PeriodProblem(PeriodProblem.RANGE)
    return period


def parse_period(raw_from: str | None, raw_to: str | None, *, today: date) -> Period:
    """The period of ``from``/``to``; both absent (or empty) means the last full quarter."""
    raw_from, raw_to = (raw_from or "").strip(), (raw_to or "").strip()
    if not raw_from and not raw_to:
        return last_full_quarter(today)
    if not raw_from or not raw_to:
        raise PeriodProblem(PeriodProblem.MISSING)
    start, end = _day(raw_from), _day(raw_to)
    if start > end:
        raise PeriodProblem(PeriodProblem.ORDER)
    return _checked(Period(start, end))


def period_from_code(code: str) -> Period:
    """``2026`` (a year), ``2026-Q1`` (a quarter) or ``2026-03`` (a month)."""
    match = PERIOD_CODE.match(code.strip())
    if not match:
        raise PeriodProblem(PeriodProblem.FORMAT)
    year = int(match["year"])
    if match["quarter"]:
        return _checked(period_of("quarter", date(year, 3 * int(match["quarter"]) - 2, 1)))
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise PeriodProblem(PeriodProblem.FORMAT)
        return _checked(period_of("month", date(year, month, 1)))
    return _checked(period_of("year", date(year, 1, 1)))


@dataclass(frozen=True)
class PeriodName:
    """What a reader calls a period; the web layer words it in their language."""

    kind: str               # "month", "quarter", "year" or "range"
    year: int = 0
    number: int = 0         # the month (1-12) or the quarter (1-4)
    code: str = ""          # for the picker: 2026, 2026-Q1, 2026-03 ("" for a range)


def name_of(period: Period) -> PeriodName:
    kind = calendar_kind(period)
    year = period.start.year
    if kind == "year":
        return PeriodName("year", year, 0, str(year))
    if kind == "quarter":
        quarter = (period.start.month - 1) // 3 + 1
        return PeriodName("quarter", year, quarter, f"{year}-Q{quarter}")
    if kind == "month":
        return PeriodName("month", year, period.start.month, f"{year}-{period.start.month:02d}")
    return PeriodName("range")


def recent_periods(today: date, *, quarters: int = 8, months: int = 12, years: int = 3) -> dict[str, list[Period]]:
    """The periods the picker lists, newest first: the last full ones and the current one
    (so far), by kind."""
    def back(kind: str, count: int) -> list[Period]:
        found = [period_of(kind, today)]
        while len(found) < count:
            found.append(period_of(kind, found[-1].start - timedelta(days=1)))
        return found

    return {"quarter": back("quarter", quarters), "month": back("month", months), "year": back("year", years)}


def following(period: Period) -> Period:
    """The period after this one: the next month, quarter or year, or as many days just after
    (the counterpart of ``Period.previous``)."""
    kind = calendar_kind(period)
    if kind is not None:
        return period_of(kind, period.end + timedelta(days=1))
    return Period(period.end + timedelta(days=1), period.end + timedelta(days=period.days))
