"""A database that is read-only for a while, then writable again: a disk guard that sets
PostgreSQL's ``default_transaction_read_only``, a standby not yet promoted, an SQLite file that
cannot be written for a moment.

A connection opened meanwhile stays read-only after the database is writable again: a
PostgreSQL session keeps the defaults it started with, and SQLite opens a file it cannot write
read-only for good. Kept in the pool, such a connection refused the first answers after the
database had recovered (issue 16: 1 post of 8 still got a 503). So:

- a connection opened read-only serves one checkout and is closed when it comes back: the next
  one is opened afresh, and sees the database as it is then;
- a write refused as read-only counts as a lost connection: SQLAlchemy drops it and every
  pooled connection opened before it;
- ``is_read_only_error`` lets the error pages answer such a refusal as an outage (a 503; on
  PostgreSQL it is not an ``OperationalError`` but an ``InternalError``).

The listeners are registered for every engine and pool, as the SQLite pragmas are (extensions.py).
"""

from __future__ import annotations

import os
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.pool import Pool

# PostgreSQL's SQLSTATE read_only_sql_transaction: a write in a read-only transaction.
_PG_READ_ONLY = "25006"
# The mark, in the pool's record of a connection, of one opened read-only.
_OPENED_READ_ONLY = "survey_opened_read_only"


def is_read_only_error(error: BaseException) -> bool:
    """Whether the database refused a write because it (or the connection) is read-only;
    ``error`` is the driver's exception or SQLAlchemy's wrapping of it."""
    original = getattr(error, "orig", None) or error
    if isinstance(original, sqlite3.Error):
        # The primary code: SQLITE_READONLY and its extended forms (READONLY_DBMOVED, ...).
        return (getattr(original, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_READONLY
    # psycopg 3 names the SQLSTATE sqlstate, psycopg2 pgcode.
    return (getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)) == _PG_READ_ONLY


def _opened_read_only(dbapi_connection) -> bool:
    if isinstance(dbapi_connection, sqlite3.Connection):
        # SQLite opens a file it may not write read-only, silently; the same test as its own.
        files = [row[2] for row in dbapi_connection.execute("PRAGMA database_list") if row[1] == "main"]
        return bool(files and files[0]) and not os.access(files[0], os.W_OK)
    if type(dbapi_connection).__module__.startswith(("psycopg", "psycopg2")):
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SHOW transaction_read_only")
            read_only = cursor.fetchone()[0] == "on"
        finally:
            cursor.close()
        dbapi_connection.rollback()  # the SHOW opened a transaction: the pool hands out none
        return read_only
    return False


@event.listens_for(Pool, "connect")
def _mark_read_only(dbapi_connection, connection_record) -> None:
    if _opened_read_only(dbapi_connection):
        connection_record.info[_OPENED_READ_ONLY] = True


@event.listens_for(Pool, "checkin")
def _close_read_only(dbapi_connection, connection_record) -> None:
    # The record stays in the pool; its next checkout opens a new connection (the mark goes
    # with the old one: a record's info is cleared when its connection is invalidated).
    if dbapi_connection is not None and connection_record.info.get(_OPENED_READ_ONLY):
        connection_record.invalidate()


@event.listens_for(Engine, "handle_error")
def _read_only_is_a_lost_connection(context: ExceptionContext) -> None:
    if context.original_exception is not None and is_read_only_error(context.original_exception):
        context.is_disconnect = True
