"""Error pages in the visitor's language."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {
            404: _("This page does not exist. Please check the address or scan the code again."),
            413: _("What you sent is too large. Please shorten your comment and try again."),
        }
        message = messages.get(error.code, error.description)
        # The page is in the visitor's language (?lang=), and must say so in <html lang>.
        return render_template("error.html", code=error.code, message=message,
                               language=str(get_locale() or "vi")), error.code
