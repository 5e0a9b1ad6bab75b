"""``flask --app survey_app apikeys create|list|revoke``: API keys of the one-stop software.

Only a hash of a key is stored: ``create`` is the one moment the key exists in clear. It goes
alone to standard output (KEY=$(flask --app survey_app apikeys create ...) works); what is said
about it goes to standard error.
"""

from __future__ import annotations

from datetime import datetime, timezone

import click
from flask.cli import AppGroup

from survey_app.cli.common import record_audit
from survey_app.domain.audit import AuditAction
from survey_app.extensions import db
from survey_app.services import api_keys
from survey_app.services.units import unit_by_code

apikeys_cli = AppGroup("apikeys", help="API keys of the one-stop software.")


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
        record_audit(AuditAction.APIKEY_CREATE, unit, id=api_key.id, name=api_key.name)
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
        record_audit(AuditAction.APIKEY_REVOKE, api_key.unit, id=api_key.id, name=api_key.name)
        db.session.commit()
    except api_keys.ApiKeyError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"API key {api_key.id} '{api_key.name}' revoked {_utc(api_key.revoked_at)}")


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
