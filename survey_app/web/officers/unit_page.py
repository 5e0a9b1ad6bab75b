"""``/reports/units/<code>``: one unit (with the units below it) in one period: elements and
criteria with their intervals, the last 8 quarters, expectations, channels, response rate and
the citizens' comments, masked and paginated."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from survey_app.domain.periods import period_of
from survey_app.domain.permissions import Action
from survey_app.extensions import db
from survey_app.services.accounts import in_scope
from survey_app.domain.breakdown import CHANNEL
from survey_app.services.officer_figures import breakdowns, report_summary, trend
from survey_app.services.rating_matrix import kept_matrices
from survey_app.services.report_data import unit_comments
from survey_app.web.auth import permission_required
from survey_app.web.officers import bp, presenting, unit_figures, wording
from survey_app.web.officers.alerts import unit_early_warning
from survey_app.web.officers.picker import picker
from survey_app.web.officers.reading import (
    ReportRequest,
    bad_request,
    link,
    picked_period_redirect,
    report_request,
    scoped_unit,
)

COMMENTS_PER_PAGE = 20
TREND_QUARTERS = 8


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit() and 1 <= len(raw) <= 6 and int(raw) >= 1):
        bad_request(_("The page number must be a whole number from 1."))
    return int(raw)


def page_figures(report: ReportRequest, unit_code: str) -> dict:
    """Every figure and chart of the unit's page in the request's language, kept ones read and
    the others computed and kept: what a view shows, and what ``flask figures warm`` draws."""
    q, session = report.questionnaire, db.session
    # The summary, the breakdowns and the trend share each period's read when they are not kept:
    # the period and the one before it, which the trend (newest quarter first) reads again when
    # they are quarters. Three held at most: a web worker must not hold a year and 8 quarters.
    with kept_matrices(limit=3):
        summary = report_summary(session, report.query(unit_code), language=wording.language())
        splits = breakdowns(session, q, unit_code, report.period, report.tz, (CHANNEL, *(p.code for p in q.profile)),
                            min_responses=current_app.config["MIN_BREAKDOWN_RESPONSES"])
        points = unit_figures.trend(trend(session, report.query(unit_code), unit_code,
                                          period_of("quarter", report.period.end), TREND_QUARTERS), q)
    figures = summary["scores"]["units"][0]
    element_rows, criteria_groups = unit_figures.elements(figures, q), unit_figures.criteria(figures, q)
    charts = unit_figures.charts(element_rows, criteria_groups, points, q)
    return {"summary": summary, "trend": points, "splits": splits, "elements": element_rows,
            "criteria": criteria_groups, "charts": charts}


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
    min_ranked = current_app.config["MIN_RANKED_RESPONSES"]
    shown = page_figures(report, unit.code)
    summary, document, figures = shown["summary"], shown["summary"]["scores"], shown["summary"]["scores"]["units"][0]
    comments = unit_comments(session, q, unit.code, report.period, report.tz, page=page, per_page=COMMENTS_PER_PAGE,
                             total=summary["comments"]["total"])
    if page > comments["pages"]:
        abort(404)
    points, splits = shown["trend"], shown["splits"]
    element_rows, criteria_groups = shown["elements"], shown["criteria"]
    return render_template(
        "officers/unit.html", language=wording.language(), report=report, unit=unit,
        picker=picker(report, ".unit", code=unit.code),
        period_name=wording.period_name(report.period), period_dates=wording.dates(report.period),
        previous_name=wording.period_name(report.period.previous()),
        row=presenting.unit_row(figures, q, min_ranked), min_ranked=min_ranked,
        change=presenting.index_change(summary["units"][unit.code]["change"]),
        invitations=wording.count(figures["invitations"]),
        elements=element_rows, criteria=criteria_groups, trend=points,
        element_heads=presenting.element_heads(q),
        expectations=unit_figures.expectations(figures, q),
        channels=unit_figures.channels(splits[CHANNEL]), profiles=unit_figures.profiles(splits, q),
        comments=unit_figures.comments(comments), comment_pages=comments,
        page_link=lambda number: link(".unit", report, code=unit.code, page=number),
        children=[presenting.unit_row(u, q, min_ranked) for u in document["units"] if u["parent"] == unit.code],
        unit_link=lambda child: link(".unit", report, code=child),
        up_link=link(".units", report),
        parent=unit.parent if unit.parent and in_scope(session, current_user, unit.parent) else None,
        charts=shown["charts"], early_warning=unit_early_warning(unit),
        downloads={"pdf_vi": link(".preparing_pdf", report, unit=unit.code, lang="vi"),
                   "pdf_en": link(".preparing_pdf", report, unit=unit.code, lang="en"),
                   "xlsx": link(".report_xlsx", report, unit=unit.code)},
    )
