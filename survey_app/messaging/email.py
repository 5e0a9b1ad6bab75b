"""E-mail through Flask-Mailman: an outbox envelope becomes an EmailMultiAlternatives sent on
the backend MAIL_BACKEND names; what went wrong becomes a TemporaryFailure (try again later)
or a PermanentFailure (the server refused the address)."""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
from datetime import datetime
from pathlib import Path

from flask_mailman import EmailMultiAlternatives
from flask_mailman.backends.base import BaseEmailBackend

from survey_app.domain.delivery import PermanentFailure, TemporaryFailure
from survey_app.extensions import mail
from survey_app.services.outbox import Envelope

log = logging.getLogger("survey_app.outbox")


class EmlFileBackend(BaseEmailBackend):
    """MAIL_BACKEND ``file``: each message an .eml file in MAIL_FILE_PATH, its path logged."""

    def send_messages(self, email_messages) -> int:
        directory = Path(self.mailman.file_path)
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        for message in email_messages:
            name = f"{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.eml"
            partial = directory / f".{name}.part"  # written aside: a reader never sees half
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.message().as_bytes())
            os.replace(partial, directory / name)
            log.info("e-mail written to %s", directory / name)
        return len(email_messages)


class MailConnection:
    """One connection to the mail backend for a sending pass, opened at the first message and
    opened again after a failure."""

    def __init__(self):
        self._connection = None

    def send(self, envelope: Envelope) -> None:
        try:
            if self._connection is None:
                self._connection = mail.get_connection()
                self._connection.open()
            message = EmailMultiAlternatives(subject=envelope.subject, body=envelope.text,
                                             from_email=envelope.sender, to=[envelope.to],
                                             headers=dict(envelope.headers), connection=self._connection)
            if envelope.html:
                message.attach_alternative(envelope.html, "text/html")
            for attachment in envelope.attachments:
                message.attach(attachment.filename, attachment.content, attachment.mimetype)
            if message.send() != 1:
                raise TemporaryFailure("the mail backend sent nothing")
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise _failure(exc) from None

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except (smtplib.SMTPException, OSError):
                pass
            self._connection = None


def _failure(exc: Exception) -> TemporaryFailure | PermanentFailure:
    """The reason kept on the message holds a code, never the address the server quoted."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        code = codes[0] if codes else 0
        return (PermanentFailure if code >= 500 else TemporaryFailure)(f"smtp {code} recipient refused")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # The installation's password, not the message: it may pass once fixed.
        return TemporaryFailure(f"smtp {exc.smtp_code} authentication failed")
    if isinstance(exc, smtplib.SMTPResponseException):
        return (PermanentFailure if exc.smtp_code >= 500 else TemporaryFailure)(f"smtp {exc.smtp_code}")
    if isinstance(exc, smtplib.SMTPException):
        return TemporaryFailure(f"smtp {type(exc).__name__}")
    return TemporaryFailure(f"{type(exc).__name__}: {exc.strerror or exc}"[:200])
