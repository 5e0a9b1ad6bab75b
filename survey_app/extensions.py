"""Flask extensions, created unbound here and initialised in ``create_app``."""

from __future__ import annotations

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from survey_app import read_only  # noqa: F401  (its pool listeners: connections opened read-only)
from survey_app.sqltypes import render_migration_item

# Predictable constraint names, so that migrations can refer to (and drop) them on every
# database; without a convention PostgreSQL and SQLite invent different ones.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
# Batch mode lets migrations alter tables on SQLite, which has almost no ALTER TABLE.
migrate = Migrate(render_as_batch=True, compare_type=True, render_item=render_migration_item)
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
# E-mail backends (file, smtp, console); the outbox sends through it (survey_app/messaging/).
mail = Mail()
login_manager.login_view = "auth.login"
# Limits are counted in RATELIMIT_STORAGE_URI (memory:// by default; redis:// when several
# processes serve the app, so that they share the counts); see config.py for Redis outages.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _reading_a_page() -> bool:
    """Reading a page is never counted: every limit outside the API guards a write (an answer,
    a sign-in), and skipping the count spares each survey page the limiter's work."""
    return request.method in ("GET", "HEAD") and request.blueprint != "api"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite enforces foreign keys only when asked; WAL lets readers work during a write."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()
