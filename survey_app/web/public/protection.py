"""What keeps scripts from stuffing an open link (a poster's QR code, ``/u/<unit code>``).

- A honeypot: a text field named ``website`` that people never see or reach (moved off
  screen, hidden from assistive technology, out of the tab order, no autofill); a form that
  fills it is thanked as usual and stored nowhere, so its sender learns nothing.
- Rate limits per source and unit, a source being a keyed hash of the client's address (the
  address itself is never kept, and the hash only in the limiter's storage, with its counter's
  expiry): OPEN_LINK_RATE_LIMIT (30 per minute) and OPEN_LINK_SOURCE_HOURLY_LIMIT (60 per hour):
  a whole office behind one address answering at a normal pace stays below both, and a script
  hammering one unit does not block the citizens of another. And per browser (its session) and
  unit, OPEN_LINK_BROWSER_LIMIT (5 per hour): a person does not answer one unit's survey more
  than a few times an hour.
- Submission keys issued with the page (``read_posted_form`` in answering.py): an open link's
  answer is stored only with the key of a page we served, signed with its time, within
  OPEN_LINK_PAGE_HOURS; a key stored once is never stored again. Every counted answer costs a
  page of its own.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import current_app, request, session
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from markupsafe import Markup, escape
from wtforms import StringField

HONEYPOT = "website"


def _honeypot_widget(field, **kwargs) -> Markup:
    return Markup(
        '<div class="hp-field" aria-hidden="true">'
        '<label for="{id}">{label}</label>'
        '<input type="text" id="{id}" name="{name}" value="" tabindex="-1" autocomplete="off">'
        "</div>"
    ).format(id=field.id, name=field.name, label=escape(_("Leave this field empty")))


def with_honeypot(form_class: type) -> type:
    """``form_class`` with the honeypot field; render it with ``{{ form.website }}``."""
    return type(form_class.__name__, (form_class,), {HONEYPOT: StringField(widget=_honeypot_widget)})


def open_link_limit() -> str:
    return current_app.config["OPEN_LINK_RATE_LIMIT"]


def open_link_page_age() -> timedelta:
    """How long an open link's page (its submission key) may be answered."""
    return timedelta(hours=float(current_app.config["OPEN_LINK_PAGE_HOURS"]))


def open_link_hourly_limit() -> str:
    return current_app.config["OPEN_LINK_SOURCE_HOURLY_LIMIT"]


def open_link_browser_limit() -> str:
    return current_app.config["OPEN_LINK_BROWSER_LIMIT"]


def _keyed_hash(kind: str, value: str) -> str:
    secret = current_app.secret_key
    key = secret.encode() if isinstance(secret, str) else bytes(secret or b"")
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:24]


def client_source() -> str:
    """The client's address as a keyed hash: what the limits and the open-link rules count by."""
    return _keyed_hash("source", get_remote_address() or "")


def _unit_code() -> str:
    return (request.view_args or {}).get("unit_code", "")


def open_link_limit_key() -> str:
    """Counted per source (hashed client address) and unit code."""
    return f"open-link:{client_source()}:{_unit_code()}"


def open_link_browser_key() -> str:
    """Counted per browser (its session's CSRF secret, hashed; else its source) and unit code."""
    secret = session.get("csrf_token")
    browser = _keyed_hash("browser", secret) if isinstance(secret, str) else client_source()
    return f"open-link-browser:{browser}:{_unit_code()}"


def too_many_answers_message() -> str:
    return _("Many answers were sent from your network in a short time. "
             "Please wait a minute, then go back and press Send again.")
