"""Single-use invitations: issued per dossier, answered at most once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from survey_app.domain.invitation import DossierChannel, InvitationStatus, expiry, invitation_status
from survey_app.domain.periods import Period
from survey_app.domain.text import text_problem
from survey_app.models import Invitation, Unit
from survey_app.services.secrets import new_secret, secret_hash

DOSSIER_CHANNELS = tuple(DossierChannel)
MAX_PER_REQUEST = 500


class InvitationError(ValueError):
    pass


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation as handed out: the only moment its token exists outside the citizen's link."""

    invitation: Invitation
    token: str


def issue_invitations(session: Session, *, unit: Unit, count: int, now: datetime, valid_days: int,
                      tz: tzinfo, channel: str = DossierChannel.DIRECT, procedure: str | None = None,
                      reference: str | None = None,
                      tokens: Sequence[str] | None = None) -> list[IssuedInvitation]:
    """``count`` invitations of ``unit``, issued on the local day (``tz``) of ``now`` and valid
    that day and the ``valid_days`` after it.

    ``reference``, the dossier's reference the one-stop software may send, is checked (one
    dossier, one invitation) and never kept: the claim of an invitation is written in the
    transaction of its response, so what the row holds must lead to no dossier (see models/
    invitation.py); a retried request is recognised by its Idempotency-Key, not by the
    reference. Who issues is not kept either (the audit log records who printed slips).
    ``tokens``: the invitations' secrets when the caller derives them (an idempotent API
    request, services/idempotency.py); random ones by default.
    """
    if not 1 <= count <= MAX_PER_REQUEST:
        raise InvitationError(f"count must be between 1 and {MAX_PER_REQUEST}")
    if channel not in DOSSIER_CHANNELS:
        raise InvitationError(f"channel must be one of {', '.join(DOSSIER_CHANNELS)}")
    if procedure is not None:
        procedure = procedure.strip()
        if not 1 <= len(procedure) <= 64:
            raise InvitationError("procedure must be 1 to 64 characters")
        if text_problem(procedure):
            raise InvitationError(f"procedure {text_problem(procedure)}")
    if reference is not None and text_problem(reference):
        raise InvitationError(f"reference {text_problem(reference)}")
    if reference is not None and count != 1:
        raise InvitationError("a dossier reference belongs to one invitation: use count 1")
    if tokens is not None and len(tokens) != count:
        raise InvitationError("one token per invitation")
    issued_on = now.astimezone(tz).date()
    expires_at = expiry(issued_on, valid_days, tz)
    issued = []
    for index in range(count):
        token = tokens[index] if tokens is not None else new_secret()
        invitation = Invitation(
            public_id=uuid.uuid4().hex, token_hash=secret_hash(token), unit=unit,
            procedure_code=procedure or None, channel=channel, issued_on=issued_on, expires_at=expires_at,
        )
        session.add(invitation)
        issued.append(IssuedInvitation(invitation, token))
    session.flush()
    return issued


def invitation_by_token(session: Session, token: str) -> Invitation | None:
    return session.scalar(select(Invitation).where(Invitation.token_hash == secret_hash(token)))


def status(invitation: Invitation, now: datetime) -> InvitationStatus:
    return invitation_status(answered=invitation.answered_on is not None,
                             expires_at=invitation.expires_at, now=now)


def claim(session: Session, invitation: Invitation, now: datetime, today: date) -> bool:
    """Mark the invitation answered on ``today`` (the local day of ``now``) if, and only if,
    nobody has yet; True when this call won.

    One conditional UPDATE: the database serialises concurrent claims of the same row, so of
    twenty simultaneous submissions exactly one sees a row count of 1. It is written in the
    response's transaction (on PostgreSQL both rows carry its id, xmin): the row holds nothing
    worth that link (models/invitation.py).
    """
    result = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.answered_on.is_(None),
               Invitation.expires_at > now)
        .values(answered_on=today)
        .execution_options(synchronize_session=False)
    )
    # An UPDATE's result is a CursorResult, which has the row count (mypy sees a Result).
    return cast("CursorResult[Any]", result).rowcount == 1


def issued_per_unit(session: Session, period: Period) -> dict[int, tuple[int, int]]:
    """unit id -> (invitations issued on the days of ``period``, of which answered)."""
    rows = session.execute(
        select(Invitation.unit_id, func.count(), func.count(Invitation.answered_on))
        .where(Invitation.issued_on >= period.start, Invitation.issued_on <= period.end)
        .group_by(Invitation.unit_id)
    )
    return {unit_id: (issued, answered) for unit_id, issued, answered in rows}
