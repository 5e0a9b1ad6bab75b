"""Answering a single-use invitation: claim it, then store the response it was for.

The response and the invitation are never linked: the invitation records only that it was
answered, and the day; the response records its channel ("invitation") and the random key of
the form that sent it. A double tap is recognised by that key (the same form was stored), not
by following a link from the invitation.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.domain.invitation import InvitationStatus
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.submission import Channel, Outcome, Submission
from survey_app.models import Invitation, Response
from survey_app.services.invitations import claim, status
from survey_app.services.responses import record_response

# The outcomes an invitation's submission can have are those of any submission.
InvitationOutcome = Outcome


def form_stored(session: Session, invitation: Invitation, submission_key: str | None) -> bool:
    """Whether the form carrying ``submission_key`` was stored as an invitation's answer for
    ``invitation``'s unit: then a closed invitation is this very form's double tap or retry.

    The key is random per form and known only to the browser that holds the form, so this
    says nothing to anyone else.
    """
    if not submission_key:
        return False
    return session.scalar(select(Response.id).where(
        Response.submission_key == submission_key, Response.channel == Channel.INVITATION,
        Response.unit_id == invitation.unit_id)) is not None


def closed_outcome(session: Session, invitation: Invitation, now: datetime,
                   submission_key: str | None) -> InvitationOutcome | None:
    """Why ``invitation`` cannot take this submission, or None while it can be answered."""
    state = status(invitation, now)
    if state == InvitationStatus.ISSUED:
        return None
    if state == InvitationStatus.EXPIRED:
        return InvitationOutcome.EXPIRED
    if form_stored(session, invitation, submission_key):
        return InvitationOutcome.REPEATED
    return InvitationOutcome.ANSWERED


def submit_invitation(session: Session, *, invitation: Invitation, questionnaire: Questionnaire,
                      submission: Submission, locale: str, now: datetime, tz: tzinfo,
                      submission_key: str | None = None) -> InvitationOutcome:
    """Store one response for ``invitation``, at most once however many requests race for it.

    The claim (one conditional UPDATE, recording the day of ``now`` in ``tz``) comes first: the
    database lets exactly one of several concurrent claims change the row, and a loser adds
    nothing to the session and gets the reason (answered by this same form, by another, or
    expired). Raises InvalidSubmission (from ``record_response``) for an invalid submission, in
    which case the claim has been made in this transaction and the caller must roll back.
    Flushes, never commits.
    """
    closed = claim_for_answer(session, invitation, now=now, tz=tz, submission_key=submission_key)
    if closed is not None:
        return closed
    record_response(
        session, unit=invitation.unit, questionnaire=questionnaire, submission=submission,
        locale=locale, channel=Channel.INVITATION, submitted_at=now, submission_key=submission_key,
    )
    return InvitationOutcome.STORED


def claim_for_answer(session: Session, invitation: Invitation, *, now: datetime, tz: tzinfo,
                     submission_key: str | None) -> InvitationOutcome | None:
    """Claim ``invitation`` for the submission being stored (None), or say why it cannot take it.

    The claim (one conditional UPDATE, recording the day of ``now`` in ``tz``) comes first: the
    database lets exactly one of several concurrent claims change the row, and a loser gets the
    reason (answered by this same form, by another, or expired). Flushes.
    """
    closed = closed_outcome(session, invitation, now, submission_key)
    if closed is not None:
        return closed
    if not claim(session, invitation, now, now.astimezone(tz).date()):
        # The claim did not say why; read the row as it is now (committed by the winner).
        session.refresh(invitation)
        return closed_outcome(session, invitation, now, submission_key) or InvitationOutcome.ANSWERED
    # claim updated the row behind the session's back: reload it, so that the caller sees
    # answered_on.
    session.refresh(invitation)
    return None
