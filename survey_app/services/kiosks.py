"""Kiosks: touch screens at a counter, each registered for one unit and opened with a secret key.

The key is handed out once, inside the kiosk's URL; only its hash is stored, so a copy of the
database cannot be turned into a working kiosk. A revoked kiosk opens no more.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.domain.text import text_problem
from survey_app.models import Kiosk, Unit
from survey_app.services.secrets import new_secret, secret_hash

# 12 random bytes = 16 URL-safe characters: the public part of the URL, not a secret.
PUBLIC_ID_BYTES = 12
MAX_NAME_LENGTH = 255


class KioskError(ValueError):
    pass


def register_kiosk(session: Session, *, unit: Unit, name: str, now: datetime) -> tuple[Kiosk, str]:
    """A new kiosk for ``unit`` and its secret key; the key is not stored and cannot be shown again."""
    if text_problem(name):
        raise KioskError(f"a kiosk's name {text_problem(name)}")
    name = " ".join(name.split())
    if not name:
        raise KioskError("a kiosk needs a name (e.g. 'Counter 1, ground floor')")
    if len(name) > MAX_NAME_LENGTH:
        raise KioskError(f"a kiosk's name has at most {MAX_NAME_LENGTH} characters")
    key = new_secret()
    kiosk = Kiosk(public_id=new_secret(PUBLIC_ID_BYTES), name=name, key_hash=secret_hash(key),
                  unit=unit, created_at=now)
    session.add(kiosk)
    session.flush()
    return kiosk, key


def kiosk_for(session: Session, public_id: str, key: str | None) -> Kiosk | None:
    """The kiosk that ``public_id`` and ``key`` open, or None (unknown, revoked or wrong key)."""
    kiosk = registered_kiosk(session, public_id, key)
    return kiosk if kiosk is not None and kiosk.revoked_at is None else None


def registered_kiosk(session: Session, public_id: str, key: str | None) -> Kiosk | None:
    """The kiosk of ``public_id`` when ``key`` is its key, revoked or not; else None. Only for
    telling a revoked kiosk why it is refused: a revoked kiosk opens nothing (``kiosk_for``)."""
    if not key:
        return None
    kiosk = session.scalar(select(Kiosk).where(Kiosk.public_id == public_id))
    # Compare the hashes in constant time, also when there is no kiosk to compare with.
    stored = kiosk.key_hash if kiosk is not None else secret_hash("")
    if not hmac.compare_digest(secret_hash(key), stored) or kiosk is None:
        return None
    return kiosk


def revoke_kiosk(session: Session, kiosk: Kiosk, *, now: datetime) -> Kiosk:
    """Stop ``kiosk`` from opening; revoking twice keeps the first time."""
    if kiosk.revoked_at is None:
        kiosk.revoked_at = now
        session.flush()
    return kiosk


def kiosks_of_units(session: Session, units: Iterable[Unit]) -> list[Kiosk]:
    """The kiosks (revoked ones too) of ``units``, by unit code, then newest first."""
    ids = [unit.id for unit in units]
    if not ids:
        return []
    return list(session.scalars(
        select(Kiosk).join(Unit).where(Kiosk.unit_id.in_(ids))
        .order_by(Unit.code, Kiosk.created_at.desc(), Kiosk.id.desc())
    ))


def kiosks_of_unit(session: Session, unit: Unit) -> list[Kiosk]:
    return kiosks_of_units(session, [unit])
