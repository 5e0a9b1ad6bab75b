"""Which new responses look made up rather than given by a citizen: plain rules on plain data.

Four rules, each with thresholds named as settings (``survey_app/config.py``, README):

- **burst**: more than ``kiosk_burst_count`` submissions on one kiosk, or more than
  ``link_burst_count`` on one unit's open link (from one source, see below), within ``burst_seconds``: faster than people
  queueing at one screen or one poster can answer. The whole burst is flagged.
- **fast identical**: every criterion of the questionnaire given the same answer, in fewer than
  ``fast_seconds`` from the moment the form was served. The time comes from a signed field of
  the form; when it is missing or forged it is unknown, and unknown never flags.
- **repeated**: more than ``repeat_count`` identical submissions (ratings, expectations, profile
  and comment) from one place (one unit and channel; one kiosk) within ``repeat_seconds``. The
  identical ones are flagged together.

- **volume** (open links): more of a unit's open-link answers within ``volume_hours`` than
  ``volume_factor`` times its usual number in that time (its counted open-link answers of the
  ``volume_history_days`` before the day), and never fewer than ``volume_min``; or more than its
  dossiers in that time, when its transaction volumes are known (``volume_limit``).

A place is a unit, a channel and a kiosk. On open links a burst is counted per *source* (a keyed
hash of the client's address, kept for minutes outside the database, never stored with a
response), so that one source cannot get another's answers flagged.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Reason(StrEnum):
    BURST = "burst"
    FAST_IDENTICAL = "fast_identical"
    REPEATED = "repeated"
    VOLUME = "volume"


@dataclass(frozen=True)
class IntegrityRules:
    burst_seconds: float = 60
    kiosk_burst_count: int = 4
    link_burst_count: int = 20
    fast_seconds: float = 15
    repeat_count: int = 4
    repeat_seconds: float = 600
    volume_hours: float = 24
    volume_history_days: int = 28
    volume_factor: float = 3
    volume_min: int = 45

    @property
    def lookback(self) -> timedelta:
        """How far back a new response must be compared."""
        return timedelta(seconds=max(self.burst_seconds, self.repeat_seconds))


@dataclass(frozen=True)
class Seen:
    """A response from the same place, reduced to what the rules compare."""

    id: int
    at: datetime
    answers: Hashable   # equal for identical submissions (see ``fingerprint``)


def fingerprint(ratings: dict[str, int], expectations: Iterable[str], profile: dict[str, str],
                comment: str | None) -> Hashable:
    """A value equal for two submissions exactly when they give the same answers."""
    return (tuple(sorted(ratings.items())), tuple(sorted(expectations)), tuple(sorted(profile.items())),
            (comment or "").strip())


def answers_digest(ratings: dict[str, int], expectations: Iterable[str], profile: dict[str, str],
                   comment: str | None) -> str:
    """``fingerprint`` as 32 hex characters, kept with each response stored from the web, so that
    finding the identical ones of a place is one comparison per recent response, not one per
    answer. Two submissions share it exactly when their fingerprints are equal (but for a
    collision of 128-bit hashes, which no real set of answers will meet)."""
    text = json.dumps(fingerprint(ratings, expectations, profile, comment), ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def whole_form_identical(ratings: dict[str, int], criteria: Sequence[str]) -> bool:
    """Every criterion answered, all with the same value ("no opinion" included)."""
    return len(criteria) > 1 and all(code in ratings for code in criteria) and len(
        {ratings[code] for code in criteria}) == 1


def burst_limit(rules: IntegrityRules, channel: str) -> int | None:
    """The most submissions one place may take in ``burst_seconds``; None: no burst rule
    (invitations are single-use and issued one by one; imports carry their own times)."""
    return {"kiosk": rules.kiosk_burst_count, "link": rules.link_burst_count}.get(channel)


def volume_limit(rules: IntegrityRules, *, history_count: int, dossiers_per_day: float | None) -> int:
    """The most open-link answers a unit may take within ``volume_hours`` before more are flagged:
    ``volume_factor`` times its usual number (``history_count`` over ``volume_history_days``),
    at least ``volume_min``; and never more than its dossiers in that time, when known."""
    windows = rules.volume_history_days * 24 / rules.volume_hours
    limit = max(rules.volume_min, math.ceil(rules.volume_factor * history_count / windows))
    if dossiers_per_day is not None:
        limit = min(limit, max(1, math.ceil(dossiers_per_day * rules.volume_hours / 24)))
    return limit


def judge(new: Seen, recent: Sequence[Seen], *, channel: str, rules: IntegrityRules,
          seconds_taken: float | None, identical_form: bool) -> dict[int, set[Reason]]:
    """Response id -> why it is suspect, for ``new`` and the ``recent`` responses of its place
    (submitted before it) that form the burst or the repetition with it. Empty: nothing wrong.
    """
    flagged: dict[int, set[Reason]] = {}

    def flag(ids: Iterable[int], reason: Reason) -> None:
        for response_id in ids:
            flagged.setdefault(response_id, set()).add(reason)

    limit = burst_limit(rules, channel)
    if limit is not None:
        window = [s for s in recent if _within(s, new, rules.burst_seconds)]
        if len(window) + 1 > limit:
            flag([new.id, *(s.id for s in window)], Reason.BURST)
    if identical_form and seconds_taken is not None and seconds_taken < rules.fast_seconds:
        flag([new.id], Reason.FAST_IDENTICAL)
    same = repeated_with(new, recent, rules)
    if same:
        flag([new.id, *same], Reason.REPEATED)
    return flagged


def repeated_with(new: Seen, recent: Sequence[Seen], rules: IntegrityRules) -> list[int]:
    """The ids of the ``recent`` responses identical to ``new`` within ``repeat_seconds``, when
    with ``new`` they are more than ``repeat_count`` (the repetition rule); else none."""
    same = [s.id for s in recent if s.answers == new.answers and _within(s, new, rules.repeat_seconds)]
    return same if repeats(len(same), rules) else []


def repeats(earlier_identical: int, rules: IntegrityRules) -> bool:
    """Whether a new submission with ``earlier_identical`` identical ones from its place within
    ``repeat_seconds`` before it makes more than ``repeat_count``: the repetition rule."""
    return earlier_identical + 1 > rules.repeat_count


def _within(earlier: Seen, new: Seen, seconds: float) -> bool:
    return timedelta(0) <= new.at - earlier.at <= timedelta(seconds=seconds)


def seconds_between(served_at: datetime | None, submitted_at: datetime) -> float | None:
    """Time taken to answer; None when unknown (no trustworthy serving time, or one after
    the submission, which only a wrong clock or a forgery gives)."""
    if served_at is None or served_at > submitted_at:
        return None
    return (submitted_at - served_at).total_seconds()


def reasons_text(reasons: Iterable[str]) -> str:
    """Stored form of a set of reasons: sorted codes, comma separated."""
    return ",".join(sorted(set(reasons)))


def reasons_of(text: str) -> list[Reason]:
    return [Reason(code) for code in text.split(",") if code in Reason.__members__.values()]
