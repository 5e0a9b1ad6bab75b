"""What figures of a period were computed from, in a few cheap queries (services/figures_cache.py).

A fingerprint changes whenever any data the figures of a period read change:
- responses to the questionnaire submitted within the given times: the sum of their hours'
  tallies (models/response_tally.py), which triggers raise on every insert, delete or update
  of a response, whatever wrote it: a late one (a paper form typed in, a CSV import, a
  submission slow to commit) changes it, and reading it costs a few hundred rows, not a count
  of a million responses;
- response flags and officers' reviews of them, counted: a response flagged, restored or
  flagged back adds a row to one of them (flags are few, so all of them are counted);
- every unit (code, name, parent): a unit added, renamed or moved;
- invitations issued in the period (and how many answered): response rates and the weights of
  the invitation channel;
- volumes touching the period: the weighted index.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app.domain.periods import Period
from survey_app.models import FlagReview, Invitation, ResponseFlag, ResponseTally, Unit, Volume


def data_fingerprint(session: Session, questionnaire_id: str, responses_from: datetime, responses_to: datetime,
                     period: Period, tz: ZoneInfo) -> str:
    """A hash of the state of every datum figures of ``period`` may read, responses being those
    submitted in [responses_from, responses_to) (UTC; it covers the period, and whatever else
    the figures compare it with: the previous period, earlier quarters)."""
    return data_fingerprints(session, questionnaire_id, [(responses_from, responses_to, period)], tz)[0]


def data_fingerprints(session: Session, questionnaire_id: str, asked: list[tuple[datetime, datetime, Period]],
                      tz: ZoneInfo) -> list[str]:
    """``data_fingerprint`` of each (responses_from, responses_to, period), the units and flags read once."""
    flags = _flag_counts(session)
    units = session.execute(select(Unit.id, Unit.code, Unit.name, Unit.parent_id).order_by(Unit.id)).all()
    shared = repr((flags, [tuple(u) for u in units]))
    return [hashlib.sha256(repr((shared, _period_state(session, questionnaire_id, *item, tz))).encode()).hexdigest()
            for item in asked]


def _flag_counts(session: Session) -> tuple:
    return tuple(session.execute(select(select(func.count()).select_from(ResponseFlag).scalar_subquery(),
                                        select(func.count()).select_from(FlagReview).scalar_subquery())).one())


def _tallies(session: Session, questionnaire_id: str, responses_from: datetime, responses_to: datetime) -> tuple:
    # Whole hours covering the times: a period of a zone a half hour off UTC takes in a little
    # more, which can only make the fingerprint change more often, never less.
    return tuple(session.execute(
        select(func.count(), func.sum(ResponseTally.changes))
        .where(ResponseTally.questionnaire_id == questionnaire_id,
               ResponseTally.hour >= math.floor(responses_from.timestamp() / 3600),
               ResponseTally.hour < math.ceil(responses_to.timestamp() / 3600))).one())


def responses_state(session: Session, questionnaire_id: str, responses_from: datetime, responses_to: datetime) -> tuple:
    """What decides which responses of [responses_from, responses_to) count and what they say:
    their tallies and the flag and review counts (services/rating_matrix.kept_matrices)."""
    return _flag_counts(session), _tallies(session, questionnaire_id, responses_from, responses_to)


def _period_state(session: Session, questionnaire_id: str, responses_from: datetime, responses_to: datetime,
                  period: Period, tz: ZoneInfo) -> tuple:
    start, end = period.utc_bounds(tz)
    responses = _tallies(session, questionnaire_id, responses_from, responses_to)
    invitations = session.execute(
        select(func.count(), func.count(Invitation.answered_on), func.max(Invitation.id))
        .where(Invitation.issued_at >= start, Invitation.issued_at < end)).one()
    volumes = session.execute(
        select(Volume.id, Volume.unit_id, Volume.channel, Volume.period_start, Volume.period_end, Volume.count)
        .where(Volume.period_start <= period.end, Volume.period_end >= period.start).order_by(Volume.id)).all()
    return responses, tuple(invitations), [tuple(v) for v in volumes]
