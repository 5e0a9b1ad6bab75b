"""One submitted form, whichever way it came (open link, invitation, kiosk): the use case.

``submit`` checks the submission, claims its invitation when it answers one, stores it once per
submission key, and screens it against the recent responses of its place, all in the caller's
transaction (flushes, never commits), and says what became of it as a ``Submitted``. The web's
three survey views call it the same way; a kiosk's queued answers, sent later, call it with the
time each answer was given (``given_at``), which is the time it is stored and screened by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy.orm import Session

from survey_app.domain.integrity import IntegrityRules, Reason, seconds_between
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.submission import Channel, Outcome, Submission
from survey_app.models import Invitation
from survey_app.services.integrity import screen_response
from survey_app.services.invitation_responses import claim_for_answer
from survey_app.services.responses import (
    InvalidSubmission,
    UnitLike,
    already_submitted,
    check_submission,
    record_response_once,
)


@dataclass(frozen=True)
class Arrival:
    """A submitted form and how it came.

    ``given_at`` is when the citizen gave the answer (now for a form posted now; the kiosk's time
    for a queued answer); ``served_at`` when its form was served, if that can be trusted (else
    the time taken to answer is unknown, which never flags). ``invitation`` is the invitation it
    answers (channel "invitation"), ``kiosk_id`` the kiosk it came from (channel "kiosk").
    ``received_at`` is when an answer that waited in a kiosk's queue reached the server (None for
    a form posted now, whose ``given_at`` is its arrival).
    """

    unit: UnitLike
    questionnaire: Questionnaire
    submission: Submission
    locale: str
    channel: Channel
    submission_key: str
    given_at: datetime
    served_at: datetime | None = None
    kiosk_id: int | None = None
    invitation: Invitation | None = None
    received_at: datetime | None = None


@dataclass(frozen=True)
class Submitted:
    """What became of a submission: its outcome, and when stored, the response's id and why it
    was flagged (empty: it counts)."""

    outcome: Outcome
    response_id: int | None = None
    flagged_for: frozenset[Reason] = frozenset()

    @property
    def thanked(self) -> bool:
        return self.outcome.thanked

    @property
    def counted(self) -> bool:
        return self.outcome is Outcome.STORED and not self.flagged_for


def submit(session: Session, arrival: Arrival, *, rules: IntegrityRules, now: datetime, tz: tzinfo) -> Submitted:
    """Store ``arrival`` at most once and screen it; ``now`` is when it is recorded (the time of
    any flag), ``tz`` the deployment's time zone (the day an invitation records).

    Raises InvalidSubmission, before anything is written or claimed, for a submission that may
    not be stored. A submission key stored already (a double tap, a retry, a twin request racing
    this one) is REPEATED and adds nothing. Flushes, never commits.
    """
    unit = arrival.unit
    if arrival.invitation is not None:
        # Checked before the claim, which must not be made for a submission that cannot be stored
        # (record_response_once checks the others).
        problems = check_submission(arrival.questionnaire, arrival.submission, arrival.locale, arrival.channel)
        if problems:
            raise InvalidSubmission(problems)
        if already_submitted(session, arrival.submission_key):
            # Checked before the claim: a key stored already must not use up an invitation.
            return Submitted(Outcome.REPEATED)
        closed = claim_for_answer(session, arrival.invitation, now=arrival.given_at, tz=tz,
                                  submission_key=arrival.submission_key)
        if closed is not None:
            return Submitted(closed)
        unit = arrival.invitation.unit
    response = record_response_once(
        session, unit=unit, questionnaire=arrival.questionnaire, submission=arrival.submission,
        locale=arrival.locale, channel=arrival.channel, submitted_at=arrival.given_at,
        submission_key=arrival.submission_key, kiosk_id=arrival.kiosk_id, received_at=arrival.received_at)
    if response is None:
        return Submitted(Outcome.REPEATED)
    # Screened in the same transaction: a response is never counted before it is judged.
    flagged = screen_response(
        session, response, criteria=list(arrival.questionnaire.criterion_codes),
        seconds_taken=seconds_between(arrival.served_at, arrival.given_at), rules=rules, now=now,
        submission=arrival.submission)
    return Submitted(Outcome.STORED, response.id, frozenset(flagged))
