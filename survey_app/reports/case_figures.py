"""Cases in the reports: the names of the causes, the report document's ``cases`` (one
``UnitCases`` per unit of the report, services/case_report.py, the figures /reports/cases and
``scores --format json`` show too), the PDF's section (templates/pdf/report/cases.html) and the
workbook's "Cases" sheet."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey_app.domain.cases import Cause

CAUSE_NAMES = {
    Cause.ATTITUDE: _l("Civil servant's attitude"), Cause.TIME: _l("Time taken"),
    Cause.PROCEDURE: _l("Procedure and documents"), Cause.FEES: _l("Fees and charges"),
    Cause.FACILITIES: _l("Facilities"), Cause.INFORMATION: _l("Information and guidance"), Cause.OTHER: _l("Other"),
}


def cause_labels() -> list[tuple[str, str]]:
    return [(str(cause), str(name)) for cause, name in CAUSE_NAMES.items()]


def with_cases(session, document, query):
    """``document`` (a ReportDocument) with the cases of its units over its period."""
    from survey_app.services.case_report import units_case_figures
    from survey_app.services.units import all_units

    by_code = {u.code: u for u in all_units(session)}
    shown = [by_code[u.unit] for u in document.figures.units if u.unit in by_code]
    as_of = datetime.now(query.tz).date()
    return dataclasses.replace(document, cases=tuple(units_case_figures(session, shown, query.period, query.tz, as_of)))


def cases_section(document, fig) -> dict[str, Any] | None:
    """The PDF's section: what templates/officers/_case_table.html needs; none without units."""
    if not document.cases:
        return None
    return {"case_rows": document.cases, "causes": cause_labels()}


def cases_sheet(w, document) -> None:
    """The workbook's "Cases" sheet."""
    causes = cause_labels()
    header = [_("Unit code"), _("Unit"), _("Cases received"), _("Acknowledged within the deadline (%)"),
              _("Answered within the deadline (%)"), _("Answered"), _("Median days to answer"),
              _("Ratings"), _("Mean rating (1-5)"), _("Reopened"), *[name for _code, name in causes]]
    w.new_sheet(_("Cases"), [12, 34, 10, 14, 14, 10, 12, 9, 11, 10, *[12] * len(causes)], header)
    for unit in document.cases:
        f = unit.figures
        w.row([unit.code, unit.name, f.received, f.acknowledged_in_time_share, f.answered_in_time_share,
               f.answered, f.median_days_to_answer, f.ratings, f.mean_rating, f.reopened,
               *[f.causes[code] for code, _name in causes]], {3: "0.0", 4: "0.0", 8: "0.00"})
