"""Cases in the reports: the names of the causes, the ``cases`` part of a report document (the
PDF's section, templates/pdf/_cases.html) and the workbook's sheet. The figures themselves come
from services/case_report.py, as on /reports/cases and in ``scores --format json``.

Hooked into the report with one line each (jobs/work.py, templates/pdf/report.html,
reports/workbook.py), so that the report's own figures need not know about cases.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey_app.domain.cases import Cause
from survey_app.domain.periods import Period

CAUSE_NAMES = {
    Cause.ATTITUDE: _l("Civil servant's attitude"), Cause.TIME: _l("Time taken"),
    Cause.PROCEDURE: _l("Procedure and documents"), Cause.FEES: _l("Fees and charges"),
    Cause.FACILITIES: _l("Facilities"), Cause.INFORMATION: _l("Information and guidance"), Cause.OTHER: _l("Other"),
}


def with_cases(session, document: dict, unit_code: str | None, tz: ZoneInfo, as_of: date) -> dict:
    """``document`` (services.report_data.report_document) with its ``cases``: one entry per unit
    of the report, in its order."""
    from survey_app.services.case_report import cases_by_code

    period = Period(date.fromisoformat(document["period"]["from"]), date.fromisoformat(document["period"]["to"]))
    units = document["scores"]["units"]
    by_code = cases_by_code(session, [u["unit"] for u in units], period, tz, as_of)
    return {**document, "cases": [{"unit": u["unit"], "name": u["name"], **by_code[u["unit"]]}
                                  for u in units if u["unit"] in by_code]}


def cause_labels() -> list[tuple[str, str]]:
    return [(str(cause), str(name)) for cause, name in CAUSE_NAMES.items()]


def cases_sheet(w, document: dict) -> None:
    """The workbook's "Cases" sheet (nothing when the document has no cases part)."""
    rows = document.get("cases")
    if rows is None:
        return
    causes = cause_labels()
    header = [_("Unit code"), _("Unit"), _("Cases received"), _("Acknowledged within the deadline (%)"),
              _("Answered within the deadline (%)"), _("Answered"), _("Median days to answer"),
              _("Ratings"), _("Mean rating (1-5)"), _("Reopened"), *[name for _code, name in causes]]
    w.new_sheet(_("Cases"), [12, 34, 10, 14, 14, 10, 12, 9, 11, 10, *[12] * len(causes)], header)
    for row in rows:
        w.row([row["unit"], row["name"], row["received"], row["acknowledged_in_time"], row["answered_in_time"],
               row["answered"], row["median_days_to_answer"], row["ratings"], row["mean_rating"], row["reopened"],
               *[row["causes"][code] for code, _name in causes]], {3: "0.0", 4: "0.0", 8: "0.00"})
