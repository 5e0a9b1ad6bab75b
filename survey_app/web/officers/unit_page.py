"""``/reports/units/<code>``: one unit (with the units below it) in one period: elements and
criteria with their intervals, the last 8 quarters, expectations, channels, response rate and
the citizens' comments, masked and paginated."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from survey_app.domain.breakdown import CHANNEL
from survey_app.domain.permissions import Action
from survey_app.extensions import db
from survey_app.services import figures
from survey_app.services.accounts import in_scope
from survey_app.web.auth import permission_required
from survey_app.web.officers import bp, presenting, unit_figures, wording
from survey_app.web.officers.alerts import unit_early_warning
from survey_app.web.officers.picker import picker
from survey_app.web.officers.reading import (
    bad_request,
    link,
    picked_period_redirect,
    report_request,
    scoped_unit,
)


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit() and 1 <= len(raw) <= 6 and int(raw) >= 1):
        bad_request(_("The page number must be a whole number from 1."))
    return int(raw)


@bp.get("/units/<code>")
@permission_required(Action.VIEW_REPORTS)
def unit(code: str):
    target = picked_period_redirect()
    if target:
        return redirect(target)
    report = report_request()
    unit = scoped_unit(code)
    page = _page_number()
    q, session = report.questionnaire, db.session
    query = report.query(unit.code)
    min_ranked = query.min_ranked
    found = figures.scope_figures(session, query)
    shown = found.unit(unit.code)
    comments = figures.comments(session, query, unit.code, page=page, per_page=current_app.config["COMMENTS_PER_PAGE"])
    if page > comments.pages:
        abort(404)
    splits = figures.breakdowns(session, query, unit.code, (CHANNEL, *(p.code for p in q.profile)))
    points = unit_figures.trend(figures.trend(session, query, unit.code, current_app.config["TREND_QUARTERS"]), q)
    element_rows, criteria_groups = unit_figures.elements(shown, q), unit_figures.criteria(shown, q)
    return render_template(
        "officers/unit.html", language=wording.language(), report=report, unit=unit,
        picker=picker(report, ".unit", code=unit.code),
        period_name=wording.period_name(report.period), period_dates=wording.dates(report.period),
        previous_name=wording.period_name(report.period.previous()),
        row=presenting.unit_row(shown, q, min_ranked), min_ranked=min_ranked,
        change=presenting.index_change(shown.change),
        invitations=wording.count(shown.invitations),
        elements=element_rows, criteria=criteria_groups, trend=points,
        element_heads=presenting.element_heads(q),
        expectations=unit_figures.expectations(shown, q),
        channels=unit_figures.channels(splits.get(CHANNEL)), profiles=unit_figures.profiles(splits, q),
        channel_counts=unit_figures.channel_counts(shown.channels),
        comments=unit_figures.comments(comments), comment_pages=comments,
        page_link=lambda number: link(".unit", report, code=unit.code, page=number),
        children=[presenting.unit_row(u, q, min_ranked) for u in found.children(unit.code)],
        unit_link=lambda child: link(".unit", report, code=child),
        up_link=link(".units", report),
        parent=unit.parent if unit.parent and in_scope(session, current_user, unit.parent) else None,
        charts=unit_figures.charts(element_rows, criteria_groups, points, q), early_warning=unit_early_warning(unit),
        downloads={"pdf_vi": link(".report_pdf", report, unit=unit.code, lang="vi"),
                   "pdf_en": link(".report_pdf", report, unit=unit.code, lang="en"),
                   "xlsx": link(".report_xlsx", report, unit=unit.code)},
    )
