"""The citizen's survey reached by a single-use invitation (a slip's QR code): ``/s/<token>``.

It behaves like the open link ``/u/<unit code>`` (same form, template and language choice, a
redirect to a thank-you page after sending), except that an invitation is answered once: a
second submission, an expired or an unknown token gets a page saying so and stores nothing.

``/s/<token>/qr.svg`` and ``/s/<token>/qr.png`` draw the survey address as a QR code, for the
one-stop software to print on a receipt. They are public (the token is the credential, as for
the survey itself) and exist only while the invitation can still be answered.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from survey_app.domain.invitation import InvitationStatus
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.submission import Channel
from survey_app.extensions import csrf, db
from survey_app.models import Invitation
from survey_app.reports.qr import qr_png, qr_svg
from survey_app.services.invitation_responses import InvitationOutcome, closed_outcome
from survey_app.services.invitations import invitation_by_token, status
from survey_app.web.errors import error_page
from survey_app.web.public.answering import read_posted_form, store_posted, survey_language
from survey_app.web.public.survey_page import render_survey_page
from survey_app.web.urls import survey_url

bp = Blueprint("invitation", __name__)
# As on /u: the survey form checks its own CSRF token (FlaskForm), so that a citizen whose
# token went stale sees their answers again with a message instead of a bare 400 page.
csrf.exempt(bp)

# What new_secret makes (URL-safe base64); anything else cannot be a token and is not looked up.
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@bp.after_request
def _no_referrer(response):
    # The token in the address is the citizen's right to answer: never send it elsewhere, and
    # no cache may keep a page or an image that carries it.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _questionnaire() -> Questionnaire:
    return current_app.extensions["survey_catalog"].default


def _invitation(token: str) -> Invitation | None:
    return invitation_by_token(db.session, token) if TOKEN.match(token) else None


def _unknown():
    return error_page(404, _("This survey link is not valid. Please check the address, "
                             "or scan the code on your slip again."))


def _refusal(outcome: InvitationOutcome):
    if outcome is InvitationOutcome.EXPIRED:
        return error_page(410, _("This survey link has expired and can no longer be used. "
                                 "Thank you for your interest."))
    return error_page(410, _("This survey has already been answered: each slip can be used only "
                             "once. Thank you for your opinion."))


@bp.route("/s/<token>", methods=["GET", "POST"])
def survey(token: str):
    invitation = _invitation(token)
    if invitation is None:
        return _unknown()
    q = _questionnaire()
    language = survey_language(q)
    thanks_url = url_for(".thanks", token=token, lang=language)
    now = datetime.now(timezone.utc)
    # A GET carries no form key, so a closed invitation is refused; a post of the very form
    # that answered it (a double tap, a retry) is thanked.
    key = request.form.get("submission_key") if request.method == "POST" else None
    outcome = closed_outcome(db.session, invitation, now, key)
    form = None
    if outcome is None and request.method == "POST":
        posted = read_posted_form(q, language)
        form = posted.form
        if posted.submission is not None:
            outcome = store_posted(posted, unit=invitation.unit, questionnaire=q, locale=language,
                                   channel=Channel.INVITATION, invitation=invitation).outcome
    if outcome is not None:
        return redirect(thanks_url) if outcome.thanked else _refusal(outcome)
    return render_survey_page("survey/form.html", "survey/_form_questions.html", q=q, language=language,
                              form=form, unit=invitation.unit)


@bp.get("/s/<token>/thanks")
def thanks(token: str):
    invitation = _invitation(token)
    if invitation is None:
        return _unknown()
    q = _questionnaire()
    language = survey_language(q)
    if invitation.answered_on is None:
        return redirect(url_for(".survey", token=token, lang=language))
    return render_template("survey/thanks.html", q=q, unit=invitation.unit, language=language)


def _open_invitation_url(token: str) -> str:
    invitation = _invitation(token)
    if invitation is None or status(invitation, datetime.now(timezone.utc)) != InvitationStatus.ISSUED:
        abort(404)
    return survey_url(token)


@bp.get("/s/<token>/qr.svg")
def qr_svg_image(token: str):
    return Response(qr_svg(_open_invitation_url(token)), mimetype="image/svg+xml")


@bp.get("/s/<token>/qr.png")
def qr_png_image(token: str):
    return Response(qr_png(_open_invitation_url(token)), mimetype="image/png")
