"""The citizen's survey, reached by an open link (a poster's QR code): ``/u/<unit code>``."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for

from survey_app.domain.submission import Channel, Outcome
from survey_app.extensions import csrf, limiter
from survey_app.web.public.answering import (
    read_posted_form,
    requested_questionnaire,
    store_posted,
    survey_language,
)
from survey_app.web.public.protection import (
    client_source,
    open_link_browser_key,
    open_link_browser_limit,
    open_link_hourly_limit,
    open_link_limit,
    open_link_limit_key,
    open_link_page_age,
    too_many_answers_message,
)
from survey_app.web.public.public_units import public_unit
from survey_app.web.public.survey_page import render_survey_page

bp = Blueprint("open_link", __name__)
# The survey form checks its own CSRF token (FlaskForm), so that a citizen whose token went
# stale sees their answers again with a message instead of a bare 400 page.
csrf.exempt(bp)


@bp.get("/u/<unit_code>")
def survey(unit_code: str):
    """A fresh survey page (no rate limit: reading the page stores nothing)."""
    unit = public_unit(unit_code)
    q = requested_questionnaire()
    language = survey_language(q)
    return render_survey_page("survey/form.html", "survey/_form_questions.html", q=q, language=language,
                              honeypot=True, unit=unit, page_key=(unit,))


@bp.post("/u/<unit_code>")
@limiter.limit(open_link_limit, key_func=open_link_limit_key, error_message=too_many_answers_message)
@limiter.limit(open_link_hourly_limit, key_func=open_link_limit_key, error_message=too_many_answers_message)
# Only answers stored count against a browser: a form sent back with its problems, a double
# tap, a filled honeypot are no answer.
@limiter.limit(open_link_browser_limit, key_func=open_link_browser_key, error_message=too_many_answers_message,
               deduct_when=lambda response: g.get("answer_taken", False))
def answer(unit_code: str):
    """Store a submitted survey and thank the citizen, or show the form again with its errors."""
    unit = public_unit(unit_code)
    q = requested_questionnaire()
    language = survey_language(q)
    thanks = url_for(".thanks", unit_code=unit.code, q=request.args.get("q"), lang=language)
    posted = read_posted_form(q, language, honeypot=True, issued_within=open_link_page_age())
    if posted.trapped:
        # A script filled the field people never see: thank it as usual, store nothing.
        return redirect(thanks)
    if posted.submission is not None:
        g.answer_taken = store_posted(posted, unit=unit, questionnaire=q, locale=language, channel=Channel.LINK,
                                      source=client_source()).outcome is Outcome.STORED
        return redirect(thanks)
    return render_survey_page("survey/form.html", "survey/_form_questions.html", q=q, language=language,
                              form=posted.form, honeypot=True, unit=unit)


@bp.get("/u/<unit_code>/thanks")
def thanks(unit_code: str):
    unit = public_unit(unit_code)
    q = requested_questionnaire()
    return render_template("survey/thanks.html", q=q, unit=unit, language=survey_language(q))
