"""``flask --app survey_app report``: the report of a period as a PDF or an XLSX workbook."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from survey_app.cli.common import parse_date, record_audit, score_query
from survey_app.domain.audit import AuditAction
from survey_app.extensions import db
from survey_app.reports.formatting import REPORT_LANGUAGES
from survey_app.services import scores
from survey_app.services.units import unit_by_code

FORMATS = (".pdf", ".xlsx")


@click.command("report")
@with_appcontext
@click.option("--from", "start", required=True, callback=parse_date, help="First day, YYYY-MM-DD (local time).")
@click.option("--to", "end", required=True, callback=parse_date, help="Last day, inclusive.")
@click.option("--unit", "unit_code", help="This unit and the units below it (default: every unit).")
@click.option("--questionnaire", "questionnaire_id", help="Default: the default questionnaire.")
@click.option("--lang", type=click.Choice(REPORT_LANGUAGES), default="vi", show_default=True)
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.pdf or FILE.xlsx: the format follows the suffix.")
def report_command(start: date, end: date, unit_code: str | None, questionnaire_id: str | None, lang: str,
                   output: Path) -> None:
    """Write the satisfaction report of a period: the same figures as `scores --format json`."""
    # Imported here: matplotlib and WeasyPrint would otherwise load with every command and app.
    from survey_app.reports.pdf import PdfError
    from survey_app.reports.report_files import report_file

    if output.suffix.lower() not in FORMATS:
        raise click.BadParameter(f"'{output.name}' must end in .pdf or .xlsx", param_hint="-o")
    query = score_query(start, end, questionnaire_id, unit_code)
    try:
        made = report_file(db.session, query, kind=output.suffix.lower()[1:], lang=lang)
    except scores.UnknownUnit:
        raise click.BadParameter(f"unknown unit {unit_code}", param_hint="--unit") from None
    except PdfError as exc:
        raise click.ClickException(f"the PDF could not be made: {exc}") from None
    output.write_bytes(made.data)
    record_audit(AuditAction.REPORT_DOWNLOAD, unit_by_code(db.session, unit_code) if unit_code else None,
                 format=output.suffix.lower()[1:], lang=lang, questionnaire=query.questionnaire.id,
                 start=start.isoformat(), end=end.isoformat())
    db.session.commit()
    click.echo(f"{output}: {len(made.data):,} bytes, {made.units} units, {made.responses} responses", err=True)
