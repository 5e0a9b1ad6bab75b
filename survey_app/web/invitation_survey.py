"""The citizen's survey reached by a single-use invitation (a slip's QR code): ``/s/<token>``.

It behaves like the open link ``/u/<unit code>`` (same form, template and language choice, a
redirect to a thank-you page after sending), except that an invitation is answered once: a
second submission, an expired or an unknown token gets a page saying so and stores nothing.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timezone

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from survey_app.domain.questionnaire import Questionnaire
from survey_app.extensions import csrf, db
from survey_app.models import Invitation, Response
from survey_app.services.invitation_responses import (
    InvitationClosed,
    InvitationExpired,
    submit_invitation,
)
from survey_app.services.invitations import invitation_by_token, status
from survey_app.web.answering import survey_language
from survey_app.web.forms import survey_form_class

bp = Blueprint("invitation_survey", __name__)
# As on /u: the survey form checks its own CSRF token (FlaskForm), so that a citizen whose
# token went stale sees their answers again with a message instead of a bare 400 page.
csrf.exempt(bp)

# What new_secret makes (URL-safe base64); anything else cannot be a token and is not looked up.
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@bp.after_request
def _no_referrer(response):
    # The token in the address is the citizen's right to answer: never send it elsewhere.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _questionnaire() -> Questionnaire:
    return current_app.extensions["survey_catalog"].default


def _invitation(token: str) -> Invitation | None:
    return invitation_by_token(db.session, token) if TOKEN.match(token) else None


def _page(code: int, message: str):
    return render_template("error.html", code=code, message=message,
                           language=str(get_locale() or "vi")), code


def _unknown():
    return _page(404, _("This survey link is not valid. Please check the address, "
                        "or scan the code on your slip again."))


def _closed(state: str):
    if state == "expired":
        return _page(410, _("This survey link has expired and can no longer be used. "
                            "Thank you for your interest."))
    return _page(410, _("This survey has already been answered: each slip can be used only once. "
                        "Thank you for your opinion."))


def _thanks_url(token: str, language: str) -> str:
    return url_for(".thanks", token=token, lang=language)


def _was_this_form(invitation: Invitation, submission_key: str | None) -> bool:
    """Whether the answer already stored came from this very form (a double tap, a retry)."""
    if not submission_key or invitation.response_id is None:
        return False
    stored = db.session.scalar(select(Response.submission_key).where(Response.id == invitation.response_id))
    return stored == submission_key


@bp.route("/s/<token>", methods=["GET", "POST"])
def take(token: str):
    invitation = _invitation(token)
    if invitation is None:
        return _unknown()
    q = _questionnaire()
    language = survey_language(q)
    now = datetime.now(timezone.utc)
    state = status(invitation, now)
    if state != "issued":
        if request.method == "POST" and _was_this_form(invitation, request.form.get("submission_key")):
            return redirect(_thanks_url(token, language))
        return _closed(state)

    form = survey_form_class(q, language)()
    if form.validate_on_submit():
        key = form.submission_key.data
        try:
            submit_invitation(db.session, invitation=invitation, questionnaire=q,
                              submission=form.to_submission(), locale=language, now=now,
                              submission_key=key)
        except InvitationClosed as closed:
            # Another request (another phone, or this one's double tap) answered it meanwhile.
            db.session.rollback()
            if not isinstance(closed, InvitationExpired) and _was_this_form(invitation, key):
                return redirect(_thanks_url(token, language))
            return _closed("expired" if isinstance(closed, InvitationExpired) else "answered")
        db.session.commit()
        return redirect(_thanks_url(token, language))
    if not form.is_submitted() or form.submission_key.errors:
        # A fresh form, or a posted one whose key was lost or mangled: as on /u, the citizen
        # is asked to press Send again, and that must be able to succeed.
        form.submission_key.data = secrets.token_urlsafe(24)
    return render_template("survey/form.html", form=form, q=q, unit=invitation.unit, language=language)


@bp.get("/s/<token>/thanks")
def thanks(token: str):
    invitation = _invitation(token)
    if invitation is None:
        return _unknown()
    q = _questionnaire()
    language = survey_language(q)
    if invitation.answered_at is None:
        return redirect(url_for(".take", token=token, lang=language))
    return render_template("survey/thanks.html", q=q, unit=invitation.unit, language=language)
