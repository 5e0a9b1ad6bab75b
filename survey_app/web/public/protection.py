"""What keeps scripts from stuffing an open link (a poster's QR code, ``/u/<unit code>``).

- A honeypot: a text field named ``website`` that people never see or reach (moved off
  screen, hidden from assistive technology, out of the tab order, no autofill); a form that
  fills it is thanked as usual and stored nowhere, so its sender learns nothing.
- A rate limit per client address and unit (OPEN_LINK_RATE_LIMIT, 30 per minute by default):
  a whole office behind one address answering at a normal pace stays well below it, and a
  script hammering one unit does not block the citizens of another.
"""

from __future__ import annotations

from flask import current_app, request
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


def open_link_limit_key() -> str:
    """Counted per client address and unit code."""
    return f"open-link:{get_remote_address()}:{(request.view_args or {}).get('unit_code', '')}"


def too_many_answers_message() -> str:
    return _("Many answers were sent from your network in a short time. "
             "Please wait a minute, then go back and press Send again.")
