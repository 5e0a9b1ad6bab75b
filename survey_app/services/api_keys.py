"""API keys of the one-stop software: made once, kept only as a hash, valid for a unit subtree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import ApiKey, Invitation, Unit
from survey_app.services.secrets import new_secret, secret_hash
from survey_app.services.units import all_units, descendant_ids, unit_by_code

# Recognisable in logs and by secret scanners; the 32 random bytes after it are the secret.
KEY_PREFIX = "sk_"
KEY_BYTES = 32
MAX_NAME_LENGTH = 255


class ApiKeyError(ValueError):
    pass


class UnknownUnit(ApiKeyError):
    pass


class OutOfScope(ApiKeyError):
    """The unit exists but is not the key's unit or below it."""


def create_api_key(session: Session, *, name: str, unit: Unit, now: datetime) -> tuple[ApiKey, str]:
    """A new key for ``unit`` and every unit below it; returns the row and the key itself.

    The key is returned here and nowhere else: only its hash is stored.
    """
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        raise ApiKeyError(f"the name must be 1 to {MAX_NAME_LENGTH} characters")
    key = KEY_PREFIX + new_secret(KEY_BYTES)
    api_key = ApiKey(name=name, key_hash=secret_hash(key), unit=unit, created_at=now)
    session.add(api_key)
    session.flush()
    return api_key, key


def api_key_for(session: Session, key: str) -> ApiKey | None:
    """The key's row if it exists and is not revoked, else None."""
    if not key:
        return None
    return session.scalar(
        select(ApiKey).where(ApiKey.key_hash == secret_hash(key), ApiKey.revoked_at.is_(None))
    )


def revoke_api_key(session: Session, key_id: int, now: datetime) -> ApiKey:
    """Revoke a key (from its next request on); revoking it again keeps the first date."""
    api_key = session.get(ApiKey, key_id)
    if api_key is None:
        raise ApiKeyError(f"no API key {key_id}")
    if api_key.revoked_at is None:
        api_key.revoked_at = now
        session.flush()
    return api_key


def list_api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def unit_ids_in_scope(session: Session, api_key: ApiKey) -> set[int]:
    """The ids of the key's unit and of every unit below it."""
    return descendant_ids(all_units(session)).get(api_key.unit_id, {api_key.unit_id})


def unit_for_key(session: Session, api_key: ApiKey, code: str) -> Unit:
    """The unit ``code`` if the key may act on it; UnknownUnit or OutOfScope otherwise."""
    unit = unit_by_code(session, code)
    if unit is None:
        raise UnknownUnit(f"no unit {code!r}")
    if unit.id not in unit_ids_in_scope(session, api_key):
        raise OutOfScope(f"this API key may not act on unit {code!r}")
    return unit


def invitation_for_key(session: Session, api_key: ApiKey, public_id: str) -> Invitation | None:
    """The invitation with this public id, if it belongs to the key's units (else None, so
    that a key cannot even learn whether another scope's invitation exists)."""
    invitation = session.scalar(select(Invitation).where(Invitation.public_id == public_id))
    if invitation is None or invitation.unit_id not in unit_ids_in_scope(session, api_key):
        return None
    return invitation
