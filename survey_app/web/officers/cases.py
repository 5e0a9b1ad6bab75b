"""``/reports/cases?from=&to=``: the figures of citizens' reply requests (services/case_report.py)
for the reader's subtree, per unit: received, acknowledged and answered within the deadline,
median days to answer, causes, the follow-up rating, reopened cases. Counts and shares only:
no text and no contact."""

from __future__ import annotations

from flask import redirect, render_template
from flask_login import current_user

from survey_app.domain.permissions import Action
from survey_app.extensions import db
from survey_app.reports.case_figures import cause_labels
from survey_app.reports.formatting import Figures
from survey_app.services.accounts import units_in_scope
from survey_app.services.case_report import units_case_figures
from survey_app.services.rating_matrix import tree_order
from survey_app.web.auth import permission_required
from survey_app.web.officers import bp, wording
from survey_app.web.officers.picker import picker
from survey_app.web.officers.reading import link, picked_period_redirect, report_request


@bp.get("/cases")
@permission_required(Action.VIEW_REPORTS)
def cases():
    target = picked_period_redirect()
    if target:
        return redirect(target)
    report = report_request()
    shown = tree_order(units_in_scope(db.session, current_user))
    rows = units_case_figures(db.session, shown, report.period, report.tz, report.today)
    return render_template(
        "officers/cases.html", language=wording.language(), report=report, picker=picker(report, ".cases"),
        period_name=wording.period_name(report.period), period_dates=wording.dates(report.period),
        case_rows=rows, causes=cause_labels(), fig=Figures(wording.language()), up_link=link(".units", report),
    )
