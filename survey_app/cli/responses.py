"""``flask --app survey_app responses import|export``: responses in the wide CSV format."""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from survey_app.cli.common import import_all_or_nothing, record_audit
from survey_app.domain.audit import AuditAction
from survey_app.extensions import db
from survey_app.services import interchange

responses_cli = AppGroup("responses", help="Responses in the wide CSV format.")


@responses_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_responses(file: Path) -> None:
    """Add the responses of a CSV file; any bad row rejects the whole file."""
    count = import_all_or_nothing(interchange.import_responses, current_app.extensions["survey_catalog"],
                                  file,
                                  audited=lambda count: record_audit(AuditAction.RESPONSES_IMPORT, count=count))
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
        # Readable by its owner only, whatever the umask: comments are in it.
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        out_file = open(fd, "w", encoding="utf-8", newline="")
    with out_file as out:
        count = interchange.export_responses(db.session, catalog, out, tz, questionnaire_id)
    record_audit(AuditAction.RESPONSES_EXPORT, count=count, questionnaire=questionnaire_id)
    db.session.commit()
    click.echo(f"{count} responses exported", err=True)
