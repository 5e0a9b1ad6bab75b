"""``/reports/``: every unit in the reader's scope for one period, with its SIPAS index, rank and
elements, sortable by plain links."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from survey_app.domain.permissions import Action
from survey_app.domain.units_table import SORT_COLUMNS, SortProblem, parse_order
from survey_app.extensions import db
from survey_app.services.figures import scope_figures
from survey_app.web.auth import permission_required
from survey_app.web.officers import bp, presenting, wording
from survey_app.web.officers.alerts import signals_in_scope
from survey_app.web.officers.picker import picker
from survey_app.web.officers.reading import bad_request, link, picked_period_redirect, report_request, sees_nothing


@bp.get("/")
@permission_required(Action.VIEW_REPORTS)
def units():
    target = picked_period_redirect()
    if target:
        return redirect(target)
    report = report_request()
    try:
        order = parse_order(request.args.get("sort"), request.args.get("order"))
    except SortProblem:
        bad_request(_("This table cannot be sorted that way."))
    min_ranked = current_app.config["MIN_RANKED_RESPONSES"]
    scope = current_user.unit
    found = None if sees_nothing() else scope_figures(db.session, report.query(scope.code if scope else None))

    def sort_link(column: str) -> str:
        return link(".units", report, sort=column, order=order.toggled(column).order)

    downloads = {
        "pdf_vi": link(".report_pdf", report, lang="vi"),
        "pdf_en": link(".report_pdf", report, lang="en"),
        "xlsx": link(".report_xlsx", report),
    }
    return render_template(
        "officers/units.html", language=wording.language(), report=report, picker=picker(report, ".units"),
        period_name=wording.period_name(report.period), period_dates=wording.dates(report.period),
        previous_name=wording.period_name(report.period.previous()),
        overall=presenting.overall(found.overall) if found else None,
        groups=presenting.units_table(found, report.questionnaire, order, min_ranked) if found else [],
        elements=presenting.element_heads(report.questionnaire), order=order,
        sort_links={column: sort_link(column) for column in SORT_COLUMNS},
        unit_link=lambda code: link(".unit", report, code=code), downloads=downloads,
        min_ranked=min_ranked, bands=presenting.band_legend(), signals=signals_in_scope(),
    )
