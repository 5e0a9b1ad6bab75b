"""``flask --app survey_app scores``: the indices of a period, as a table or as JSON."""

from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from survey_app.cli.common import parse_date
from survey_app.domain.periods import Period
from survey_app.extensions import db
from survey_app.reports.text_table import render_table
from survey_app.services import scores


# with_appcontext: `flask` pushes one for every command, but FlaskCliRunner (app.cli) does not.
@click.command("scores")
@with_appcontext
@click.option("--from", "start", required=True, callback=parse_date, help="First day, YYYY-MM-DD (local time).")
@click.option("--to", "end", required=True, callback=parse_date, help="Last day, inclusive.")
@click.option("--questionnaire", "questionnaire_id", help="Default: the default questionnaire.")
@click.option("--unit", "unit_code", help="Only this unit and the units below it.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table")
def scores_command(start: date, end: date, questionnaire_id: str | None, unit_code: str | None,
                   output: str) -> None:
    """Indices of a period per unit and overall, with 95% intervals and ranks."""
    catalog = current_app.extensions["survey_catalog"]
    questionnaire = catalog.get(questionnaire_id or catalog.default_id)
    if questionnaire is None:
        raise click.BadParameter(f"unknown questionnaire {questionnaire_id}", param_hint="--questionnaire")
    if start > end:
        raise click.BadParameter("--from is after --to", param_hint="--from")
    query = scores.ScoreQuery(
        questionnaire=questionnaire, period=Period(start, end),
        tz=ZoneInfo(current_app.config["TIMEZONE"]),
        min_ranked=current_app.config["MIN_RANKED_RESPONSES"], unit_code=unit_code,
    )
    try:
        document = scores.period_scores(db.session, query)
    except scores.UnknownUnit:
        raise click.BadParameter(f"unknown unit {unit_code}", param_hint="--unit") from None
    if output == "json":
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        click.echo(render_table(document, questionnaire))
