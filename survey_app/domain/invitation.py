"""What an invitation can be: how its dossier came in, and where it stands."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo
from enum import StrEnum


class DossierChannel(StrEnum):
    """How the dossier the invitation is about was submitted."""

    DIRECT = "direct"    # at the counter
    ONLINE = "online"    # on the public-service portal
    POSTAL = "postal"    # by post


class InvitationStatus(StrEnum):
    ISSUED = "issued"        # can be answered
    ANSWERED = "answered"    # answered once; never again
    EXPIRED = "expired"      # not answered in time


def invitation_status(*, answered: bool, expires_at: datetime, now: datetime) -> InvitationStatus:
    if answered:
        return InvitationStatus.ANSWERED
    return InvitationStatus.EXPIRED if expires_at <= now else InvitationStatus.ISSUED


# An invitation keeps days, never times (README, "What a database administrator can and cannot
# learn"): a time of issue would lead to the dossier handed back then, or to the clerk at the
# counter. Its expiry is the local midnight that ends its last day, so it holds only a day too.


def day_start(day: date, tz: tzinfo) -> datetime:
    """The local midnight that starts ``day``, as an aware UTC datetime."""
    return datetime.combine(day, time(), tz).astimezone(timezone.utc)


def expiry(issued_on: date, valid_days: int, tz: tzinfo) -> datetime:
    """When an invitation issued on ``issued_on`` stops working: it can be answered on the day of
    issue and the ``valid_days`` days after it, so never for less than ``valid_days`` x 24 h."""
    return day_start(issued_on + timedelta(days=valid_days + 1), tz)


def last_valid_day(expires_at: datetime, tz: tzinfo) -> date:
    """The last local day on which an invitation expiring at ``expires_at`` can be answered."""
    return (expires_at.astimezone(tz) - timedelta(microseconds=1)).date()
