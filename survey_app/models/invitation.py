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
    cannot be turned into submissions.

    Worthless to a reader of the database, at every moment of its life: on PostgreSQL the row
    version written by the claim shares its transaction id (``xmin``) with the response that
    answered it, so whatever an invitation holds is as good as written on that response. It
    therefore holds nothing that leads to a dossier (the reference the one-stop software may
    send is checked and never kept), to a person (not who issued it, user or API key: the audit
    log says who printed slips) or to a time finer than the day (issue, expiry and answer are
    days). See the README, "What a database administrator can and cannot learn".
    """

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_unit_issued", "unit_id", "issued_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    procedure_code: Mapped[str | None] = mapped_column(String(64))
    # How the dossier was submitted: direct (at the counter), online or postal.
    channel: Mapped[str] = mapped_column(String(16))
    # The local day (TIMEZONE) it was issued, never the time: the time would match the one-stop
    # software's record of the dossier handed back, or the audit log's slips printed.
    issued_on: Mapped[date] = mapped_column(Date)
    # When it stops working: always the local midnight that ends its last valid day
    # (domain.invitation.expiry), so it tells the day of issue and no more. A time, not a day,
    # so that the claim and the API compare and report it as the moment it is.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The local day it was answered, never the time: a time could be matched with the
    # response's own submission time.
    answered_on: Mapped[date | None] = mapped_column(Date)

    unit: Mapped[Unit] = relationship()
