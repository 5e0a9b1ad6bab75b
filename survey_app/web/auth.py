"""Signing in and out, and the checks every staff, officer and admin page makes."""

from __future__ import annotations

from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length

from survey_app.domain.audit import AuditAction
from survey_app.domain.permissions import Action, may, reads_reports_first
from survey_app.extensions import csrf, db, limiter, login_manager
from survey_app.models import Unit, User
from survey_app.services import audit
from survey_app.services.accounts import active_user, authenticate, end_sessions, in_scope
from survey_app.web.forms import N_, PlainText, TranslatedForm

bp = Blueprint("auth", __name__)


# A session cookie replayed from another address or browser is dropped, not honoured.
login_manager.session_protection = "strong"
login_manager.login_message = N_("Please sign in to see this page.")
login_manager.login_message_category = "info"
login_manager.localize_callback = _


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # Checked on every request: a disabled account's open sessions end at their next request.
    return active_user(db.session, user_id)


class LoginForm(TranslatedForm):
    email = EmailField(_l("E-mail"), validators=[
        PlainText(), InputRequired(message=_l("Please give your e-mail address.")),
        Length(max=255, message=_l("Please use at most %(max)d characters."))])
    password = PasswordField(_l("Password"), validators=[
        InputRequired(message=_l("Please give your password.")),
        Length(max=1024, message=_l("Please use at most %(max)d characters."))])


def current_user_may(action: Action) -> bool:
    """The permission rule (domain/permissions.py) for the signed-in user; templates use it too."""
    return current_user.is_authenticated and may(current_user.role, action)


def permission_required(action: Action):
    """Signed in, active, and allowed ``action``; the unit scope is checked by ``require_scope``."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user_may(action):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_scope(unit: Unit, *, refusal: int = 403) -> None:
    """``refusal`` (403, or 404 where the answer must not tell whether something exists)
    unless the signed-in user may act on ``unit``; checked on the server, every time."""
    if not in_scope(db.session, current_user, unit):
        abort(refusal)


def record_audit(action: AuditAction, unit: Unit | None = None, **detail: object) -> None:
    """Add what the signed-in user did to the audit log, in this request's transaction: the view
    commits it with the work, or it goes when the work fails."""
    audit.record(db.session, current_user._get_current_object(), action, unit, **detail)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect after sign-in is a phishing tool.

    Browsers read ``/\\evil.example`` as ``//evil.example`` and drop tabs and newlines from
    URLs, so anything with a backslash or a control character is refused too.
    """
    if (target and target.startswith("/") and not target.startswith("//")
            and "\\" not in target and all(ch.isprintable() and not ch.isspace() for ch in target)):
        return target
    if current_user.is_authenticated and reads_reports_first(current_user.role):
        return url_for("officers.units")
    return url_for("staff.home")


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _too_many_attempts() -> str:
    return _("Too many sign-in attempts from your address. Please wait a minute and try again.")


@bp.route("/login", methods=["GET", "POST"])
# The form checks its own CSRF token (FlaskForm), so that a page left open until its session
# ended shows a message instead of a bare 400; a post without a valid token signs nobody in.
@csrf.exempt
@limiter.limit(_login_rate_limit, methods=["POST"], key_func=get_remote_address,
               error_message=_too_many_attempts)
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            # A new session at sign-in: nothing set before it carries over, the CSRF token
            # least of all (one taken from the sign-in page must not work afterwards).
            session.clear()
            login_user(user)
            record_audit(AuditAction.SIGN_IN, user.unit)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong e-mail or password, or the account is disabled."), "error")
    elif form.is_submitted() and "csrf_token" in form.errors:
        flash(_("Your session expired. Please sign in again."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    # The cookie itself cannot be taken back from the browser (or from whoever copied it):
    # what ends the session for good is the user's new session generation.
    end_sessions(db.session, current_user._get_current_object())
    record_audit(AuditAction.SIGN_OUT, current_user.unit)
    db.session.commit()
    logout_user()
    return redirect(url_for("auth.login"))
