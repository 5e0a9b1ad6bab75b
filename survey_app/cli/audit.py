"""``flask --app survey_app audit list``: the audit log, who did what and when."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from survey_app.cli.common import parse_date
from survey_app.domain.audit import AuditAction
from survey_app.extensions import db
from survey_app.services import audit

audit_cli = AppGroup("audit", help="The audit log: who did what, and when.")


def _optional_date(ctx, param, value: str | None) -> date | None:
    return None if value is None else parse_date(ctx, param, value)


@audit_cli.command("list")
@click.option("--since", callback=_optional_date, metavar="YYYY-MM-DD",
              help="Only events from this day on (a day in the local time zone, as in `scores`).")
@click.option("--action", type=click.Choice([str(a) for a in AuditAction]), help="Only this kind of event.")
def list_events(since: date | None, action: str | None) -> None:
    """Every event, newest first, one per line: time (UTC), who (an account's e-mail, or
    cli:<system user>), action, unit code (empty: none), detail (JSON)."""
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    start = datetime.combine(since, time(), tz) if since else None
    for event in audit.every_event(db.session, since=start, action=action):
        click.echo("\t".join([
            event.occurred_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            audit.actor_name(event), event.action, event.unit.code if event.unit else "",
            json.dumps(event.detail, ensure_ascii=False, sort_keys=True),
        ]))
