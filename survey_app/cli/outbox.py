"""``flask --app survey_app outbox send`` and ``outbox purge``: the outbox's sending pass for
cron or a systemd timer (services/outbox.py, jobs/outbox.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import click
from flask import current_app
from flask.cli import AppGroup

from survey_app.extensions import db
from survey_app.jobs.outbox import send_pass
from survey_app.services import outbox

outbox_cli = AppGroup("outbox", help="Outgoing e-mails and SMS.")


@outbox_cli.command("send")
@click.option("--limit", default=1000, show_default=True, help="Send at most this many messages.")
def send(limit: int) -> None:
    """Send the messages that are due (new ones, retries, those waiting for their day); run it
    every minute or so: a retry needs a pass to come."""
    counts = send_pass(current_app, limit=limit)
    click.echo(f"{counts.sent} sent, {counts.retrying} to try again, {counts.failed} failed, "
               f"{counts.interrupted} interrupted earlier and given up")


@outbox_cli.command("purge")
def purge() -> None:
    """Delete finished messages older than OUTBOX_KEEP_DAYS (what they were, not what they said:
    that is erased when they finish)."""
    now = datetime.now(timezone.utc)
    deleted = outbox.purge(db.session, now, timedelta(days=current_app.config["OUTBOX_KEEP_DAYS"]))
    db.session.commit()
    click.echo(f"{deleted} finished messages deleted")


@outbox_cli.command("status")
def status() -> None:
    """How many messages are in each state, and the last ones given up with why (never to whom)."""
    counts = outbox.state_counts(db.session)
    for (channel, state), n in sorted(counts.items()):
        click.echo(f"{channel}\t{state}\t{n}")
    for failure in outbox.recent_failures(db.session):
        click.echo(f"failed\t{failure.id}\t{failure.kind}\t{failure.created_at:%Y-%m-%dT%H:%M:%SZ}\t"
                   f"{failure.attempts} tries\t{failure.last_error}")
