"""Who is calling: the bearer API key, looked up once per request, and the rate limit that
is counted per key (API_RATE_LIMIT)."""

from __future__ import annotations

from contextlib import suppress

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from survey_app.extensions import db
from survey_app.models import ApiKey
from survey_app.services.api_keys import api_key_for
from survey_app.web.api.errors import ApiError


def presented_secret() -> str | None:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" and key.strip() else None


def _valid_key() -> ApiKey | None:
    # The rate limiter asks before the view does: one lookup serves both.
    if "api_key" not in g:
        secret = presented_secret()
        g.api_key = api_key_for(db.session, secret) if secret else None
    return g.api_key


def authenticated_key() -> ApiKey:
    if presented_secret() is None:
        raise ApiError(401, "missing_api_key", "Send an API key as 'Authorization: Bearer <key>'.",
                       headers={"WWW-Authenticate": 'Bearer realm="api"'})
    api_key = _valid_key()
    if api_key is None:
        raise ApiError(401, "invalid_api_key", "The API key is unknown or revoked.",
                       headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'})
    return api_key


def rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def rate_limit_key() -> str:
    """Each valid key has its own count, wherever its requests come from; requests without one
    (guessing keys, reading the OpenAPI document) are counted per client address."""
    try:
        api_key = _valid_key()
    except (OperationalError, InterfaceError):
        # The database is down, and the view will say so (503). Raised here, the limiter would
        # take it for its own storage failing and count in memory for a while.
        with suppress(DBAPIError):
            db.session.rollback()
        api_key = None
    return f"api-key:{api_key.id}" if api_key is not None else f"api-address:{get_remote_address()}"
