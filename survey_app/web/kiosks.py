"""Kiosks: staff register and revoke them (``/staff/kiosks``); the kiosk itself is ``/k/<id>?key=``.

The kiosk page is the survey made for a touch screen. It works as one plain form; its
JavaScript (static/kiosk.js, no inline script) only shows one element per screen, and
clears every partial answer after KIOSK_IDLE_SECONDS without a touch. The server never
depends on it. Every kiosk submission records channel "kiosk" and the kiosk; submissions
are rate-limited per kiosk, never per address (a kiosk's network may be shared).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from survey_app.extensions import csrf, db, limiter
from survey_app.models import Kiosk
from survey_app.reports.qr import qr_svg
from survey_app.services.accounts import units_in_scope
from survey_app.services.kiosks import (
    MAX_NAME_LENGTH,
    KioskError,
    kiosk_for,
    kiosks_of_units,
    register_kiosk,
    revoke_kiosk,
)
from survey_app.services.units import unit_by_code
from survey_app.web.answering import (
    requested_questionnaire,
    store_once,
    survey_language,
)
from survey_app.web.auth import require_scope, roles_required
from survey_app.web.forms import survey_form_class
from survey_app.web.urls import public_url

bp = Blueprint("kiosks", __name__)

# Submissions per kiosk; a person needs a minute or more for one survey.
KIOSK_RATE_LIMIT = "20 per minute"
KIOSK_THANKS_SECONDS = 10


def _now() -> datetime:
    return datetime.now(timezone.utc)


# ----------------------------------------------------------------------------- staff pages

class RegisterKioskForm(FlaskForm):
    unit = SelectField(validators=[InputRequired()])
    name = StringField(validators=[InputRequired(), Length(max=MAX_NAME_LENGTH)])


def _register_form(units) -> RegisterKioskForm:
    form = RegisterKioskForm()
    form.unit.choices = [SelectChoice(u.code, f"{u.name} ({u.code})") for u in units]
    if not form.is_submitted() and request.args.get("unit"):
        form.unit.data = request.args["unit"]
    return form


def _kiosk_rows(units) -> list[dict]:
    return [
        {"id": k.id, "public_id": k.public_id, "name": k.name, "unit_name": k.unit.name,
         "unit_code": k.unit.code, "created": format_datetime(k.created_at, "short"),
         "revoked": format_datetime(k.revoked_at, "short") if k.revoked_at else None}
        for k in kiosks_of_units(db.session, units)
    ]


@bp.route("/staff/kiosks", methods=["GET", "POST"])
@roles_required("staff")
def manage():
    units = units_in_scope(db.session, current_user)
    form = _register_form(units)
    if form.validate_on_submit():
        unit = unit_by_code(db.session, form.unit.data) or abort(404)
        require_scope(unit)
        try:
            kiosk, key = register_kiosk(db.session, unit=unit, name=form.name.data, now=_now())
        except KioskError:
            form.name.errors = [*form.name.errors, _("Please give the kiosk a name.")]
        else:
            db.session.commit()
            url = public_url("kiosks.kiosk", public_id=kiosk.public_id, key=key)
            response = make_response(render_template(
                "kiosks/registered.html", kiosk_name=kiosk.name, unit_name=unit.name, url=url,
                qr=Markup(qr_svg(url))))
            # The key is in this page only: never keep it in a cache.
            response.headers["Cache-Control"] = "no-store"
            return response
    return render_template("kiosks/manage.html", form=form, kiosks=_kiosk_rows(units))


@bp.post("/staff/kiosks/<int:kiosk_id>/revoke")
@roles_required("staff")
def revoke(kiosk_id: int):
    kiosk = db.session.get(Kiosk, kiosk_id) or abort(404)
    require_scope(kiosk.unit)
    revoke_kiosk(db.session, kiosk, now=_now())
    db.session.commit()
    flash(_("The kiosk %(name)s is revoked: its address opens no more.", name=kiosk.name), "info")
    return redirect(url_for(".manage"))


# ----------------------------------------------------------------------------- the kiosk

def _kiosk_limit() -> str:
    return current_app.config.get("KIOSK_RATE_LIMIT", KIOSK_RATE_LIMIT)


def _kiosk_limit_key() -> str:
    """Per kiosk: every kiosk of an office may share one address."""
    return f"kiosk:{(request.view_args or {}).get('public_id', '')}"


def _too_many_message() -> str:
    return _("This kiosk received many answers in a short time. Please wait a minute and try again.")


def _open_kiosk(public_id: str) -> Kiosk:
    kiosk = kiosk_for(db.session, public_id, request.args.get("key"))
    if kiosk is None:
        abort(403, description=_(
            "This kiosk is not registered, or no longer. Please tell the staff at the counter."))
    return kiosk


def _start_url(public_id: str) -> str:
    """The first screen for the next citizen: the kiosk's questionnaire, its default language."""
    return url_for(".kiosk", public_id=public_id, key=request.args.get("key"), q=request.args.get("q"))


