"""Commands for who may do what: ``users`` (people) and ``apikeys`` (the one-stop software)."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.services import accounts
from survey_app.services.units import unit_by_code

users_cli = AppGroup("users", help="Staff, officer and admin accounts.")
apikeys_cli = AppGroup("apikeys", help="API keys of the one-stop software.")


# ------------------------------------------------------------------------------- users
# Each command validates everything it can before asking for a password, and commits once.


@users_cli.command("create")
@click.option("--email", required=True, help="The e-mail address the person signs in with.")
@click.option("--role", required=True, metavar="|".join(accounts.ROLES),
              help="admin: everything; officer: reports; staff: invitations and posters.")
@click.option("--unit", "unit_code", metavar="CODE",
              help="Scope: this unit and every unit below it. Required for staff; "
                   "an admin or officer without one covers every unit.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input instead of asking.")
def create_user(email: str, role: str, unit_code: str | None, password_stdin: bool) -> None:
    """Create an account; the password is asked twice (hidden), or read from stdin."""
    unit = None
    if unit_code is not None:
        unit = unit_by_code(db.session, unit_code)
        if unit is None:
            raise click.ClickException(
                f"no unit with code '{unit_code}' (see: flask --app survey_app units list)")
    try:
        accounts.check_new_user(db.session, email=email, role=role, unit=unit)
        password = _read_password(password_stdin)
        user = accounts.create_user(db.session, email=email, password=password, role=role,
                                    unit=unit, now=datetime.now(timezone.utc))
        db.session.commit()
    except accounts.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    except IntegrityError:
        # Another process created the same e-mail between our check and the commit.
        db.session.rollback()
        raise click.ClickException(f"a user {email.strip().lower()} exists already") from None
    scope = f"unit {unit.code} and below" if unit is not None else "all units"
    click.echo(f"user {user.email} created: {user.role}, {scope}")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # One line, without its line ending, so that `echo "$PASSWORD" | flask ...` works.
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_cli.command("list")
def list_users() -> None:
    """Every account, one per line: e-mail, role, unit code (empty: all units), active|disabled."""
    for user in accounts.all_users(db.session):
        click.echo("\t".join([user.email, user.role, user.unit.code if user.unit else "",
                              "active" if user.active else "disabled"]))


@users_cli.command("disable")
@click.option("--email", required=True)
def disable_user(email: str) -> None:
    """Refuse this account's sign-ins; a session it has open ends at its next request."""
    _set_active(email, False)


@users_cli.command("enable")
@click.option("--email", required=True)
def enable_user(email: str) -> None:
    """Let a disabled account sign in again."""
    _set_active(email, True)


def _set_active(email: str, active: bool) -> None:
    try:
        user = accounts.set_active(db.session, email, active)
    except accounts.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"user {user.email} {'enabled' if active else 'disabled'}")


# ----------------------------------------------------------------------------- apikeys
# Only a hash of a key is stored: `create` is the one moment the key exists in clear. It goes
# alone to standard output (KEY=$(flask --app survey_app apikeys create ...) works); what is
# said about it goes to standard error.

from survey_app.services import api_keys  # noqa: E402  (kept with the commands that use it)


@apikeys_cli.command("create")
@click.option("--name", required=True, help="Which software, or which installation, uses the key.")
@click.option("--unit", "unit_code", required=True, metavar="CODE",
              help="Scope: the key acts on this unit and every unit below it.")
def create_api_key(name: str, unit_code: str) -> None:
    """Make a key and print it once: it cannot be shown again."""
    unit = unit_by_code(db.session, unit_code)
    if unit is None:
        raise click.ClickException(
            f"no unit with code '{unit_code}' (see: flask --app survey_app units list)")
    try:
        api_key, key = api_keys.create_api_key(db.session, name=name, unit=unit,
                                               now=datetime.now(timezone.utc))
        db.session.commit()
    except api_keys.ApiKeyError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"API key {api_key.id} '{api_key.name}' created for unit {unit.code} and every "
               f"unit below it:", err=True)
    click.echo(key)
    click.echo("Copy it into the one-stop software now: it cannot be shown again "
               "(only its hash is stored). Lost? Revoke it and create another.", err=True)


@apikeys_cli.command("list")
def list_api_keys() -> None:
    """Every key, one per line: id, name, unit code, created (UTC), active | revoked <when>."""
    for api_key in api_keys.list_api_keys(db.session):
        state = "active" if api_key.revoked_at is None else f"revoked {_utc(api_key.revoked_at)}"
        click.echo("\t".join([str(api_key.id), api_key.name, api_key.unit.code,
                              _utc(api_key.created_at), state]))


@apikeys_cli.command("revoke")
@click.argument("key_id", metavar="ID", type=int)
def revoke_api_key(key_id: int) -> None:
    """Revoke key ID (see `apikeys list`): its next request is refused."""
    try:
        api_key = api_keys.revoke_api_key(db.session, key_id, datetime.now(timezone.utc))
        db.session.commit()
    except api_keys.ApiKeyError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"API key {api_key.id} '{api_key.name}' revoked {_utc(api_key.revoked_at)}")


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
