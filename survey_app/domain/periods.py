"""Reporting periods: calendar date ranges cut in the deployment's time zone.

Responses are stored in UTC; a period is a range of local calendar dates, so the
same period maps to different UTC instants in different deployments.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["PERIOD_KINDS", "Period", "calendar_kind", "last_full_quarter", "period_of", "quarters_ending"]

PERIOD_KINDS = ("day", "month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    """A range of local calendar dates, both ends inclusive (as typed by a user: 1 Jan to 31 Mar)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            # datetime is a subclass of date; accepting one would silently carry a time of day.
            if not isinstance(value, date) or isinstance(value, datetime):
                raise TypeError(f"Period.{name} must be a datetime.date, got {value!r}")
        if self.start > self.end:
            raise ValueError(f"period start {self.start.isoformat()} is after its end {self.end.isoformat()}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def utc_bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[local midnight starting `start`, local midnight after `end`) as aware UTC datetimes.

        Half-open, so consecutive periods tile time with neither gap nor overlap and a
        response at exactly midnight belongs to the day that begins then. Going through
        local midnight (not start + 24 h x days) keeps days that DST makes 23 or 25 hours
        long right; where midnight itself is skipped, fold=0 resolves it to the instant the
        day actually begins.
        """
        low = datetime.combine(self.start, time.min, tzinfo=tz)
        high = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)
        return (low.astimezone(UTC), high.astimezone(UTC))

    def previous(self) -> Period:
        """The period to compare with: the previous calendar unit, or as many days just before."""
        start, end = self.start, self.end
        # Calendar units are matched first because "the same number of days before" would
        # turn March (31 days) into 29 Jan - 28 Feb instead of February.
        if start.day == 1 and start.month == 1 and end == date(start.year, 12, 31):
            return period_of("year", date(start.year - 1, 1, 1))
        if start.day == 1 and start.month % 3 == 1 and end == _last_day(_add_months(start, 2)):
            return period_of("quarter", start - timedelta(days=1))
        if start.day == 1 and end == _last_day(start):
            return period_of("month", start - timedelta(days=1))
        return Period(start - timedelta(days=self.days), start - timedelta(days=1))


def period_of(kind: str, day: date) -> Period:
    """The day, month, quarter or year containing `day`."""
    if kind == "day":
        return Period(day, day)
    if kind == "month":
        return Period(day.replace(day=1), _last_day(day))
    if kind == "quarter":
        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return Period(first, _last_day(_add_months(first, 2)))
    if kind == "year":
        return Period(date(day.year, 1, 1), date(day.year, 12, 31))
    raise ValueError(f"unknown period kind {kind!r}; expected one of {', '.join(PERIOD_KINDS)}")


def calendar_kind(period: Period) -> str | None:
    """The calendar unit the period is exactly ("month", "quarter" or "year"), else None; a
    single day counts as none, since to a reader of reports it is a custom range."""
    for kind in ("year", "quarter", "month"):
        if period_of(kind, period.start) == period:
            return kind
    return None


def last_full_quarter(today: date) -> Period:
    """The most recent quarter that has ended by ``today`` (a local date): what reports show first."""
    return period_of("quarter", period_of("quarter", today).start - timedelta(days=1))


def quarters_ending(period: Period, n: int) -> list[Period]:
    """The ``n`` calendar quarters up to the one holding ``period.end``, oldest first."""
    quarters = [period_of("quarter", period.end)]
    while len(quarters) < n:
        quarters.append(period_of("quarter", quarters[-1].start - timedelta(days=1)))
    return quarters[::-1]


def _last_day(day: date) -> date:
    """Last day of the month containing `day`."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
