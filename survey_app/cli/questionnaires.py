"""``flask --app survey_app questionnaires check``: validate the questionnaire files."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask

from survey_app.config import configure
from survey_app.domain.catalog import load_catalog, questionnaire_files
from survey_app.domain.questionnaire import QuestionnaireError


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
