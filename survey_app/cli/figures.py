"""``flask --app survey_app figures rebuild``: make the figures' sums again from the responses.

Every change the app makes keeps the sums of models/figure_cell.py right in its own transaction,
and a month whose responses are deleted or changed by hand is read from the responses until
rebuilt. Rebuild after writing responses by hand (a hand-typed INSERT is not seen), or after a
questionnaire file changed its structure (criteria, elements, satisfied_from, expectation
options): until then the months holding the old structure's sums are read from the responses,
correct but slower.
"""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from survey_app.extensions import db
from survey_app.services.figures.rebuild import rebuild

figures_cli = AppGroup("figures", help="The sums the officers' figures are read from.")


@figures_cli.command("rebuild")
@click.option("--questionnaire", "questionnaire_id", help="Default: every questionnaire.")
def rebuild_command(questionnaire_id: str | None) -> None:
    """Make the sums of every month again from the counted responses, in one transaction."""
    catalog = current_app.extensions["survey_catalog"]
    chosen = list(catalog) if questionnaire_id is None else [catalog.get(questionnaire_id)]
    if None in chosen:
        raise click.BadParameter(f"unknown questionnaire {questionnaire_id}", param_hint="--questionnaire")
    started = time.perf_counter()
    rows = rebuild(db.session, chosen)
    db.session.commit()
    click.echo(f"{rows} rows of sums made for {', '.join(q.id for q in chosen)} "
               f"in {time.perf_counter() - started:.1f} s")