def _thanks_seconds() -> int:
    return int(current_app.config.get("KIOSK_THANKS_SECONDS", KIOSK_THANKS_SECONDS))


@bp.after_request
def _private(response):
    if request.endpoint in ("kiosks.kiosk", "kiosks.kiosk_thanks"):
        # Nothing of one citizen's page may come back for the next (back button, bfcache), and
        # the key in the address must not leak to another site.
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.errorhandler(429)
def _kiosk_too_many(error):
    public_id = (request.view_args or {}).get("public_id")
    q = requested_questionnaire()
    if request.endpoint != "kiosks.kiosk" or not public_id:
        return render_template("error.html", code=429, message=error.description,
                               language=survey_language(q)), 429
    # A kiosk has no address bar and no back button: the page leads back to the start itself.
    response = make_response(render_template(
        "kiosk/message.html", q=q, unit_name=None, language=survey_language(q), title=_("Sorry"),
        message=error.description, start_url=_start_url(public_id),
        return_seconds=_thanks_seconds()), 429)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/k/<public_id>", methods=["GET", "POST"])
@limiter.limit(_kiosk_limit, key_func=_kiosk_limit_key, methods=["POST"],
               error_message=_too_many_message)
def kiosk(public_id: str):
    kiosk = _open_kiosk(public_id)
    q = requested_questionnaire()
    language = survey_language(q)
    form = survey_form_class(q, language)()
    if form.validate_on_submit():
        store_once(
            unit=kiosk.unit, questionnaire=q, submission=form.to_submission(), locale=language,
            channel="kiosk", submitted_at=_now(), submission_key=form.submission_key.data,
            kiosk_id=kiosk.id,
        )
        return redirect(url_for(".kiosk_thanks", public_id=public_id, key=request.args.get("key"),
                                q=request.args.get("q"), lang=language))
    if not form.is_submitted() or form.submission_key.errors:
        form.submission_key.data = secrets.token_urlsafe(24)
    return render_template(
        "kiosk/form.html", form=form, q=q, unit_name=kiosk.unit.name, language=language,
        start_url=_start_url(public_id),
        idle_seconds=int(current_app.config["KIOSK_IDLE_SECONDS"]),
    )


# The survey form checks its own CSRF token, as on open links: a kiosk whose session cookie
# was cleared shows the answers again with a message, instead of a bare 400 page.
csrf.exempt(kiosk)


@bp.get("/k/<public_id>/thanks")
def kiosk_thanks(public_id: str):
    kiosk = _open_kiosk(public_id)
    q = requested_questionnaire()
    return render_template(
        "kiosk/message.html", q=q, unit_name=kiosk.unit.name, language=survey_language(q),
        title=_("Thank you"),
        message=_("Your answers have been recorded. They help %(unit)s serve citizens better.",
                  unit=kiosk.unit.name),
        start_url=_start_url(public_id), return_seconds=_thanks_seconds(),
    )
