from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.domain.permissions import Role
from survey_app.extensions import db
from survey_app.models.unit import Unit
from survey_app.sqltypes import UTCDateTime


class User(UserMixin, db.Model):
    """A person who signs in: an administrator, a reform officer or one-stop-shop staff.

    ``unit`` scopes what they may see and do to that unit and every unit below it; an
    admin or officer without a unit covers the whole tree.
    """

    __tablename__ = "users"
    # A new role needs a migration that widens this constraint.
    __table_args__ = (CheckConstraint(f"role IN ({', '.join(repr(str(r)) for r in Role)})",
                                      name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the id kept in session cookies: raising it ends every session opened before,
    # so that disabling then re-enabling an account does not revive old sessions.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    unit: Mapped[Unit | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:  # what Flask-Login stores in the session cookie
        return f"{self.id}.{self.session_generation}"
