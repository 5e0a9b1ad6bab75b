"""Asking for a reply and handling the case the way a browser does, for the tests of cases."""

from __future__ import annotations

import re

from pages import hidden_field

from survey_app.extensions import db
from survey_app.jobs.outbox import send_pass


def ask_for_reply(client, path: str = "/u/XA1/reply", **fields):
    page = client.get(path).get_data(as_text=True)
    data = {"csrf_token": hidden_field(page, "csrf_token"), "form_key": hidden_field(page, "form_key"),
            "text": "Tôi phải chờ hai tiếng.", "consent": "y", **fields}
    return client.post(path, data={k: v for k, v in data.items() if v is not None})


def case_number_in(html: str) -> str:
    match = re.search(r"PA-\d{4}-\d{6}", html)
    assert match, html[:800]
    return match.group(0)


def send_outbox(app) -> None:
    with app.app_context():
        send_pass(app)
        db.session.remove()


def link_in(message, path: str) -> str:
    body = message.get_body(("plain",)).get_content()
    match = re.search(rf"https?://[^\s]+{path}[^\s]+", body)
    assert match, body
    return match.group(0)


def post_form(client, path: str, extra: dict, *, csrf_name: str = "csrf_token", page: str | None = None):
    html = page if page is not None else client.get(path).get_data(as_text=True)
    return client.post(path, data={csrf_name: hidden_field(html, csrf_name), **extra})
