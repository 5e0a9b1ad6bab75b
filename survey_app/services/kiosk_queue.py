"""Answers that waited in a kiosk's queue: stored once each, at the time they were given.

A kiosk keeps every answer in a queue on the device (IndexedDB, static/kiosk_queue.js) until
the server confirms it, and sends the queue when the network is there (web/public/kiosk_sync.py).
The same answer may therefore arrive many times: a reply lost with the network, two syncs at
once, a sync cut off halfway, a queue restored from a backup. The unique index on (kiosk_id,
submission_key) stores it once; every later arrival is confirmed as stored already, so that the
kiosk lets it go.

An answer keeps the time the citizen gave it (the kiosk's clock) as ``submitted_at``, so that
periods, reports and the integrity rules judge it by that time, and the time it arrived as
``received_at``. A time ahead of the server's is the kiosk's clock running fast: it is never
stored in the future. An answer older than the queue's limit is refused, as is one for a
questionnaire version the deployment does not know, and a revoked kiosk's whole queue: each
refusal has a reason the kiosk keeps for staff; nothing is dropped without a word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.domain.integrity import IntegrityRules
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.submission import Channel, Outcome, Submission
from survey_app.models import Kiosk, Response
from survey_app.services.responses import InvalidSubmission
from survey_app.services.submissions import Arrival, submit

# A kiosk's clock this far ahead of the server's is wrong, not merely a little off.
CLOCK_SKEW = timedelta(minutes=5)


class Status(StrEnum):
    STORED = "stored"
    ALREADY_STORED = "already_stored"
    REFUSED = "refused"


class Refusal(StrEnum):
    REVOKED = "revoked"                  # the kiosk was revoked: its whole queue is refused
    TOO_OLD = "too_old"                  # given longer ago than the queue's limit
    UNKNOWN_VERSION = "unknown_version"  # a questionnaire version the deployment does not know
    INVALID = "invalid"                  # not a valid answer to its questionnaire
    KEY_IN_USE = "key_in_use"            # its key belongs to another response (never by chance)


@dataclass(frozen=True)
class QueuedAnswer:
    """One answer of a kiosk's queue, as read from what the kiosk sent.

    ``questionnaire`` is None when the kiosk names a version the deployment does not know;
    ``submission`` is None when what it holds is not a valid answer (``problems`` says why).
    """

    key: str
    given_at: datetime
    started_at: datetime | None
    questionnaire: Questionnaire | None
    language: str
    submission: Submission | None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueuedOutcome:
    key: str
    status: Status
    refusal: Refusal | None = None
    problems: tuple[str, ...] = ()
    # The kiosk's clock was more than CLOCK_SKEW ahead: the answer is stored at its arrival.
    clock_ahead: bool = False


def store_queue(session: Session, *, kiosk: Kiosk, answers: Sequence[QueuedAnswer], now: datetime,
                max_age: timedelta, rules: IntegrityRules, tz: tzinfo) -> list[QueuedOutcome]:
    """Store the answers of ``kiosk``'s queue that are new, each at most once, and screen them
    (services/submissions.py, as every submission); one outcome per answer, in the order given.
    Flushes, never commits.

    The answers are stored in the order they were given, so that screening sees each one after
    those given before it, as it would have online.
    """
    if kiosk.revoked_at is not None:
        return [QueuedOutcome(a.key, Status.REFUSED, Refusal.REVOKED) for a in answers]
    outcomes = {a.key: _store_one(session, kiosk, a, now=now, max_age=max_age, rules=rules, tz=tz)
                for a in sorted(answers, key=lambda a: a.given_at)}
    return [outcomes[a.key] for a in answers]


def _store_one(session: Session, kiosk: Kiosk, answer: QueuedAnswer, *, now: datetime, max_age: timedelta,
               rules: IntegrityRules, tz: tzinfo) -> QueuedOutcome:
    if answer.given_at < now - max_age:
        return QueuedOutcome(answer.key, Status.REFUSED, Refusal.TOO_OLD)
    q = answer.questionnaire
    if q is None:
        return QueuedOutcome(answer.key, Status.REFUSED, Refusal.UNKNOWN_VERSION)
    if answer.submission is None:
        return QueuedOutcome(answer.key, Status.REFUSED, Refusal.INVALID, answer.problems)
    clock_ahead = answer.given_at > now + CLOCK_SKEW
    # Never stored in the future; when started and given are both on the kiosk's clock, their
    # difference (the time taken) holds however wrong that clock is.
    given_at = min(answer.given_at, now)
    started_at = answer.started_at - (answer.given_at - given_at) if answer.started_at is not None else None
    try:
        submitted = submit(session, Arrival(
            unit=kiosk.unit, questionnaire=q, submission=answer.submission, locale=answer.language,
            channel=Channel.KIOSK, submission_key=answer.key, given_at=given_at, served_at=started_at,
            kiosk_id=kiosk.id, received_at=now), rules=rules, now=now, tz=tz)
    except InvalidSubmission as exc:
        return QueuedOutcome(answer.key, Status.REFUSED, Refusal.INVALID, tuple(exc.problems))
    if submitted.outcome is Outcome.REPEATED:
        # Stored already: by this kiosk (a replay), or under another's key (never by chance).
        mine = session.scalar(select(Response.id).where(Response.kiosk_id == kiosk.id,
                                                        Response.submission_key == answer.key))
        if mine is None:
            return QueuedOutcome(answer.key, Status.REFUSED, Refusal.KEY_IN_USE)
        return QueuedOutcome(answer.key, Status.ALREADY_STORED)
    return QueuedOutcome(answer.key, Status.STORED, clock_ahead=clock_ahead)
