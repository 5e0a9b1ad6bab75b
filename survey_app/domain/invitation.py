"""What an invitation can be: how its dossier came in, and where it stands."""

from __future__ import annotations

from datetime import datetime
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
