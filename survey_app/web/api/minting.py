"""Minting invitations for an API request, and the answer that hands them out."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app

from survey_app.extensions import db
from survey_app.models import ApiKey, Invitation
from survey_app.services.api_keys import OutOfScope, UnknownUnit, unit_for_key
from survey_app.services.invitations import InvitationError, IssuedInvitation, issue_invitations
from survey_app.web.api.errors import ApiError, json_response
from survey_app.web.api.openapi import InvitationRequest, InvitationsIssued
from survey_app.web.urls import survey_url


def mint(api_key: ApiKey, body: InvitationRequest,
         tokens: list[str] | None = None) -> list[IssuedInvitation]:
    """Issue the invitations the body asks for (not committed); ApiError if it cannot be."""
    try:
        unit = unit_for_key(db.session, api_key, body.unit)
    except UnknownUnit as exc:
        raise ApiError(400, "unknown_unit", str(exc))
    except OutOfScope as exc:
        raise ApiError(403, "unit_out_of_scope", str(exc))
    try:
        return issue_invitations(
            db.session, unit=unit, count=body.count, now=datetime.now(timezone.utc),
            valid_days=current_app.config["INVITATION_VALID_DAYS"],
            tz=ZoneInfo(current_app.config["TIMEZONE"]),
            # The dossier reference is checked, never kept (services/invitations.py).
            channel=body.channel, procedure=body.procedure, reference=body.reference, tokens=tokens,
        )
    except InvitationError as exc:
        db.session.rollback()
        raise ApiError(400, "invalid_request", str(exc))


def issued_response(issued: list[tuple[Invitation, str]], headers: dict | None = None):
    result = []
    for invitation, token in issued:
        url = survey_url(token)
        result.append({"id": invitation.public_id, "url": url, "expires_at": invitation.expires_at,
                       "qr": {"svg": f"{url}/qr.svg", "png": f"{url}/qr.png"}})
    return json_response(InvitationsIssued.model_validate({"invitations": result}), 201, headers)
