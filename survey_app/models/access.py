"""Credentials held by machines: API keys of the one-stop software, and kiosks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models.unit import Unit
from survey_app.sqltypes import UTCDateTime


class ApiKey(db.Model):
    """A bearer key for the REST API, valid for one unit and every unit below it.

    Only a hash of the key is stored; the key itself is shown once, when it is created.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()


class Kiosk(db.Model):
    """A touch screen at a counter, registered for one unit; its URL carries a secret key."""

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Public, random identifier used in the kiosk's URL; the secret is separate and hashed.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    key_hash: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()


class IdempotentRequest(db.Model):
    """An API request sent with an ``Idempotency-Key``: enough to answer its retries the same.

    The invitations' tokens are not kept (only their hashes are, on the invitations): a retry
    derives them again from the API key, which only the client has, and ``token_salt``.
    """

    __tablename__ = "idempotent_requests"
    # The key is the client's: two API keys may use the same one. The constraint is also what
    # lets only one of two simultaneous requests with the same key mint invitations.
    __table_args__ = (UniqueConstraint("api_key_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    # An HMAC of the client's Idempotency-Key under the API key (services/idempotency.py), never
    # the key itself: a client may well use a dossier's reference as its key.
    idempotency_key: Mapped[str] = mapped_column(String(255))
    # HMAC of the request's fields under the API key: tells a retry from another request.
    request_hash: Mapped[str] = mapped_column(String(64))
    token_salt: Mapped[str] = mapped_column(String(32))
    # The public ids of the invitations minted, in the order they were returned (JSON).
    invitation_ids: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
