"""``flask --app survey_app alerts``: each unit's early warning as of a day (docs/indices.md);
``alerts keep``: the nightly computation every page then reads (services/alert_weeks.py)."""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from survey_app.cli.common import parse_date
from survey_app.domain.early_warning import ChartRule
from survey_app.extensions import db
from survey_app.services.alerts import alerts_document, last_full_week, unit_alerts
from survey_app.services.units import unit_by_code


def _optional_date(ctx, param, value: str | None) -> date | None:
    return None if value is None else parse_date(ctx, param, value)


@click.group("alerts", invoke_without_command=True)
@with_appcontext
@click.option("--as-of", "as_of", callback=_optional_date, help="YYYY-MM-DD; the state at the end of the "
              "last full week (Monday to Sunday) before it. Default: today (local time).")
@click.option("--unit", "unit_code", help="Only this unit and the units below it.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def alerts_command(ctx: click.Context, as_of: date | None, unit_code: str | None, output: str) -> None:
    """Units whose weekly SIPAS index moved away from their usual level (EWMA chart), down first.

    What it computes is kept for the pages, as ``alerts keep`` does (commits once)."""
    if ctx.invoked_subcommand is not None:
        return
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    as_of = as_of or datetime.now(tz).date()
    scope = None
    if unit_code is not None:
        scope = unit_by_code(db.session, unit_code)
        if scope is None:
            raise click.BadParameter(f"unknown unit {unit_code}", param_hint="--unit")
    catalog = current_app.extensions["survey_catalog"]
    alerts = unit_alerts(db.session, catalog.default, as_of, tz, ChartRule.from_settings(current_app.config), scope,
                         keep=True)
    db.session.commit()
    document = alerts_document(alerts)
    if output == "json":
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    click.echo(f"As of {document['as_of']}: weeks {document['weeks'][0]} to {document['weeks'][1]}")
    for u in document["units"]:
        state = u["signal"] or "-"
        since = f" since {u['since']} ({u['weeks_signalling']} weeks)" if u["signal"] else ""
        baseline = "-" if u["baseline"] is None else f"{u['baseline']:.1f}"
        ewma = "-" if u["ewma"] is None else f"{u['ewma']:+.2f}"
        last = "-" if u["last_index"] is None else f"{u['last_index']:.1f}"
        click.echo(f"{u['unit']:<12} {state:<5} ewma {ewma:>6} (limit {u['limit']:.2f})  baseline {baseline:>5}  "
                   f"last week {last:>5} (n={u['n_last_week']}){since}  {u['name']}")


@alerts_command.command("keep")
@with_appcontext
@click.option("--as-of", "as_of", callback=_optional_date, help="YYYY-MM-DD; keep the alerts as of the last "
              "full week before it. Default: today (local time).")
def keep_command(as_of: date | None) -> None:
    """Compute every unit's early warning for the last full week and keep it for the pages (run
    nightly, docs/deploy.md); does nothing when what is kept still matches the responses."""
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    as_of = as_of or datetime.now(tz).date()
    started = time.perf_counter()
    alerts = unit_alerts(db.session, current_app.extensions["survey_catalog"].default, as_of, tz,
                         ChartRule.from_settings(current_app.config), keep=True)
    db.session.commit()
    click.echo(f"Alerts as of the week of {last_full_week(as_of).isoformat()}: {len(alerts.units)} units, "
               f"{len(alerts.signalling)} signalling ({time.perf_counter() - started:.1f} s)")
