"""What every request and every response goes through, whoever it is for.

- A path or query string holding control characters (``/u/ST%00P``, ``?key=%00``) cannot be a
  real address: 404 for the path, 400 for the query, before any view looks a value up in the
  database (PostgreSQL refuses a NUL in a query: it would be a 500). The rule is the one of
  every form, the API and the importers (``domain/text.py``).
- Strict headers on every response (pages, error pages, static files, the API, PDFs): a
  Content-Security-Policy that allows no inline script or style and no framing,
  ``X-Content-Type-Options: nosniff``, a Referrer-Policy (``no-referrer`` on the pages whose
  address is a credential: ``/s/<token>`` and ``/k/<kiosk>?key=``; ``same-origin`` elsewhere),
  and HSTS when the request came over HTTPS.
- The session cookie is ``Secure`` whenever the request came over HTTPS, directly or through
  TRUSTED_PROXIES with ``X-Forwarded-Proto: https``, so that it is never sent in clear later.
"""

from __future__ import annotations

from flask import Flask, abort, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

from survey_app.domain.text import is_plain_text

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    # Inline SVG charts are part of the page; data: images are the QR codes some pages embed.
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
))
# A year; no includeSubDomains: other sites of the same domain are not ours to decide for.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"
# The blueprints whose address carries a credential (an invitation's token, a kiosk's key).
TOKEN_PAGES = frozenset({"invitation", "kiosk"})


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with a cookie marked Secure when the request is HTTPS
    (SESSION_COOKIE_SECURE still forces it on everywhere), and one signing serializer per set of
    keys instead of a new one for every read and every write of a session: building one runs
    a trial serialisation (itsdangerous checks the serializer's output type), a good share
    of serving a survey page."""

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = app.extensions.get("session_serializer")
        if kept is None or kept[0] != keys:
            kept = app.extensions["session_serializer"] = (keys, super().get_signing_serializer(app))
        return kept[1]

    def get_cookie_secure(self, app: Flask) -> bool:
        if super().get_cookie_secure(app):
            return True
        return has_request_context() and request.is_secure


def _refuse_unreadable_address() -> None:
    if not is_plain_text(request.path):
        abort(404)
    for name, values in request.args.lists():
        if not is_plain_text(name) or not all(is_plain_text(value) for value in values):
            abort(400)


def _strict_headers(response):
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    # For browsers that predate frame-ancestors.
    headers["X-Frame-Options"] = "DENY"
    if request.blueprint in TOKEN_PAGES:
        headers["Referrer-Policy"] = "no-referrer"
    else:
        headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    return response


def register(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.before_request(_refuse_unreadable_address)
    app.after_request(_strict_headers)
