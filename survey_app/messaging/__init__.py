"""Sending the outbox's messages (services/outbox.py) with the app's settings: e-mail through
Flask-Mailman (``email.py``), SMS through an HTTP gateway (``sms.py``), and the contact key
that opens what the outbox keeps encrypted. The sending pass itself is jobs/outbox.py.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, current_app

from survey_app.domain.contact_cipher import ContactCipher
from survey_app.domain.delivery import RetryPolicy
from survey_app.extensions import mail

_CIPHER_KEY = "survey_contact_cipher"


def init_messaging(app: Flask) -> None:
    import survey_app.jobs.outbox  # noqa: F401  (its listener starts a pass after a commit that queued)
    from survey_app.messaging.email import EmlFileBackend

    state = mail.init_app(app)
    if state.backend == "file":
        # Flask-Mailman's own `file` appends every message to a .log file; ours writes one .eml
        # file per message (any mail program opens it) and logs where.
        state.backend = EmlFileBackend
    outbox_log = logging.getLogger(f"{app.logger.name}.outbox")  # app.logger: Flask's handler, made once
    if outbox_log.level == logging.NOTSET:
        outbox_log.setLevel(logging.INFO)  # where a message went is worth a line in the log
    app.extensions[_CIPHER_KEY] = ContactCipher(_keys(app.config["CONTACT_KEYS"]))


def contact_cipher(app: Flask | None = None) -> ContactCipher:
    """The cipher of this installation's contact keys (CONTACT_KEYS or instance/contact_key)."""
    return (app or current_app).extensions[_CIPHER_KEY]


def retry_policy(app: Flask) -> RetryPolicy:
    return RetryPolicy(max_attempts=app.config["OUTBOX_MAX_ATTEMPTS"],
                       first_delay=timedelta(seconds=app.config["OUTBOX_RETRY_SECONDS"]))


def _keys(setting) -> list[str]:
    if isinstance(setting, str):
        return [key for key in setting.split(",") if key.strip()]
    return list(setting)
