"""Deadlines in working days: weekends, Vietnam's public holidays (Tết included, from the
``holidays`` package) and any extra days off an installation configures are not counted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year))


@dataclass(frozen=True)
class WorkingCalendar:
    extra_days_off: frozenset[date] = frozenset()

    @classmethod
    def with_days_off(cls, days: Iterable[date | str]) -> WorkingCalendar:
        return cls(frozenset(d if isinstance(d, date) else date.fromisoformat(d) for d in days))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in _public_holidays(day.year) and day not in self.extra_days_off

    def add(self, start: date, working_days: int) -> date:
        """The ``working_days``-th working day after ``start`` (``start`` itself not counted):
        a case received on a Friday with a deadline of 1 is due the next working Monday."""
        day = start
        remaining = working_days
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end`` <= ``start``)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count
