"""Answering a single-use invitation: claim it, then store the response it was for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.submission import Submission
from survey_app.models import Invitation, Response
from survey_app.services.invitations import attach_response, claim, status
from survey_app.services.responses import record_response

CHANNEL = "invitation"


class InvitationClosed(Exception):
    """The invitation can no longer be answered; nothing was recorded."""

    reason = "closed"

    def __init__(self, invitation: Invitation):
        super().__init__(f"invitation {invitation.public_id} is {self.reason}")
        self.invitation = invitation


class InvitationAnswered(InvitationClosed):
    reason = "answered already"


class InvitationExpired(InvitationClosed):
    reason = "expired"


def submit_invitation(session: Session, *, invitation: Invitation, questionnaire: Questionnaire,
                      submission: Submission, locale: str, now: datetime,
                      submission_key: str | None = None) -> Response:
    """Store one response for ``invitation``, at most once however many requests race for it.

    The claim (one conditional UPDATE) comes first: the database lets exactly one of several
    concurrent claims change the row, and a loser adds nothing to the session. Raises
    InvitationAnswered or InvitationExpired when the claim is lost, and InvalidSubmission
    (from ``record_response``) for an invalid submission, in which case the claim has been made
    in this transaction and the caller must roll back. Flushes, never commits.
    """
    if not claim(session, invitation, now):
        # The claim did not say why; read the row as it is now (committed by the winner).
        session.refresh(invitation)
        if status(invitation, now) == "expired":
            raise InvitationExpired(invitation)
        raise InvitationAnswered(invitation)
    response = record_response(
        session, unit=invitation.unit, questionnaire=questionnaire, submission=submission,
        locale=locale, channel=CHANNEL, submitted_at=now, submission_key=submission_key,
    )
    attach_response(session, invitation, response.id)
    # claim and attach_response update the row behind the session's back: reload it, so that
    # the caller sees answered_at and response_id.
    session.refresh(invitation)
    return response
