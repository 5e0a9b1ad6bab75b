"""``flask --app survey_app ...`` commands. Each one commits once, or not at all."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from survey_app.config import configure
from survey_app.domain.catalog import load_catalog, questionnaire_files
from survey_app.domain.csv_files import CsvError
from survey_app.domain.periods import Period
from survey_app.domain.questionnaire import QuestionnaireError
from survey_app.extensions import db
from survey_app.reports.text_table import render_table
from survey_app.services import demo, interchange, scores, units


# Registered through the "flask.commands" entry point rather than on the app: checking the
# files must work precisely when they are broken, i.e. when create_app() refuses to start.
@click.group("questionnaires", help="Questionnaire files.")
def questionnaires_cli() -> None:
    pass


@questionnaires_cli.command("check")
def check_questionnaires() -> None:
    """Validate every questionnaire file; exit 1 listing each problem as file:line: message."""
    app = Flask("survey_app", instance_relative_config=True)
    configure(app)
    directory = Path(app.config["QUESTIONNAIRE_DIR"])
    try:
        catalog = load_catalog(directory, app.config["DEFAULT_QUESTIONNAIRE"])
    except QuestionnaireError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        sys.exit(1)
    for q in catalog:
        click.echo(f"ok  {q.id} v{q.version} ({', '.join(q.languages)}): "
                   f"{len(q.elements)} elements, {len(q.criteria)} criteria, hash {q.content_hash[:12]}")
    click.echo(f"{len(questionnaire_files(directory))} files checked in {directory}")


units_cli = AppGroup("units", help="Administrative units.")
responses_cli = AppGroup("responses", help="Responses in the wide CSV format.")


def _fail(problems: list[str]) -> None:
    for problem in problems:
        click.echo(problem, err=True)
    click.echo("Nothing was changed.", err=True)
    sys.exit(1)


@units_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_units(file: Path) -> None:
    """Create or update units from a CSV with columns code,name,parent (all or nothing)."""
    try:
        created, updated = units.import_units(db.session, file.read_bytes())
    except CsvError as exc:
        db.session.rollback()
        _fail(exc.problems)
    db.session.commit()
    click.echo(f"{created} units created, {updated} updated")


@units_cli.command("list")
def list_units() -> None:
    for unit in units.all_units(db.session):
        click.echo(f"{unit.code}\t{unit.parent.code if unit.parent else ''}\t{unit.name}")


@responses_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_responses(file: Path) -> None:
    """Add the responses of a CSV file; any bad row rejects the whole file."""
    try:
        count = interchange.import_responses(db.session, current_app.extensions["survey_catalog"],
                                             file.read_bytes())
    except CsvError as exc:
        db.session.rollback()
        _fail(exc.problems)
    db.session.commit()
    click.echo(f"{count} responses imported")


@responses_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--questionnaire", "questionnaire_id", help="Only this questionnaire's responses.")
def export_responses(file: Path, questionnaire_id: str | None) -> None:
    """Write every response (times in the local time zone) to FILE ('-' for standard output)."""
    catalog = current_app.extensions["survey_catalog"]
    if questionnaire_id and catalog.get(questionnaire_id) is None:
        raise click.BadParameter(f"unknown questionnaire {questionnaire_id}", param_hint="--questionnaire")
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    # newline="": the csv module writes its own line ends, and a comment may hold a newline
    # (click.open_file takes no newline argument, so it only serves standard output).
    if str(file) == "-":
        out_file = click.open_file("-", "w", encoding="utf-8")
    else:
        out_file = file.open("w", encoding="utf-8", newline="")
    with out_file as out:
        count = interchange.export_responses(db.session, catalog, out, tz, questionnaire_id)
    click.echo(f"{count} responses exported", err=True)


def _date(ctx, param, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date YYYY-MM-DD") from None


# with_appcontext: `flask` pushes one for every command, but FlaskCliRunner (app.cli) does not.
@click.command("scores")
@with_appcontext
@click.option("--from", "start", required=True, callback=_date, help="First day, YYYY-MM-DD (local time).")
@click.option("--to", "end", required=True, callback=_date, help="Last day, inclusive.")
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


@click.command("demo")
@with_appcontext
@click.option("--responses", default=4000, show_default=True, help="How many responses to make.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when units exist already.")
@click.option("--seed", default=2017, show_default=True, help="Same seed, same data.")
def demo_command(responses: int, if_empty: bool, seed: int) -> None:
    """Create a demo province with units and synthetic responses over the last two years."""
    if units.all_units(db.session):
        if if_empty:
            click.echo("The database has units already; no demo data added.")
            return
        raise click.ClickException("the database is not empty; demo data goes into an empty one")
    made = demo.create_demo(db.session, current_app.extensions["survey_catalog"], responses=responses,
                            seed=seed, now=datetime.now(ZoneInfo(current_app.config["TIMEZONE"])))
    db.session.commit()
    click.echo(f"Demo province created: {made.units} units, {made.responses} responses.")


def register_commands(app: Flask) -> None:
    from survey_app.cli_access import apikeys_cli, users_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(apikeys_cli)
    app.cli.add_command(units_cli)
    app.cli.add_command(responses_cli)
    app.cli.add_command(scores_command)
    app.cli.add_command(demo_command)
