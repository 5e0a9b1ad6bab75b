"""``flask --app survey_app backup FILE`` and ``restore FILE``: the whole database in one file.

SQLite is copied through its online backup API, a consistent copy while the app keeps writing;
PostgreSQL through ``pg_dump`` in its custom format and ``pg_restore`` (postgresql-client, at
least the server's version). A restore only fills an empty database, so that it can never mix
two installations' data or overwrite the live one: create a new database (or name a new SQLite
file), point ``SURVEY_APP_DATABASE_URL`` at it, restore, then ``db upgrade``.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.engine import URL

from survey_app.extensions import db
from survey_app.models import Response, Unit

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Copy the whole database into FILE (a new file), consistently, while the app runs."""
    if file.exists():
        raise click.ClickException(f"{file} exists already; back up to a new file")
    if not file.parent.is_dir():
        raise click.ClickException(f"{file.parent} is not a directory")
    engine = db.engine
    # Written aside and renamed when complete: a failed backup leaves no file that looks good.
    partial = file.with_name(f"{file.name}.partial")
    try:
        # Readable by its owner only (it holds password hashes and comments), whatever the
        # umask: made empty here with that mode, then filled by SQLite or pg_dump.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        os.chmod(partial, 0o600)
        if engine.dialect.name == "sqlite":
            try:
                _sqlite_backup(engine, partial)
            except sqlite3.Error as exc:
                raise click.ClickException(f"the backup failed: {exc}") from None
        elif engine.dialect.name == "postgresql":
            _run_client(["pg_dump", "--format=custom", "--file", str(partial)], engine.url)
        else:
            raise click.ClickException(f"cannot back up a {engine.dialect.name} database")
        partial.rename(file)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"backed up {_safe(engine.url)} to {file} ({file.stat().st_size} bytes)")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Fill the configured database, which must be empty, with the backup in FILE."""
    engine = db.engine
    with file.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    kind = "sqlite" if header == SQLITE_HEADER else "postgresql" if header.startswith(PG_DUMP_HEADER) else None
    if kind is None:
        raise click.ClickException(f"{file} is not a backup made by `backup` (neither SQLite nor pg_dump's custom format)")
    if kind != engine.dialect.name:
        raise click.ClickException(f"{file} is a {kind} backup; the database {_safe(engine.url)} is {engine.dialect.name}")
    tables = inspect(engine).get_table_names()
    if tables:
        raise click.ClickException(
            f"the database {_safe(engine.url)} is not empty (it has {len(tables)} tables: "
            f"{', '.join(sorted(tables)[:5])}{', ...' if len(tables) > 5 else ''}); nothing was changed. "
            "restore only fills an empty database: create a new one and set SURVEY_APP_DATABASE_URL to it")
    if kind == "sqlite":
        try:
            _sqlite_restore(file, engine)
        except sqlite3.Error as exc:
            raise click.ClickException(f"{file} could not be restored: {exc}") from None
    else:
        # One transaction, stopping at the first error: a failed restore leaves the database empty.
        # Owners and grants are the source's roles, which the target may not have: the restoring
        # user owns what it creates.
        _run_client(["pg_restore", "--exit-on-error", "--single-transaction", "--no-owner", "--no-acl",
                     str(file)], engine.url)
    engine.dispose()
    units = db.session.scalar(select(func.count()).select_from(Unit))
    responses = db.session.scalar(select(func.count()).select_from(Response))
    click.echo(f"restored {file} into {_safe(engine.url)}: {units} units, {responses} responses; "
               "now run `flask --app survey_app db upgrade`")


def _sqlite_backup(engine: Engine, target: Path) -> None:
    destination = sqlite3.connect(target)
    source = engine.raw_connection()
    try:
        source.driver_connection.backup(destination)
    finally:
        source.close()
        destination.close()


def _sqlite_restore(file: Path, engine: Engine) -> None:
    source = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        problems = source.execute("PRAGMA quick_check").fetchone()[0]
        has_schema = source.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone()[0]
        if problems != "ok" or not has_schema:
            raise click.ClickException(f"{file} is not a sound survey_app backup ({problems})")
        destination = engine.raw_connection()
        try:
            source.backup(destination.driver_connection)
        finally:
            destination.close()
    finally:
        source.close()


def _run_client(command: list[str], url: URL) -> None:
    """Run pg_dump or pg_restore on ``url``; the password goes through the environment only."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    try:
        done = subprocess.run([*command, "--dbname", dsn], env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise click.ClickException(
            f"{command[0]} was not found: install postgresql-client (scripts/system-deps does)") from None
    if done.returncode != 0:
        raise click.ClickException(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()}")


def _safe(url: URL) -> str:
    return url.render_as_string(hide_password=True)
