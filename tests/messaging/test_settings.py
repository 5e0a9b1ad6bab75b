"""The outbox's settings: Flask-Mailman's names, settable as SURVEY_APP_* like every other."""

from __future__ import annotations

from pathlib import Path

from survey_app import create_app
from survey_app.domain.contact_cipher import ContactCipher
from survey_app.messaging import contact_cipher
from survey_app.messaging.email import EmlFileBackend


def test_the_embedded_default_writes_eml_files_under_instance_outbox(app):
    assert app.config["MAIL_BACKEND"] == "file"
    assert app.extensions["mailman"].backend is EmlFileBackend
    assert app.config["SMS_GATEWAY_URL"] is None


def test_mail_and_sms_settings_come_from_the_environment(monkeypatch, tmp_path):
    old, new = ContactCipher.new_key(), ContactCipher.new_key()
    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}", "MAIL_BACKEND": "smtp",
                "MAIL_SERVER": "mail.example.gov.vn", "MAIL_PORT": "587", "MAIL_USE_TLS": "true",
                "MAIL_USERNAME": "khaosat@example.gov.vn", "MAIL_PASSWORD": "secret",
                "MAIL_DEFAULT_SENDER": "Khảo sát <khaosat@example.gov.vn>", "SMS_GATEWAY_URL": "https://sms.example.vn/",
                "SMS_API_KEY": "KEY", "CONTACT_KEYS": f"{new},{old}"}
    for name, value in settings.items():
        monkeypatch.setenv(f"SURVEY_APP_{name}", value)
    app = create_app()
    mailman = app.extensions["mailman"]
    assert (mailman.backend, mailman.server, mailman.port, mailman.use_tls, mailman.use_ssl) == (
        "smtp", "mail.example.gov.vn", 587, True, False)
    assert (mailman.username, mailman.password) == ("khaosat@example.gov.vn", "secret")
    assert mailman.default_sender == "Khảo sát <khaosat@example.gov.vn>"
    assert Path(mailman.file_path) == Path(app.instance_path) / "outbox"
    assert app.config["SMS_GATEWAY_URL"] == "https://sms.example.vn/" and app.config["SMS_API_KEY"] == "KEY"
    token = ContactCipher(old).encrypt("0912345678")
    assert contact_cipher(app).decrypt(token) == "0912345678"      # every key decrypts
    assert ContactCipher(new).decrypt(contact_cipher(app).encrypt("x")) == "x"  # the first encrypts
