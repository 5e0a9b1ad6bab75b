"""What several command groups share."""

from __future__ import annotations

import getpass
import os
import sys
from datetime import date
from zoneinfo import ZoneInfo

import click
from flask import current_app

from survey_app.domain.audit import AuditAction
from survey_app.domain.csv_files import CsvError
from survey_app.domain.periods import Period
from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.services import audit
from survey_app.services.scores import ScoreQuery


def fail(problems: list[str]) -> None:
    for problem in problems:
        click.echo(problem, err=True)
    click.echo("Nothing was changed.", err=True)
    sys.exit(1)


def import_all_or_nothing(importer, *args, audited=None):
    """Run a CSV importer service and commit once; on any bad row, roll back, list every problem
    with its line and exit 1, so that a file is stored whole or not at all. ``audited(result)``
    records the import in the same transaction."""
    try:
        result = importer(db.session, *args)
    except CsvError as exc:
        db.session.rollback()
        fail(exc.problems)
    if audited is not None:
        audited(result)
    db.session.commit()
    return result


def operator() -> str:
    """Who runs a command, for the audit log: nobody signs in on the server's shell, so "cli:"
    and the system user's name."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # a container's bare uid has no name
        name = f"uid{os.getuid()}"
    return f"cli:{name}"


def record_audit(action: AuditAction, unit: Unit | None = None, **detail: object) -> None:
    """Add the command's audit event to its transaction: committed with its work, or not at all."""
    audit.record(db.session, operator(), action, unit, **detail)


def parse_date(ctx, param, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date YYYY-MM-DD") from None


def ranking_channels(config) -> tuple[str, ...] | None:
    """The RANKING_CHANNELS setting as a FiguresQuery takes it (None: every channel)."""
    found = config.get("RANKING_CHANNELS")
    return tuple(found) if found else None


def score_query(start: date, end: date, questionnaire_id: str | None, unit_code: str | None,
                **extra) -> ScoreQuery:
    """What ``scores`` and ``report`` ask for, checked the same way for both: the questionnaire
    (default: the default one), a period that does not end before it starts, the settings."""
    catalog = current_app.extensions["survey_catalog"]
    questionnaire = catalog.get(questionnaire_id or catalog.default_id)
    if questionnaire is None:
        raise click.BadParameter(f"unknown questionnaire {questionnaire_id}", param_hint="--questionnaire")
    if start > end:
        raise click.BadParameter("--from is after --to", param_hint="--from")
    return ScoreQuery(questionnaire=questionnaire, period=Period(start, end),
                      tz=ZoneInfo(current_app.config["TIMEZONE"]),
                      min_ranked=current_app.config["MIN_RANKED_RESPONSES"],
                      min_breakdown=current_app.config["MIN_BREAKDOWN_RESPONSES"],
                      ranking_channels=ranking_channels(current_app.config),
                      unit_code=unit_code, **extra)
