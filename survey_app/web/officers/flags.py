"""``/reports/flags``: responses flagged as made up (``services/integrity.py``) in the reader's
scope and period, and the officers' decisions on them: restore (the response counts again) or
flag back, each with a required reason, recorded with who and when.

Admins and officers only (``Action.REVIEW_FLAGS``): one-stop staff must not judge their own
counter's answers. A response outside the reader's scope is a 404, as on the other pages.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

from flask import abort, flash, redirect, render_template, request
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from survey_app.domain.audit import AuditAction
from survey_app.domain.integrity import Reason
from survey_app.domain.permissions import Action
from survey_app.extensions import db
from survey_app.services.accounts import units_in_scope
from survey_app.services.integrity import (
    DECISIONS,
    FLAG,
    MAX_REASON_LENGTH,
    RESTORE,
    ReviewError,
    flag_counts,
    flag_of,
    flagged_responses,
    review,
)
from survey_app.services.units import descendant_ids
from survey_app.web.auth import permission_required, record_audit, require_scope
from survey_app.web.forms import PlainText, TranslatedForm
from survey_app.web.officers import bp, wording
from survey_app.web.officers.picker import picker
from survey_app.web.officers.reading import link, picked_period_redirect, report_request, scoped_unit
from survey_app.web.officers.unit_page import _page_number

# A flood leaves thousands of flags; a page of them stays quick to send and to read.
FLAGS_PER_PAGE = 50

REASON_NAMES = {
    Reason.BURST: _l("Burst: more answers from one kiosk or one open link than people can give"),
    Reason.FAST_IDENTICAL: _l("The whole form answered alike in a few seconds"),
    Reason.REPEATED: _l("The same answers sent again and again from one place"),
}
DECISION_NAMES = {RESTORE: _l("Restored"), FLAG: _l("Flagged back")}


class ReviewForm(TranslatedForm):
    decision = HiddenField(validators=[AnyOf(DECISIONS)])
    # Only blanks are trimmed: a control character must still reach PlainText and be refused.
    reason = TextAreaField(_l("Why (required)"), filters=[lambda v: v.strip(" \t\r\n") if v else v], validators=[
        PlainText(multiline=True), DataRequired(message=_l("Please say why you decide so.")),
        Length(max=MAX_REASON_LENGTH, message=_l("Please use at most %(max)d characters."))])


def _scope_ids(code: str | None) -> set[int]:
    units = units_in_scope(db.session, current_user)
    if not code:
        return {u.id for u in units}
    unit = scoped_unit(code)
    return descendant_ids(units).get(unit.id, set())


def _row(row, report) -> dict:
    moment = lambda value: format_datetime(value.astimezone(report.tz), "short")  # noqa: E731
    return {
        "id": row.response_id, "unit": f"{row.unit_name} ({row.unit_code})",
        "channel": wording.channel(row.channel), "submitted": moment(row.submitted_at),
        "flagged": moment(row.flagged_at), "reasons": [str(REASON_NAMES[r]) for r in row.reasons],
        "restored": row.restored,
        "answers": " · ".join(f"{code} {value}" for code, value in row.ratings.items()) or "—",
        "reviews": [{"decision": str(DECISION_NAMES[r.decision]), "who": r.user.email, "when": moment(r.decided_at),
                     "why": r.reason} for r in row.reviews],
        "action": link(".review_flag", report, response_id=row.response_id,
                       **({"unit": request.args["unit"]} if request.args.get("unit") else {})),
        "form": ReviewForm(formdata=None, decision=FLAG if row.restored else RESTORE),
    }


@bp.get("/flags")
@permission_required(Action.REVIEW_FLAGS)
def flags():
    target = picked_period_redirect()
    if target:
        return redirect(target)
    report = report_request()
    page = _page_number()
    start, end = report.period.utc_bounds(report.tz)
    scope = _scope_ids(request.args.get("unit"))
    total, left_out = flag_counts(db.session, scope, report.questionnaire.id, start, end)
    pages = max(1, math.ceil(total / FLAGS_PER_PAGE))
    rows = flagged_responses(db.session, scope, report.questionnaire.id, start, end,
                             offset=(min(page, pages) - 1) * FLAGS_PER_PAGE, limit=FLAGS_PER_PAGE)
    unit = {"unit": request.args["unit"]} if request.args.get("unit") else {}
    return render_template(
        "officers/flags.html", language=wording.language(), report=report, picker=picker(report, ".flags"),
        period_name=wording.period_name(report.period), period_dates=wording.dates(report.period),
        rows=[_row(row, report) for row in rows], total=total, left_out=left_out,
        flag_pages={"page": min(page, pages), "pages": pages},
        page_link=lambda number: link(".flags", report, page=number, **unit),
        up_link=link(".units", report),
    )


# Ids beyond the column's range are no response (and would make PostgreSQL fail).
@bp.post("/flags/<int(max=2147483647):response_id>")
@permission_required(Action.REVIEW_FLAGS)
def review_flag(response_id: int):
    flag = flag_of(db.session, response_id) or abort(404)
    require_scope(flag.response.unit, refusal=404)
    report = report_request()
    back = link(".flags", report, **({"unit": request.args["unit"]} if request.args.get("unit") else {}))
    form = ReviewForm()
    if not form.validate():
        flash(next(iter(form.errors.values()))[0] if "reason" in form.errors else _(
            "This decision could not be recorded. Please try again."), "error")
        return redirect(back)
    try:
        review(db.session, flag, decision=form.decision.data, reason=form.reason.data,
               user=current_user._get_current_object(), now=datetime.now(timezone.utc))
    except ReviewError:
        db.session.rollback()
        flash(_("This decision could not be recorded. Please try again."), "error")
        return redirect(back)
    record_audit(AuditAction.FLAG_REVIEW, flag.response.unit, decision=form.decision.data, response=response_id)
    db.session.commit()
    flash(_("Restored: the response counts again.") if flag.restored
          else _("Flagged back: the response is left out of the indices."), "info")
    return redirect(back)
