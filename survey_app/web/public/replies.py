"""A citizen's reply request (a case, services/cases.py), without an account:
``/u/<unit>/reply`` (linked from every thank-you page and from the unit's survey page) and
``/k/<kiosk>/reply`` on a kiosk; ``/cases/confirm/<token>`` for an e-mail contact's link;
``/cases/answer/<token>`` for the answer's single-use link, where the citizen rates it or
reopens the case once.

Nothing here reads the survey a citizen may have just answered: the addresses carry the unit
only, and the session holds nothing but its CSRF token. The confirmation link is signed and
carries its own time (valid CASE_CONFIRM_HOURS), so the database needs no time of receipt.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from survey_app.domain.cases import ContactKind
from survey_app.domain.contacts import email_address, vn_mobile
from survey_app.extensions import csrf, db, limiter
from survey_app.models import Unit
from survey_app.services import cases
from survey_app.services.kiosks import kiosk_for
from survey_app.services.secrets import new_secret
from survey_app.web.errors import error_page
from survey_app.web.public.public_units import public_unit
from survey_app.web.public.reply_forms import AnswerRatingForm, ReopenForm, ReplyRequestForm
from survey_app.web.urls import public_url

bp = Blueprint("replies", __name__)
# The forms check their own CSRF token (FlaskForm), so that a stale one shows a message.
csrf.exempt(bp)

DEFAULT_REPLY_RATE_LIMIT = "10 per hour"


@bp.after_request
def _private(response):
    # A case number, a contact typed in, a link's token: nothing for a shared cache, the back
    # button of a kiosk or another site's Referer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _rules() -> cases.CaseRules:
    return cases.CaseRules.from_config(current_app.config)


def _confirmations() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="case-confirmation")


def _reply_limit() -> str:
    return current_app.config.get("CASE_REPLY_RATE_LIMIT", DEFAULT_REPLY_RATE_LIMIT)


def _kiosk_limit_key() -> str:
    return f"kiosk-reply:{(request.view_args or {}).get('public_id', '')}"


@bp.route("/u/<unit_code>/reply", methods=["GET", "POST"])
@limiter.limit(_reply_limit, methods=["POST"], key_func=get_remote_address)
def reply(unit_code: str):
    unit = db.session.get(Unit, public_unit(unit_code).id) or abort(404)
    return _reply(unit, layout="survey/_reply_layout.html", kiosk=None)


@bp.route("/k/<public_id>/reply", methods=["GET", "POST"])
@limiter.limit(_reply_limit, methods=["POST"], key_func=_kiosk_limit_key)
def kiosk_reply(public_id: str):
    kiosk = kiosk_for(db.session, public_id, request.args.get("key"))
    if kiosk is None:
        abort(403, description=_("This kiosk is not registered, or no longer. Please tell the staff at the counter."))
    start = url_for("kiosk.survey", public_id=public_id, key=request.args.get("key"), q=request.args.get("q"))
    return _reply(kiosk.unit, layout="kiosk/_layout.html", kiosk=start)


def _reply(unit: Unit, *, layout: str, kiosk: str | None):
    from survey_app.jobs.case_notices import CaseNotices

    language = current_app.config["BABEL_DEFAULT_LOCALE"]
    form = ReplyRequestForm()
    if not form.is_submitted() or form.form_key.errors:
        form.form_key.data = new_secret(24)
    page = dict(layout=layout, unit=unit, unit_name=unit.name, language=language, kiosk_start=kiosk,
                idle_seconds=int(current_app.config["KIOSK_IDLE_SECONDS"]),
                keep_days=current_app.config["CASE_CONTACT_KEEP_DAYS"],
                answer_days=current_app.config["CASE_ANSWER_DAYS"])
    if not form.validate_on_submit():
        return render_template("survey/reply.html", form=form, **page), 400 if form.is_submitted() else 200
    # Both given: the phone (no confirmation needed); the form has checked whichever is given.
    kind, contact = ((ContactKind.PHONE, vn_mobile(form.phone.data)) if form.phone.data
                     else (ContactKind.EMAIL, email_address(form.email.data)))
    rules = _rules()
    notices = CaseNotices(db.session)
    case, new = cases.open_case(db.session, unit=unit, text=form.text.data, contact_kind=kind,
                                sealed_contact=notices.seal(contact), form_key=form.form_key.data,
                                today=rules.today(datetime.now(timezone.utc)), rules=rules)
    if new:
        confirm_url = (public_url("replies.confirm", token=_confirmations().dumps(case.number))
                       if kind is ContactKind.EMAIL else None)
        notices.received(case, confirm_url)
    db.session.commit()
    return render_template("survey/reply_done.html", case=case, **page)


def _confirmed_number(token: str) -> str | None:
    try:
        return _confirmations().loads(token, max_age=int(current_app.config["CASE_CONFIRM_HOURS"]) * 3600)
    except (SignatureExpired, BadSignature):
        return None


@bp.route("/cases/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """A GET only shows the button (a mail scanner following links confirms nothing)."""
    number = _confirmed_number(token)
    case = cases.unconfirmed_case(db.session, number) if number else None
    if case is None:
        return error_page(410, _("This confirmation link has expired or is not valid. "
                                 "Please ask for a reply again."))
    form = ReopenForm()
    done = case.confirmed
    if not done and form.validate_on_submit():
        rules = _rules()
        cases.confirm(db.session, case, rules.today(datetime.now(timezone.utc)))
        db.session.commit()
        done = True
    return render_template("survey/case_confirm.html", case=case, form=form, done=done,
                           language=current_app.config["BABEL_DEFAULT_LOCALE"])


@bp.route("/cases/answer/<token>", methods=["GET", "POST"])
def answer(token: str):
    case = cases.case_for_answer(db.session, token)
    if case is None:
        return error_page(410, _("This link has been used already, or the case is closed. Thank you."))
    rating, reopen = AnswerRatingForm(prefix="rate"), ReopenForm(prefix="reopen")
    now, rules = datetime.now(timezone.utc), _rules()
    language = current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.method == "POST" and "reopen-submit" in request.form and not case.reopened:
        if reopen.validate_on_submit():
            cases.reopen(db.session, case, now=now, rules=rules)
            db.session.commit()
            return render_template("survey/case_thanks.html", case=case, reopened=True, language=language)
    elif request.method == "POST" and rating.validate_on_submit():
        cases.rate(db.session, case, resolution=rating.resolution.data, rating=int(rating.rating.data),
                   now=now, rules=rules)
        db.session.commit()
        return render_template("survey/case_thanks.html", case=case, reopened=False, language=language)
    status = 400 if request.method == "POST" else 200
    return render_template("survey/case_answer.html", case=case, rating=rating, reopen=reopen,
                           language=language), status
