"""``flask --app survey_app volumes import``: transactions per unit, channel and days (weights)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from survey_app.cli.common import import_all_or_nothing, record_audit
from survey_app.domain.audit import AuditAction
from survey_app.services import volumes

volumes_cli = AppGroup("volumes", help="Volumes of transactions, for the weighted index.")


@volumes_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_volumes(file: Path) -> None:
    """Store volumes from a CSV with columns unit,channel,period_start,period_end,count
    (all or nothing; the same unit, channel and period again replaces the count)."""
    added, replaced = import_all_or_nothing(volumes.import_volumes, file.read_bytes(), audited=lambda result: (
        record_audit(AuditAction.VOLUMES_IMPORT, added=result[0], replaced=result[1])))
    click.echo(f"{added} volumes added, {replaced} replaced")
