"""``notifications send-due`` on the demo province: a real SMTP server (aiosmtpd) receives exactly
one digest and one monthly report per subscription however often it runs; the digest names the
units ``alerts --format json`` says signal, with its numbers; the attached PDF is the ``report``
command's; a staff account's digest holds its own unit only; nothing for a disabled account;
the one-click link ends a subscription."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from survey_app import catalog_of
from survey_app.domain.periods import period_of
from survey_app.extensions import db
from survey_app.jobs.outbox import send_pass
from survey_app.models import AlertWeeks, AuditEvent, Subscription, Unit, User
from survey_app.reports.formatting import Figures
from survey_app.services import demo
from survey_app.services.accounts import create_user
from survey_app.services.subscriptions import Choice, save_choice


@pytest.fixture
def province(app):
    app.config["OUTBOX_SEND_ON_COMMIT"] = False
    tz = ZoneInfo(app.config["TIMEZONE"])
    now = datetime.now(tz)
    with app.app_context():
        demo.create_demo(db.session, catalog_of(app), responses=12000, seed=2017, now=now)
        stp = db.session.scalar(select(Unit).where(Unit.code == "STP"))
        for email, role, unit, choice, active in (
                ("canbo@anphu.gov.vn", "officer", None, Choice(True, "month", None, "vi"), True),
                ("motcua@anphu.gov.vn", "staff", stp, Choice(True, None, None, "vi"), True),
                ("nghi@anphu.gov.vn", "officer", None, Choice(True, "month", None, "vi"), False)):
            user = create_user(db.session, email=email, password="correct horse battery", role=role, unit=unit,
                               now=now.astimezone(timezone.utc))
            save_choice(db.session, user, choice, now=now.astimezone(timezone.utc))
            user.active = active
        db.session.commit()
    monday = now.date() - timedelta(days=now.weekday())
    return {"app": app, "at": datetime.combine(monday, time(8, 0), tz), "monday": monday}


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_send_due_twice_delivers_each_message_once(province, smtp_server, tmp_path):
    app, at = province["app"], province["at"]
    run(app, "notifications", "send-due", "--now", at.isoformat())
    with app.app_context():  # the digest's alerts are kept for the pages (services/alert_weeks.py)
        assert db.session.scalars(select(AlertWeeks.week)).all() == [province["monday"] - timedelta(weeks=1)]
    run(app, "notifications", "send-due", "--now", (at + timedelta(minutes=15)).isoformat())
    with app.app_context():
        send_pass(app)
    received = {}
    for mail in smtp_server.received:
        received.setdefault(mail.rcpt_tos[0], []).append(mail.message)
    assert sorted(received) == ["canbo@anphu.gov.vn", "motcua@anphu.gov.vn"]  # nothing for the disabled one
    officer = received["canbo@anphu.gov.vn"]
    assert len(officer) == 2 and len(received["motcua@anphu.gov.vn"]) == 1
    digest = next(m for m in officer if not any(p.get_filename() for p in m.walk()))
    report = next(m for m in officer if any(p.get_filename() for p in m.walk()))

    # The digest: the units `alerts` says signal as of that Monday, with the same numbers.
    alerts = json.loads(run(app, "alerts", "--as-of", province["monday"].isoformat(), "--format", "json"))
    text = digest.get_body(("plain",)).get_content()
    fig = Figures("vi")
    signalling = [u for u in alerts["units"] if u["signal"]]
    assert signalling
    for u in alerts["units"]:
        if u["signal"]:
            assert f"Chỉ số SIPAS của {u['name']}" in text
            assert f"EWMA {u['ewma']:+.2f}" in text and f"mức thường lệ {fig.index(u['baseline'])}" in text
            assert f"({u['n_last_week']} phiếu)" in text
        else:
            assert u["name"] not in text
    assert str(digest["List-Unsubscribe"]).strip().startswith("<http")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The staff account's digest: its own unit only.
    staff_text = received["motcua@anphu.gov.vn"][0].get_body(("plain",)).get_content()
    assert not any(u["name"] in staff_text for u in signalling if u["unit"] != "STP")

    # The monthly report: the PDF the report command writes for the same scope and period.
    month = period_of("month", at.date()).previous()
    attached = next(p for p in report.walk() if p.get_filename()).get_content()
    out = tmp_path / "r.pdf"
    run(app, "report", "--from", month.start.isoformat(), "--to", month.end.isoformat(), "-o", str(out))

    def text_of(data: bytes) -> str:
        return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert text_of(attached) == text_of(out.read_bytes())

    with app.app_context():
        sent = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "notification.send")).all()
        assert sorted((e.detail["email"], e.detail["kind"]) for e in sent) == [
            ("canbo@anphu.gov.vn", "digest"), ("canbo@anphu.gov.vn", "report"), ("motcua@anphu.gov.vn", "digest")]


def test_the_one_click_link_ends_a_subscription(province, client):
    app, at = province["app"], province["at"]
    run(app, "notifications", "send-due", "--now", at.isoformat())
    with app.app_context():  # the digest's alerts are kept for the pages (services/alert_weeks.py)
        assert db.session.scalars(select(AlertWeeks.week)).all() == [province["monday"] - timedelta(weeks=1)]
    with app.app_context():
        send_pass(app)
    # Read the link from the file backend's .eml files, as a mail client reads the header.
    link = None
    for path in sorted(Path(app.config["MAIL_FILE_PATH"]).glob("*")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == "motcua@anphu.gov.vn":
            link = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert link is not None
    path = "/" + link.split("/", 3)[3]
    assert client.get(path).status_code == 200  # a page with the button: a GET writes nothing
    with app.app_context():
        assert db.session.scalar(select(Subscription).join(User).where(User.email == "motcua@anphu.gov.vn"))
    assert client.post(path).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Subscription).join(User).where(User.email == "motcua@anphu.gov.vn")) is None
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "subscription.end")) is not None
    assert client.post(path[:-3] + "xyz").status_code == 404
