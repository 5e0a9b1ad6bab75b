from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models.unit import Unit
from survey_app.sqltypes import UTCDateTime


class Invitation(db.Model):
    """A single-use invitation to answer the survey about one dossier.

    The token in the citizen's link is never stored, only its SHA-256: a copy of the database
    cannot be turned into submissions. The dossier reference is stored as a keyed hash (HMAC)
    for the same reason: it identifies a person's dossier, and is forgotten once the invitation
    is answered.

    Anonymity by construction: nothing here leads to the response that answered it (no id, no
    time finer than the day, no submission key), and the response knows nothing of the
    invitation but its channel.
    """

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_unit_issued", "unit_id", "issued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    procedure_code: Mapped[str | None] = mapped_column(String(64))
    reference_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # How the dossier was submitted: direct (at the counter), online or postal.
    channel: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The local day (TIMEZONE) it was answered, never the time: a time could be matched with
    # the response's own submission time.
    answered_on: Mapped[date | None] = mapped_column(Date)
    # Who issued it: a signed-in user, or an API key of the one-stop software.
    issued_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_by_api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))

    unit: Mapped[Unit] = relationship()
