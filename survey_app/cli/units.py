"""``flask --app survey_app units import|list``: the administrative units."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from survey_app.cli.common import import_all_or_nothing, record_audit
from survey_app.domain.audit import AuditAction
from survey_app.extensions import db
from survey_app.services import units

units_cli = AppGroup("units", help="Administrative units.")


@units_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_units(file: Path) -> None:
    """Create or update units from a CSV with columns code,name,parent (all or nothing)."""
    created, updated = import_all_or_nothing(units.import_units, file.read_bytes(), audited=lambda result: (
        record_audit(AuditAction.UNITS_IMPORT, created=result[0], updated=result[1])))
    click.echo(f"{created} units created, {updated} updated")


@units_cli.command("list")
def list_units() -> None:
    for unit in units.all_units(db.session):
        click.echo(f"{unit.code}\t{unit.parent.code if unit.parent else ''}\t{unit.name}")
