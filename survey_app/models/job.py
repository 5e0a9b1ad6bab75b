"""Background jobs (``services/jobs.py``): a slip sheet, a report or a workbook made outside the
request that asked for it, and the file it left for download.

The row is shared by every web worker and by the job's own process, so that any of them can
show its progress and serve its file. The address of a job carries a random token, of which
only the SHA-256 is kept, as for invitations.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import db
from survey_app.sqltypes import UTCDateTime


class BackgroundJob(db.Model):
    __tablename__ = "background_jobs"
    __table_args__ = (
        CheckConstraint("kind IN ('slips', 'report_pdf', 'report_xlsx')", name="kind_known"),
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    # Percent done, as the job itself reports its steps.
    progress: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Why it failed (services.jobs.Failure), shown to the reader in their language.
    failure: Mapped[str | None] = mapped_column(String(16))
    # Who asked, and the unit the file covers (None: every unit); the file is served to anyone
    # with the same permission over that unit.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # The plain arguments of the work, as JSON (no secret).
    arguments: Mapped[str] = mapped_column(Text)
    download_name: Mapped[str] = mapped_column(String(255))
    # The file's name in the jobs directory, once made; None again once expired.
    file_name: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
