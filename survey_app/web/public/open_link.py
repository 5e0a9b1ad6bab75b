"""The citizen's survey, reached by an open link (a poster's QR code): ``/u/<unit code>``."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, redirect, render_template, request, url_for

from survey_app.domain.submission import Channel
from survey_app.extensions import csrf, db, limiter
from survey_app.services.units import unit_by_code
from survey_app.web.public.answering import (
    renew_submission_key_if_needed,
    requested_questionnaire,
    store_once,
    survey_language,
)
from survey_app.web.public.protection import (
    honeypot_filled,
    open_link_limit,
    open_link_limit_key,
    too_many_answers_message,
    with_honeypot,
)
from survey_app.web.public.survey_form import survey_form_class

bp = Blueprint("open_link", __name__)
# The survey form checks its own CSRF token (FlaskForm), so that a citizen whose token went
# stale sees their answers again with a message instead of a bare 400 page.
csrf.exempt(bp)


@bp.route("/u/<unit_code>", methods=["GET", "POST"])
@limiter.limit(open_link_limit, key_func=open_link_limit_key, methods=["POST"],
               error_message=too_many_answers_message)
def survey(unit_code: str):
    unit = unit_by_code(db.session, unit_code) or abort(404)
    q = requested_questionnaire()
    language = survey_language(q)
    form = with_honeypot(survey_form_class(q, language))()
    if form.is_submitted() and honeypot_filled(form):
        # A script filled the field people never see: thank it as usual, store nothing.
        return redirect(url_for(".thanks", unit_code=unit.code, q=request.args.get("q"), lang=language))
    if form.validate_on_submit():
        store_once(
            unit=unit, questionnaire=q, submission=form.to_submission(), locale=language,
            channel=Channel.LINK, submitted_at=datetime.now(timezone.utc),
            submission_key=form.submission_key.data,
        )
        return redirect(url_for(".thanks", unit_code=unit.code, q=request.args.get("q"), lang=language))
    renew_submission_key_if_needed(form)
    return render_template("survey/form.html", form=form, q=q, unit=unit, language=language)


@bp.get("/u/<unit_code>/thanks")
def thanks(unit_code: str):
    unit = unit_by_code(db.session, unit_code) or abort(404)
    q = requested_questionnaire()
    return render_template("survey/thanks.html", q=q, unit=unit, language=survey_language(q))
