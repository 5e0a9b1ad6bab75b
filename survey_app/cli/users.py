"""``flask --app survey_app users create|list|disable|enable``: staff, officer and admin accounts.

Each command validates everything it can before asking for a password, and commits once.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from survey_app.cli.common import record_audit
from survey_app.domain.audit import AuditAction
from survey_app.domain.permissions import Role
from survey_app.extensions import db
from survey_app.services import accounts
from survey_app.services.units import unit_by_code

users_cli = AppGroup("users", help="Staff, officer and admin accounts.")


@users_cli.command("create")
@click.option("--email", required=True, help="The e-mail address the person signs in with.")
@click.option("--role", required=True, metavar="|".join(Role),
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
        record_audit(AuditAction.USER_CREATE, unit, email=user.email, role=user.role)
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
    record_audit(AuditAction.USER_ENABLE if active else AuditAction.USER_DISABLE, user.unit, email=user.email)
    db.session.commit()
    click.echo(f"user {user.email} {'enabled' if active else 'disabled'}")
