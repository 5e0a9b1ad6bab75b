"""The rules only open links need (``domain/integrity.py``): a burst counted per source, and a
unit's open-link volume judged against its own history and its dossiers.

An open link (a poster's QR code) is the one way in that anyone can reach from anywhere, as
often as they like; invitations are single-use and kiosks stand at a counter. Both rules read
through indexes and count only up to their limit, so an answer costs the same at the start of a
flood as at its end.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import func, not_, or_, select
from sqlalchemy.orm import Session

from survey_app.domain.integrity import IntegrityRules, Reason, volume_limit
from survey_app.domain.periods import Period
from survey_app.domain.submission import Channel
from survey_app.domain.volumes import period_volume
from survey_app.models import Response, ResponseFlag
from survey_app.models.volume import Volume
from survey_app.services.screening_memory import ScreeningMemory


def source_key(source: str, unit_id: int) -> str:
    return f"source:{source}:{unit_id}"


def source_burst(session: Session, memory: ScreeningMemory, *, response: Response, source: str,
                 rules: IntegrityRules) -> list[int]:
    """The responses to flag for a burst when ``response`` is one more of its source's answers
    to the unit within ``burst_seconds`` than ``link_burst_count`` (itself and the source's
    others not yet flagged for it); else none. Notes ``response`` under its source."""
    key = source_key(source, response.unit_id)
    at = response.submitted_at
    earlier = memory.recent(key, at - timedelta(seconds=rules.burst_seconds))
    memory.note(key, response.id, at, keep=_kept_for(rules))
    if len(earlier) + 1 <= rules.link_burst_count:
        return []
    return [response.id, *_not_flagged_for(session, earlier, response.unit_id, Reason.BURST)]


def volume_excess(session: Session, memory: ScreeningMemory, *, response: Response, source: str | None,
                  rules: IntegrityRules, tz: tzinfo) -> list[int]:
    """The responses to flag when ``response`` takes its unit's open-link answers of the last
    ``volume_hours`` past their limit (``domain.integrity.volume_limit``): itself, and the
    answers its source sent to the unit in that time (it made the excess); else none."""
    at = response.submitted_at
    limit = _unit_volume_limit(session, memory, unit_id=response.unit_id, at=at, rules=rules, tz=tz)
    window_from = at - timedelta(hours=rules.volume_hours)
    in_window = session.scalar(select(func.count()).select_from(
        select(Response.id).where(Response.unit_id == response.unit_id, Response.submitted_at >= window_from,
                                  Response.submitted_at <= at, Response.channel == Channel.LINK,
                                  Response.id != response.id).limit(limit).subquery())) or 0
    if in_window + 1 <= limit:
        return []
    theirs = memory.recent(source_key(source, response.unit_id), window_from) if source else []
    return [response.id, *_not_flagged_for(session, [i for i in theirs if i != response.id], response.unit_id,
                                           Reason.VOLUME)]


def _kept_for(rules: IntegrityRules) -> timedelta:
    """How long a source's answers are remembered: as long as a rule looks back at them."""
    return max(timedelta(seconds=rules.burst_seconds), timedelta(hours=rules.volume_hours))


def _not_flagged_for(session: Session, response_ids: list[int], unit_id: int, reason: Reason) -> list[int]:
    """Those of ``response_ids`` stored for ``unit_id`` and not flagged for ``reason`` yet (an id
    remembered from a transaction that was rolled back is not stored)."""
    if not response_ids:
        return []
    return list(session.scalars(
        select(Response.id).outerjoin(ResponseFlag, ResponseFlag.response_id == Response.id)
        .where(Response.id.in_(response_ids), Response.unit_id == unit_id,
               or_(ResponseFlag.response_id.is_(None), not_(ResponseFlag.reasons.contains(reason.value))))))


def _unit_volume_limit(session: Session, memory: ScreeningMemory, *, unit_id: int, at: datetime,
                       rules: IntegrityRules, tz: tzinfo) -> int:
    """The unit's volume limit for the local day of ``at``, from the days before it: the same
    all day, so worked out once a day and kept (``ScreeningMemory.number``)."""
    day = at.astimezone(tz).date()

    def compute() -> int:
        first = day - timedelta(days=rules.volume_history_days)
        history_from = datetime.combine(first, time(), tz)
        day_start = datetime.combine(day, time(), tz)
        history = session.scalar(select(func.count(Response.id)).where(
            Response.unit_id == unit_id, Response.channel == Channel.LINK,
            Response.submitted_at >= history_from, Response.submitted_at < day_start,
            not_(select(ResponseFlag.response_id).where(ResponseFlag.response_id == Response.id,
                                                        ResponseFlag.restored.is_(False)).exists())))
        return volume_limit(rules, history_count=history or 0,
                            dossiers_per_day=_dossiers_per_day(session, unit_id, Period(first, day - timedelta(days=1))))

    return memory.number(f"volume-limit:{unit_id}:{day.isoformat()}:{_rules_key(rules)}", timedelta(hours=25), compute)


def _rules_key(rules: IntegrityRules) -> str:
    return f"{rules.volume_hours}:{rules.volume_history_days}:{rules.volume_factor}:{rules.volume_min}"


def _dossiers_per_day(session: Session, unit_id: int, period: Period) -> float | None:
    """The unit's transactions a day over ``period``, from its imported volumes (every channel:
    each channel's volume over the days its rows cover); None when none covers a day of it."""
    rows: dict[str, list[tuple[date, date, int]]] = defaultdict(list)
    for channel, start, end, count in session.execute(
            select(Volume.channel, Volume.period_start, Volume.period_end, Volume.count).where(
                Volume.unit_id == unit_id, Volume.period_end >= period.start, Volume.period_start <= period.end)):
        rows[channel].append((start, end, count))
    rates = []
    for channel_rows in rows.values():
        volume, _ = period_volume(channel_rows, period)
        covered = sum((min(end, period.end) - max(start, period.start)).days + 1 for start, end, _ in channel_rows)
        if covered > 0:
            rates.append(volume / covered)
    return sum(rates) if rates else None
