"""The report of a period as a file, PDF or XLSX: the one path the ``report`` command and the
report jobs of the officers' pages both take, so a file is the same whoever asked for it.

A document is built once (its figures, then its comments), then laid out: the PDF
(reports/report_pdf.py) or the workbook (reports/workbook.py, with the period's responses).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from flask import current_app
from sqlalchemy.orm import Session

from survey_app.domain.early_warning import ChartRule
from survey_app.reports.case_figures import with_cases
from survey_app.reports.report_document import ReportDocument
from survey_app.services.alerts import report_early_warning
from survey_app.services.figures import FiguresQuery, report

FORMATS = ("pdf", "xlsx")


@dataclass(frozen=True)
class ReportFile:
    data: bytes
    units: int       # units in the report
    responses: int   # responses counted in it


def report_document(session: Session, query: FiguresQuery, *, lang: str) -> ReportDocument:
    """Everything a report file shows: the engine's figures and every comment; raises UnknownUnit."""
    document = with_cases(session, ReportDocument.of(report(session, query), query.questionnaire, query.tz, lang),
                          query)
    rule = ChartRule.from_settings(current_app.config)
    return replace(document, early_warning=report_early_warning(session, query, rule))


def report_file(session: Session, query: FiguresQuery, *, kind: str, lang: str,
                progress: Callable[[int], None] | None = None) -> ReportFile:
    """The file of ``kind`` (pdf or xlsx) in ``lang``; ``progress`` is told 50 once the figures
    are there (the file is the second half). Raises UnknownUnit, and reports.pdf.PdfError when
    WeasyPrint is refused a resource."""
    if kind not in FORMATS:
        raise ValueError(f"a report is one of {', '.join(FORMATS)}, not {kind!r}")
    document = report_document(session, query, lang=lang)
    if progress is not None:
        progress(50)
    if kind == "pdf":
        from survey_app.reports.report_pdf import render_report_pdf

        data = render_report_pdf(document, lang=lang)
    else:
        from survey_app.reports.workbook import report_workbook
        from survey_app.services.response_rows import response_rows

        rows = response_rows(session, query.questionnaire, query.unit_code, query.period, query.tz)
        data = report_workbook(document, rows, lang=lang)
    return ReportFile(data=data, units=len(document.figures.units), responses=document.figures.overall.n)
