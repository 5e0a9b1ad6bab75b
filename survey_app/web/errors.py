"""Error pages in the reader's language (``?lang=``, else Vietnamese), never Werkzeug's English.

On a kiosk there is no address bar and no back button, so its error pages lead back to the
kiosk's first screen by themselves. The API answers its own errors in JSON (web/api/errors.py).
"""

from __future__ import annotations

from contextlib import suppress

from flask import Flask, current_app, make_response, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, InternalError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError, ServiceUnavailable

from survey_app.domain.text import is_plain_text
from survey_app.extensions import db
from survey_app.read_only import is_read_only_error

# Seconds a kiosk shows an error before it returns to its first screen.
KIOSK_ERROR_SECONDS = 10


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please go back and try again."),
        403: _("You may not open this page. If you think you should, ask an administrator."),
        404: _("This page does not exist. Please check the address or scan the code again."),
        405: _("This page cannot be used this way. Please go back and try again."),
        410: _("This page is no longer available."),
        413: _("What you sent is too large. Please shorten your comment and try again."),
        429: _("Too many requests in a short time. Please wait a minute and try again."),
        503: _("The service is unavailable for a moment and nothing you sent was stored. "
               "Please try again in a minute."),
        500: _("Something went wrong on our side. Your answers were not lost if you saw the "
               "thank-you page; otherwise please try again in a moment."),
    }


def error_page(code: int, message: str | None = None):
    """The error page for ``code``, with ``message`` or the standard one for that code."""
    message = message or _messages().get(code) or _messages()[500 if code >= 500 else 400]
    kiosk_id = _kiosk_id()
    if kiosk_id:
        # Back to the kiosk's first screen, with its key, in its default language.
        key, q = request.args.get("key"), request.args.get("q")
        start_url = url_for("kiosk.survey", public_id=kiosk_id,
                            key=key if key and is_plain_text(key) else None,
                            q=q if q and is_plain_text(q) else None)
        q = current_app.extensions["survey_catalog"].default
        # A revoked kiosk still shows staff what waits on it, and why its answers were refused.
        # (Imported here: the public views import this module.)
        from survey_app.web.public.kiosk import offline_context

        return make_response(render_template(
            "kiosk/message.html", q=q,
            unit_name=None, title=_("Sorry"), language=str(get_locale() or "vi"), message=message,
            start_url=start_url, return_seconds=KIOSK_ERROR_SECONDS,
            offline=offline_context(kiosk_id, q)), code)
    return render_template("error.html", code=code, message=message,
                           language=str(get_locale() or "vi")), code


def _kiosk_id() -> str | None:
    """The kiosk a request was for, also when routing failed before any view was chosen (a
    method the kiosk page does not take): the address is matched again as a GET."""
    if request.blueprint == "kiosk":
        public_id = (request.view_args or {}).get("public_id")
        return public_id if public_id and is_plain_text(public_id) else None
    try:
        endpoint, args = current_app.url_map.bind_to_environ(request.environ).match(method="GET")
    except HTTPException:
        return None
    public_id = args.get("public_id") if endpoint.startswith("kiosk.") else None
    return public_id if public_id and is_plain_text(public_id) else None


API_PREFIX = "/api/v1"


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/"):
            # Routing failed before the API's blueprint was chosen (a method no rule of the
            # address takes): still the API's JSON, with Allow.
            from survey_app.web.api.errors import http_error as api_http_error

            return api_http_error(error)
        # A message we wrote for this very case (abort(403, description=_(...))) is kept;
        # Werkzeug's standard English descriptions are not shown.
        if isinstance(error, SecurityError):
            # A Host outside TRUSTED_HOSTS: no address of ours can be built for it, so the
            # page is plain text, with no links (and still the strict headers).
            return _messages()[400], 400, {"Content-Type": "text/plain; charset=utf-8"}
        if isinstance(error, CSRFError):
            # Flask-WTF's reason ("The CSRF token is missing.") means nothing to a reader.
            return error_page(400, _("Your session expired. Please go back, reload the page and "
                                     "try again."))
        standard = type(error).description
        message = error.description if error.description != standard else None
        return error_page(error.code or 500, message)

    @app.errorhandler(InternalServerError)
    def internal_error(error: InternalServerError):
        # Flask logs the exception itself; the reader gets our page, never a traceback.
        return error_page(500)

    @app.errorhandler(InternalError)
    def database_internal_error(error: InternalError):
        # PostgreSQL refuses a write in a read-only spell with an InternalError: an outage too.
        # Any other is a fault of ours, left to Flask (logged, the 500 page).
        if not is_read_only_error(error):
            raise error
        return database_unavailable(error)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        # The database went away (restarted, a full disk, a file made read-only for a moment).
        # Connections made meanwhile may stay unusable after it is back (an SQLite file opened
        # while read-only stays read-only), so the pool is emptied: the next request opens
        # fresh ones and succeeds. This one gets a 503 in the reader's language (JSON on the
        # API, through its own handler), and stored nothing.
        current_app.logger.warning("database unavailable: %s", error)
        with suppress(DBAPIError):  # the connection may be too broken even to roll back
            db.session.rollback()
        db.engine.dispose()
        return current_app.handle_http_exception(ServiceUnavailable(retry_after=30))
