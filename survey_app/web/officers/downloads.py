"""``/reports/report.pdf`` and ``/reports/report.xlsx``: the report of a period for one unit in
the reader's scope (``?unit=``) or, without it, for their whole scope; the same document as the
``report`` command, so the same figures as ``scores --format json``."""

from __future__ import annotations

import io
import re

from flask import abort, render_template, request, send_file
from flask_babel import gettext as _
from weasyprint.urls import FatalURLFetchingError

from survey_app.domain.permissions import Action
from survey_app.extensions import db
from survey_app.reports.formatting import REPORT_LANGUAGES
from survey_app.reports.pdf import PdfError
from survey_app.reports.report_pdf import render_report_pdf
from survey_app.reports.workbook import report_workbook
from survey_app.services.report_data import report_document
from survey_app.services.response_rows import response_rows
from survey_app.web.auth import permission_required
from survey_app.web.errors import error_page
from survey_app.web.officers import bp, wording
from survey_app.web.officers.reading import (
    ReportRequest,
    bad_request,
    link,
    report_request,
    scoped_unit,
    sees_nothing,
)

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope() -> tuple[ReportRequest, str | None]:
    """The period and the unit code the file covers (None: every unit), scope checked."""
    report = report_request()
    if sees_nothing():
        abort(404)
    unit = scoped_unit(request.args.get("unit"))
    return report, unit.code if unit else None


def _language() -> str:
    lang = request.args.get("lang") or REPORT_LANGUAGES[0]
    if lang not in REPORT_LANGUAGES:
        bad_request(_("A report is made in Vietnamese (vi) or English (en)."))
    return lang


def _filename(report: ReportRequest, unit_code: str | None, suffix: str) -> str:
    # ASCII only: unit codes are free text, and a header must not carry what a user typed.
    scope = re.sub(r"[^A-Za-z0-9_-]+", "_", unit_code or "all")[:40]
    return f"bao-cao-hai-long-{scope}-{report.period.start.isoformat()}-{report.period.end.isoformat()}{suffix}"


def _send(data: bytes, mimetype: str, filename: str):
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)
    # Comments and per-unit figures are not for shared caches or the browser's disk.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/report.pdf")
@permission_required(Action.VIEW_REPORTS)
def report_pdf():
    report, unit_code = _scope()
    lang = _language()
    document = report_document(db.session, report.query(unit_code), language=lang)
    try:
        data = render_report_pdf(document, lang=lang)
    # WeasyPrint's FatalURLFetchingError is a BaseException: neither Flask's error handling nor
    # `except Exception` would catch it, and the worker would answer nothing.
    except (PdfError, FatalURLFetchingError):
        return error_page(500, _("The PDF report could not be made. Please try again later."))
    return _send(data, PDF, _filename(report, unit_code, ".pdf"))


@bp.get("/report.xlsx")
@permission_required(Action.VIEW_REPORTS)
def report_xlsx():
    report, unit_code = _scope()
    lang = _language()
    document = report_document(db.session, report.query(unit_code), language=lang)
    rows = response_rows(db.session, report.questionnaire, unit_code, report.period, report.tz)
    return _send(report_workbook(document, rows, lang=lang), XLSX, _filename(report, unit_code, ".xlsx"))


@bp.get("/report.pdf/preparing")
@permission_required(Action.VIEW_REPORTS)
def preparing_pdf():
    """A page that says the PDF is being made, then asks for it by itself (a meta refresh, no
    script): a province's report takes WeasyPrint several seconds, and until reports are made
    by background jobs the officer should see that something is happening."""
    report, unit_code = _scope()
    lang = _language()
    target = link(".report_pdf", report, unit=unit_code, lang=lang)
    return render_template("officers/preparing.html", language=wording.language(), target=target,
                           back=request.referrer if _local(request.referrer) else link(".units", report))


def _local(address: str | None) -> bool:
    return bool(address) and address.startswith(request.host_url)
