"""When a subscription is due, and for which period (docs/deploy.md, "Notifications").

A weekly digest is due from Monday 07:00 local time, about the week before; a monthly
(quarterly) report from 07:00 on the first day of a month (quarter), about the month (quarter)
that ended. Each is named by a key (the Monday, ``2026-11``, ``2026-Q3``); a subscription whose
last key sent is older than the current one is due once: runs missed for several periods send
the latest only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from survey_app.domain.periods import Period, period_of

DIGEST, REPORT = "digest", "report"
KINDS = (DIGEST, REPORT)
FREQUENCIES = ("month", "quarter")
SENDING_FROM = time(7, 0)


@dataclass(frozen=True)
class Due:
    key: str              # what last_sent becomes once sent
    as_of: date           # the day the digest or report is made as of
    period: Period | None  # a report's period


def due_now(kind: str, frequency: str | None, local_now: datetime) -> Due:
    """The period a subscription is about at ``local_now`` (aware, the deployment's time zone)."""
    today = local_now.date()
    if local_now.time() < SENDING_FROM:
        today -= timedelta(days=1)  # before 07:00 the previous day's due period still stands
    if kind == DIGEST:
        monday = today - timedelta(days=today.weekday())
        return Due(key=monday.isoformat(), as_of=monday, period=None)
    if kind != REPORT or frequency not in FREQUENCIES:
        raise ValueError(f"unknown subscription {kind}/{frequency}")
    period = period_of(frequency, today).previous()
    key = (f"{period.start.year}-{period.start.month:02d}" if frequency == "month"
           else f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}")
    return Due(key=key, as_of=period.end + timedelta(days=1), period=period)


def is_due(last_sent: str | None, due: Due) -> bool:
    """Keys of one kind sort as their periods do (ISO dates, ``YYYY-MM``, ``YYYY-Qn``)."""
    return last_sent is None or last_sent < due.key
