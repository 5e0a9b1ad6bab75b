"""``flask --app survey_app scores``: the indices of a period, as a table or as JSON."""

from __future__ import annotations

import json
from datetime import date, datetime

import click
from flask.cli import with_appcontext

from survey_app.cli.common import parse_date, score_query
from survey_app.extensions import db
from survey_app.reports.text_table import render_table
from survey_app.services import scores
from survey_app.services.case_report import add_unit_cases
from survey_app.services.figures import scope_figures, scores_document


# with_appcontext: `flask` pushes one for every command, but FlaskCliRunner (app.cli) does not.
@click.command("scores")
@with_appcontext
@click.option("--from", "start", required=True, callback=parse_date, help="First day, YYYY-MM-DD (local time).")
@click.option("--to", "end", required=True, callback=parse_date, help="Last day, inclusive.")
@click.option("--questionnaire", "questionnaire_id", help="Default: the default questionnaire.")
@click.option("--unit", "unit_code", help="Only this unit and the units below it.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table")
@click.option("--by", "by", multiple=True, metavar="channel|PROFILE_CODE",
              help="Add the index by the answers of this question (repeatable): channel, or a profile question's code.")
def scores_command(start: date, end: date, questionnaire_id: str | None, unit_code: str | None,
                   output: str, by: tuple[str, ...]) -> None:
    """Indices of a period per unit and overall, with 95% intervals and ranks."""
    query = score_query(start, end, questionnaire_id, unit_code, by=tuple(dict.fromkeys(by)))
    questionnaire = query.questionnaire
    for question in by:
        if scores.breakdown_answers(questionnaire, question) is None:
            known = ", ".join(["channel", *(p.code for p in questionnaire.profile)])
            raise click.BadParameter(f"unknown question {question} (one of: {known})", param_hint="--by")
    try:
        figures = scope_figures(db.session, query)
    except scores.UnknownUnit:
        raise click.BadParameter(f"unknown unit {unit_code}", param_hint="--unit") from None
    if output == "json":
        document = add_unit_cases(db.session, scores_document(figures), query.period, query.tz, datetime.now(query.tz).date())
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        click.echo(render_table(figures, questionnaire))
