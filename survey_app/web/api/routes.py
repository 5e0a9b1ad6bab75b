"""The API's two resources, invitations and the OpenAPI description, and a JSON 404/405 for
anything else under ``/api/v1``."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from survey_app.domain.invitation import day_start
from survey_app.extensions import db
from survey_app.services.api_keys import invitation_for_key
from survey_app.services.invitations import status
from survey_app.web.api import bp
from survey_app.web.api.authentication import authenticated_key
from survey_app.web.api.errors import ApiError, json_response
from survey_app.web.api.idempotent import idempotent_issue
from survey_app.web.api.minting import issued_response, mint
from survey_app.web.api.openapi import (
    InvitationRequest,
    InvitationStatus,
    openapi_document,
)


def _invitation_request() -> InvitationRequest:
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    try:
        return InvitationRequest.model_validate_json(request.get_data())
    except ValidationError as exc:
        problems = exc.errors(include_url=False, include_input=False, include_context=False)
        if any(problem["type"] == "json_invalid" for problem in problems):
            raise ApiError(400, "invalid_json", f"The body is not valid JSON: {problems[0]['msg']}")
        details = [{"field": ".".join(str(part) for part in problem["loc"]), "message": problem["msg"]}
                   for problem in problems]
        message = "; ".join(f"{d['field'] or 'body'}: {d['message']}" for d in details)
        raise ApiError(400, "invalid_request", message, details=details)


@bp.post("/invitations")
def issue():
    api_key = authenticated_key()
    body = _invitation_request()
    key = request.headers.get("Idempotency-Key")
    if key is not None:
        return idempotent_issue(api_key, body, key)
    issued = mint(api_key, body)
    db.session.commit()
    return issued_response([(item.invitation, item.token) for item in issued])


@bp.get("/invitations/<public_id>")
def invitation_status(public_id: str):
    api_key = authenticated_key()
    invitation = invitation_for_key(db.session, api_key, public_id)
    if invitation is None:
        raise ApiError(404, "not_found", "No such invitation among this API key's units.")
    return json_response(InvitationStatus(
        id=invitation.public_id, unit=invitation.unit.code, procedure=invitation.procedure_code,
        channel=invitation.channel, status=status(invitation, datetime.now(timezone.utc)),
        # Only the day of issue is kept: its start, in the deployment's time zone.
        issued_at=day_start(invitation.issued_on, ZoneInfo(current_app.config["TIMEZONE"])),
        expires_at=invitation.expires_at,
    ))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


_ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@bp.route("/", defaults={"rest": ""}, methods=_ANY_METHOD)
@bp.route("/<path:rest>", methods=_ANY_METHOD)
def unmatched(rest: str):
    """Anything else under /api/v1 gets a JSON 404, or 405 for a known path's other methods
    (the app's own error pages are HTML, meant for people)."""
    own_rules = [Rule(rule.rule, endpoint=rule.endpoint, methods=rule.methods)
                 for rule in current_app.url_map.iter_rules()
                 if rule.endpoint.startswith(f"{bp.name}.") and rule.endpoint != request.endpoint]
    allowed = Map(own_rules).bind("api").allowed_methods(request.path)
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed)
    raise NotFound("No such API resource.")
