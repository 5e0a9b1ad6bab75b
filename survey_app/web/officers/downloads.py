"""``/reports/report.pdf`` and ``/reports/report.xlsx``: the report of a period for one unit in
the reader's scope (``?unit=``) or, without it, for their whole scope; the same document as the
``report`` command, so the same figures as ``scores --format json``.

Each is made by a background job (survey_app/jobs/: a province's PDF is minutes of CPU); the
request only checks what is asked for and sends the reader to the job's page. A job is started
by a POST with the form's CSRF token (the pages' download buttons), never by a GET: a link on
another site must not make files, audited as its victim's.
"""

from __future__ import annotations

import re

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from survey_app.domain.permissions import Action
from survey_app.jobs.work import make_report
from survey_app.models import Unit
from survey_app.reports.formatting import REPORT_LANGUAGES
from survey_app.web.auth import permission_required
from survey_app.web.jobs import start_job
from survey_app.web.officers import bp
from survey_app.web.officers.reading import (
    ReportRequest,
    bad_request,
    report_request,
    scoped_unit,
    sees_nothing,
)


def _scope() -> tuple[ReportRequest, Unit | None]:
    """The period and the unit the file covers (None: every unit), scope checked."""
    report = report_request()
    if sees_nothing():
        abort(404)
    return report, scoped_unit(request.args.get("unit"))


def _language() -> str:
    lang = request.args.get("lang") or REPORT_LANGUAGES[0]
    if lang not in REPORT_LANGUAGES:
        bad_request(_("A report is made in Vietnamese (vi) or English (en)."))
    return lang


def _filename(report: ReportRequest, unit_code: str | None, suffix: str) -> str:
    # ASCII only: unit codes are free text, and a header must not carry what a user typed.
    scope = re.sub(r"[^A-Za-z0-9_-]+", "_", unit_code or "all")[:40]
    return f"bao-cao-hai-long-{scope}-{report.period.start.isoformat()}-{report.period.end.isoformat()}{suffix}"


@bp.post("/report.pdf")
@permission_required(Action.VIEW_REPORTS)
def report_pdf():
    return _report_job("report_pdf", ".pdf")


@bp.post("/report.xlsx")
@permission_required(Action.VIEW_REPORTS)
def report_xlsx():
    return _report_job("report_xlsx", ".xlsx")


def _report_job(kind: str, suffix: str):
    """A background job makes the file (a province's PDF is minutes of CPU); the reader follows
    it on the job's page. Its arguments are this request's query, so the file is what this
    request would have made."""
    report, unit = _scope()
    lang = _language()
    unit_code = unit.code if unit else None
    query = report.query(unit_code)
    return start_job(kind, unit=unit, work=make_report, download_name=_filename(report, unit_code, suffix),
                     arguments={"kind": kind, "questionnaire_id": report.questionnaire.id,
                                "start": report.period.start.isoformat(), "end": report.period.end.isoformat(),
                                "tz": report.tz.key, "unit_code": unit_code, "lang": lang,
                                "min_ranked": query.min_ranked, "min_breakdown": query.min_breakdown,
                                "ranking_channels": list(query.ranking_channels) if query.ranking_channels else None,
                                "user_id": current_user.id})
