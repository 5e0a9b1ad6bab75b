"""Idempotent minting: a retry of an API request with the same ``Idempotency-Key`` gets the
same invitations back instead of new ones.

The key itself is kept only as an HMAC under the API key (it is the client's choice, and may be
a dossier's reference). Whether a request is the same is decided by an HMAC of its fields under
the API key, and the
invitations' tokens of a remembered request are derived from the API key and a random salt:
the database alone (a backup, a leaked dump, even with SECRET_KEY) cannot rebuild the survey
addresses, only the client that holds the key can have them handed out again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey_app.models import Invitation
from survey_app.models.access import IdempotentRequest
from survey_app.services.secrets import TOKEN_BYTES, new_secret

MAX_KEY_LENGTH = 255


class IdempotencyKeyError(ValueError):
    """The header's value cannot be a key."""


class IdempotencyKeyReused(ValueError):
    """The key was used, by the same API key and within the kept time, for another request."""


def checked_key(value: str) -> str:
    if not 1 <= len(value) <= MAX_KEY_LENGTH:
        raise IdempotencyKeyError(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters")
    if not all(" " <= character <= "~" for character in value):
        raise IdempotencyKeyError("Idempotency-Key must be printable ASCII (e.g. a UUID)")
    return value


def key_fingerprint(api_key: str, key: str) -> str:
    """What is kept of an Idempotency-Key: an HMAC under the API key. The key is the client's
    choice, and could be a dossier's reference: the database must not hold it."""
    return hmac.new(api_key.encode("utf-8"), f"idempotency-key:{key}".encode(), hashlib.sha256).hexdigest()


def request_hash(api_key: str, fields: dict) -> str:
    """The same fields (defaults filled in) give the same hash, however the JSON was written."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(api_key.encode("utf-8"), canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def derived_tokens(api_key: str, salt: str, count: int) -> list[str]:
    """As long and as random as new_secret()'s tokens to anyone without the API key."""
    tokens = []
    for index in range(count):
        digest = hmac.new(api_key.encode("utf-8"), f"invitation-token:{salt}:{index}".encode(),
                          hashlib.sha256).digest()
        tokens.append(base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).decode("ascii").rstrip("="))
    return tokens


def earlier_request(session: Session, *, api_key_id: int, key: str, hashed_request: str,
                    now: datetime, keep_for: timedelta) -> IdempotentRequest | None:
    """The remembered request with this key, if any; IdempotencyKeyReused if it was another one."""
    earlier = session.scalar(select(IdempotentRequest).where(
        IdempotentRequest.api_key_id == api_key_id, IdempotentRequest.idempotency_key == key,
        IdempotentRequest.created_at > now - keep_for))
    if earlier is not None and not hmac.compare_digest(earlier.request_hash, hashed_request):
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used for a different request; use a new key for it.")
    return earlier


def reserve(session: Session, *, api_key_id: int, key: str, hashed_request: str, now: datetime,
            keep_for: timedelta) -> IdempotentRequest:
    """Claim the key for a request about to mint invitations (in the caller's transaction).

    Raises IntegrityError when another request holds the key: a concurrent one waits at this
    flush until the first commits (or rolls back, and then gets the key), so only one mints.
    """
    # The API key's forgotten requests go first, so their keys can be used again.
    session.execute(delete(IdempotentRequest).where(
        IdempotentRequest.api_key_id == api_key_id, IdempotentRequest.created_at <= now - keep_for))
    reserved = IdempotentRequest(api_key_id=api_key_id, idempotency_key=key,
                                 request_hash=hashed_request, token_salt=new_secret(16),
                                 invitation_ids="[]", created_at=now)
    session.add(reserved)
    session.flush()
    return reserved


def remember(session: Session, reserved: IdempotentRequest, invitations: list[Invitation]) -> None:
    reserved.invitation_ids = json.dumps([invitation.public_id for invitation in invitations])
    session.flush()


def remembered_invitations(session: Session, earlier: IdempotentRequest) -> list[Invitation]:
    """The invitations the request minted, in the order it returned them."""
    public_ids = json.loads(earlier.invitation_ids)
    found = {invitation.public_id: invitation for invitation in session.scalars(
        select(Invitation).where(Invitation.public_id.in_(public_ids)))}
    return [found[public_id] for public_id in public_ids]
