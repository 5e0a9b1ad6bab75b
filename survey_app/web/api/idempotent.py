"""``POST /invitations`` with an ``Idempotency-Key``: a client that lost the answer (a timeout,
a dropped connection) sends the request again and gets the same invitations, not new ones.

The key is remembered in the database (services/idempotency.py), so it holds across workers
and servers; of two simultaneous requests with one key, the unique constraint lets one mint
and the other, once the first has committed, answers what the first minted.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.models import ApiKey
from survey_app.models.access import IdempotentRequest
from survey_app.services import idempotency
from survey_app.web.api.authentication import presented_secret
from survey_app.web.api.errors import ApiError
from survey_app.web.api.minting import issued_response, mint
from survey_app.web.api.openapi import InvitationRequest

REPLAYED_HEADER = "Idempotent-Replayed"


def idempotent_issue(api_key: ApiKey, body: InvitationRequest, header: str):
    try:
        key = idempotency.checked_key(header)
    except idempotency.IdempotencyKeyError as exc:
        raise ApiError(400, "invalid_request", str(exc))
    secret = presented_secret()
    remembered = {
        "api_key_id": api_key.id, "key": idempotency.key_fingerprint(secret, key), "now": datetime.now(timezone.utc),
        "keep_for": timedelta(hours=current_app.config["API_IDEMPOTENCY_HOURS"]),
        "hashed_request": idempotency.request_hash(secret, body.model_dump(mode="json")),
    }
    earlier = _earlier(remembered)
    if earlier is not None:
        return _replay(earlier, secret)
    try:
        reserved = idempotency.reserve(db.session, **remembered)
    except IntegrityError:
        # Another request with this key committed while this one waited at the constraint.
        db.session.rollback()
        earlier = _earlier(remembered)
        if earlier is None:
            raise
        return _replay(earlier, secret)
    try:
        issued = mint(api_key, body, idempotency.derived_tokens(secret, reserved.token_salt, body.count))
    except ApiError:
        db.session.rollback()  # a refused request leaves its key unused
        raise
    idempotency.remember(db.session, reserved, [item.invitation for item in issued])
    db.session.commit()
    return issued_response([(item.invitation, item.token) for item in issued],
                           {REPLAYED_HEADER: "false"})


def _earlier(remembered: dict) -> IdempotentRequest | None:
    try:
        return idempotency.earlier_request(db.session, **remembered)
    except idempotency.IdempotencyKeyReused as exc:
        raise ApiError(422, "idempotency_key_reused", str(exc))


def _replay(earlier: IdempotentRequest, secret: str):
    invitations = idempotency.remembered_invitations(db.session, earlier)
    tokens = idempotency.derived_tokens(secret, earlier.token_salt, len(invitations))
    return issued_response(list(zip(invitations, tokens, strict=True)), {REPLAYED_HEADER: "true"})
